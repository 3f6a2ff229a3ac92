"""Changing a phase of a study: the page, the audit, and answers that keep their questionnaire."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.research.exceptions import AnsweredQuestionnaireRemoved
from alliantiemonitor.research.models import StudyPhase
from alliantiemonitor.research.services import study_create, study_phase_add, study_phase_edit
from tests.factories import MembershipFactory, UserFactory
from tests.research.test_phase_responses import submit

pytestmark = pytest.mark.django_db

CHANGED = {
    "kind": "eindmeting",
    "name": "Eindmeting na een jaar",
    "instruments": ["bruikbaarheid", "levensgebieden"],
    "timing_days": "365",
    "mode_notes": "Een interview per telefoon",
}


def _browser(user: Any) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _url(phase: Any) -> str:
    return reverse("research:phase_edit", args=[phase.study.uuid, phase.uuid])


def _as_stored(phase: Any) -> tuple[Any, ...]:
    phase = StudyPhase.objects.get(pk=phase.pk)
    return (phase.kind, phase.name, phase.instruments, phase.timing_days, phase.mode_notes)


def _edits() -> int:
    return AuditEvent.objects.filter(action=Action.STUDY_PHASE_EDIT).count()


def test_the_page_shows_the_phase_as_it_is(phase, researcher):
    html = _browser(researcher).get(_url(phase)).content.decode()
    assert 'value="Tussenmeting"' in html
    assert '<option value="tussenmeting" selected>' in html
    assert 'value="30"' in html
    for questionnaire in ("bruikbaarheid", "motivatie"):
        assert f'value="{questionnaire}" checked' in html
    assert 'value="levensgebieden" checked' not in html


def test_the_study_page_links_to_each_phase_by_name(phase, researcher):
    html = _browser(researcher).get(reverse("research:study_detail", args=[phase.study.uuid]))
    text = html.content.decode()
    assert f'href="{_url(phase)}"' in text
    assert 'aria-label="Change phase 1: Tussenmeting"' in text


def test_a_change_is_saved_audited_once_and_leads_back(phase, researcher):
    browser = _browser(researcher)
    response = browser.post(_url(phase), CHANGED)
    assert response.status_code == 302
    assert response["Location"] == reverse("research:study_detail", args=[phase.study.uuid])
    assert _as_stored(phase) == (
        "eindmeting",
        "Eindmeting na een jaar",
        ["bruikbaarheid", "levensgebieden"],
        365,
        "Een interview per telefoon",
    )
    assert StudyPhase.objects.get(pk=phase.pk).order == 1
    assert _edits() == 1
    assert "The phase was changed." in browser.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"timing_days": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"instruments": ["no-such-questionnaire"]}, "Choose questionnaires from the list."),
        # The monitor runs in the measurement rounds; it is not a phase questionnaire.
        ({"instruments": ["standaard"]}, "Choose questionnaires from the list."),
        ({"name": ""}, "Give the phase a name."),
    ],
)
def test_a_bad_value_is_refused_and_nothing_changes(phase, researcher, bad, message):
    before = _as_stored(phase)
    response = _browser(researcher).post(_url(phase), {**CHANGED, **bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "am-error-summary" in html
    assert message in html
    assert _as_stored(phase) == before
    assert _edits() == 0


def test_another_researcher_does_not_find_the_phase(phase, organisation):
    stranger = UserFactory(username="onderzoeker.ander")
    MembershipFactory(user=stranger, organisation=organisation, role="researcher")
    before = _as_stored(phase)
    browser = _browser(stranger)
    assert browser.get(_url(phase)).status_code == 404
    assert browser.post(_url(phase), CHANGED).status_code == 404
    assert _as_stored(phase) == before


def test_a_phase_of_another_study_is_not_found_through_ones_own(phase, researcher, organisation):
    stranger = UserFactory(username="onderzoeker.ander")
    MembershipFactory(user=stranger, organisation=organisation, role="researcher")
    theirs = study_create(by=stranger, name="Andere studie", information_text="Uitleg.")
    their_phase = study_phase_add(
        study=theirs, by=stranger, kind="nulmeting", name="Nulmeting", instruments=[], timing_days=0
    )
    before = _as_stored(their_phase)
    browser = _browser(researcher)
    url = reverse("research:phase_edit", args=[phase.study.uuid, their_phase.uuid])
    assert browser.get(url).status_code == 404
    assert browser.post(url, CHANGED).status_code == 404
    assert _as_stored(their_phase) == before


def test_an_answered_questionnaire_cannot_be_removed(consenting, phase, researcher):
    submit(consenting, phase, researcher)  # motivatie is answered
    with pytest.raises(AnsweredQuestionnaireRemoved) as refused:
        study_phase_edit(phase=phase, by=researcher, **{**CHANGED, "timing_days": 365})
    assert refused.value.context["questionnaires"] == ["motivatie"]
    assert StudyPhase.objects.get(pk=phase.pk).instruments == ["bruikbaarheid", "motivatie"]
    assert _edits() == 0

    # Keeping it (and removing one nobody answered) is fine.
    kept = study_phase_edit(
        phase=phase,
        by=researcher,
        **{**CHANGED, "timing_days": 365, "instruments": ["motivatie", "levensgebieden"]},
    )
    assert kept.instruments == ["motivatie", "levensgebieden"]
    assert _edits() == 1


def test_the_page_says_which_questionnaires_stay_and_refuses_their_removal(
    consenting, phase, researcher
):
    submit(consenting, phase, researcher)
    browser = _browser(researcher)
    assert "so these stay: motivatie." in browser.get(_url(phase)).content.decode()
    before = _as_stored(phase)
    response = browser.post(_url(phase), CHANGED)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Already answered in this phase, so it cannot be removed" in html
    assert 'href="#id_instruments"' in html  # the summary links to the questionnaires
    assert _as_stored(phase) == before


def test_an_answer_to_a_questionnaire_taken_out_of_the_phase_is_refused(
    consenting, phase, researcher
):
    from alliantiemonitor.research.exceptions import QuestionnaireNotInPhase

    stale = StudyPhase.objects.get(pk=phase.pk)
    study_phase_edit(phase=phase, by=researcher, **{**CHANGED, "timing_days": 365})
    # The caller still holds the phase as it was: the service reads it again.
    with pytest.raises(QuestionnaireNotInPhase):
        submit(consenting, stale, researcher)
