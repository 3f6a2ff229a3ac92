"""The telephone entry page: who reaches it, what it shows (study keys, never names), audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.research.models import PhaseResponse
from alliantiemonitor.research.services import consent_record
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _browser(user: Any) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _url(study: Any) -> str:
    return reverse("research:phase_entry", args=[study.uuid])


def _choice(enrolled: Any, phase: Any, **changes: str) -> dict[str, str]:
    return {
        "study_key": enrolled.study_key,
        "part": f"{phase.uuid}:motivatie",
        "mode": "telephone",
        **changes,
    }


ANSWERS = {
    "mot_change": "5",
    "mot_goals": "4",
    "mot_helps": "na",
    "mot_no_effort": "1",
    "mot_must": "2",
    "mot_avoid": "3",
}


def test_the_researcher_finds_the_trajectory_by_study_key_and_types_in_answers(
    study, phase, consenting, researcher, client_record
):
    browser = _browser(researcher)
    start = browser.get(_url(study))
    assert start.status_code == 200
    assert 'for="id_study_key"' in start.content.decode()

    # Typed as read out over the phone: lower case, with spaces.
    spoken = " ".join([consenting.study_key[:4].lower(), consenting.study_key[4:]])
    page = browser.get(_url(study), _choice(consenting, phase, study_key=spoken))
    html = page.content.decode()
    assert page.status_code == 200
    assert client_record.display_name not in html
    assert consenting.study_key in html
    # One fieldset per statement, its text as the legend, every radio labelled.
    assert html.count("<legend") >= 6
    assert "I want to change something in my life myself." in html
    assert 'for="id_mot_change_0"' in html
    viewed = AuditEvent.objects.filter(action=Action.STUDY_TRAJECTORY_VIEW).get()
    assert viewed.detail["study_key"] == consenting.study_key

    saved = browser.post(_url(study), {**_choice(consenting, phase), **ANSWERS})
    assert saved.status_code == 302
    response = PhaseResponse.objects.get()
    assert response.mode == "telephone"
    assert response.entered_by == researcher
    assert response.answers["mot_helps"] is None
    assert response.answers["mot_change"] == 5
    assert AuditEvent.objects.filter(action=Action.PHASE_RESPONSE_SUBMIT).count() == 1

    # Opening it again says it was saved, and a second post changes nothing.
    again = browser.get(_url(study), _choice(consenting, phase))
    assert "They cannot be changed." in again.content.decode()
    twice = browser.post(
        _url(study), {**_choice(consenting, phase), **ANSWERS, "mot_change": "1"}, follow=True
    )
    assert "They cannot be changed." in twice.content.decode()
    assert PhaseResponse.objects.get().answers["mot_change"] == 5


def test_a_missing_answer_is_named_at_its_question_and_nothing_is_saved(
    study, phase, consenting, researcher
):
    answers = {key: value for key, value in ANSWERS.items() if key != "mot_goals"}
    page = _browser(researcher).post(_url(study), {**_choice(consenting, phase), **answers})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'aria-describedby="id_mot_goals_errors"' in html
    assert "Choose an answer, or the last choice if it was not answered." in html
    assert 'href="#id_mot_goals' in html  # the error summary links to the question
    assert not PhaseResponse.objects.exists()


def test_an_answer_off_the_scale_is_refused(study, phase, consenting, researcher):
    page = _browser(researcher).post(
        _url(study), {**_choice(consenting, phase), **ANSWERS, "mot_change": "9"}
    )
    assert page.status_code == 400
    assert "Choose one of the answers." in page.content.decode()
    assert not PhaseResponse.objects.exists()


@pytest.mark.parametrize("consent", [None, False])
def test_a_trajectory_without_consent_cannot_be_found(study, phase, enrolled, researcher, consent):
    if consent is not None:
        consent_record(enrolled=enrolled, given=consent, mode="client_flow")
    page = _browser(researcher).get(_url(study), _choice(enrolled, phase))
    html = page.content.decode()
    assert page.status_code == 400
    assert "No trajectory with standing research consent has this study key" in html
    assert 'id="id_study_key_errors"' in html
    assert 'name="mot_change"' not in html  # no questions shown
    assert not AuditEvent.objects.filter(action=Action.STUDY_TRAJECTORY_VIEW).exists()


def test_a_malformed_key_and_a_foreign_part_are_refused(study, phase, consenting, researcher):
    browser = _browser(researcher)
    bad_key = browser.get(_url(study), _choice(consenting, phase, study_key="ABC"))
    assert bad_key.status_code == 400
    assert "A study key has 12 characters" in bad_key.content.decode()
    bad_part = browser.get(_url(study), _choice(consenting, phase, part=f"{phase.uuid}:standaard"))
    assert bad_part.status_code == 400
    assert "Choose a phase and questionnaire from the list." in bad_part.content.decode()


def test_the_page_exists_only_for_the_study_researchers(
    study, phase, consenting, professional, outsider, organisation
):
    other_researcher = UserFactory(username="onderzoeker.ander")
    MembershipFactory(user=other_researcher, organisation=organisation, role="researcher")
    for user in (professional, outsider, other_researcher):
        browser = _browser(user)
        assert browser.get(_url(study)).status_code in {403, 404}
        posted = browser.post(_url(study), {**_choice(consenting, phase), **ANSWERS})
        assert posted.status_code in {403, 404}
    anonymous = Client().get(_url(study))
    assert anonymous.status_code == 302
    assert not PhaseResponse.objects.exists()


def test_the_phase_form_offers_only_plain_questionnaires(study, researcher):
    html = _browser(researcher).get(reverse("research:phase_add", args=[study.uuid])).content
    text = html.decode()
    assert 'value="motivatie"' in text
    assert 'value="levensgebieden"' in text
    assert 'value="standaard"' not in text
