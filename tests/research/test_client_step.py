"""The research question in the client flow: yes, no, later, and what the intro then says."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.services import invitation_create
from alliantiemonitor.research.models import ResearchConsent
from alliantiemonitor.research.services import consent_record, consent_state, study_status_set
from tests.research.conftest import STUDY_INFORMATION

pytestmark = pytest.mark.django_db

NOT_USED = "Your answers are not used for research."


def _client_browser(measurement_round: Any, professional: Any) -> Client:
    # The client pages speak the client's language: English here, so that the wording checked
    # is the source text whatever the Dutch catalogue holds.
    client = measurement_round.trajectory.client
    client.preferred_language = "en"
    client.save(update_fields=["preferred_language"])
    browser = Client()
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    assert browser.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    return browser


def test_without_a_study_the_intro_says_answers_are_not_used(measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    response = browser.get(reverse("client:start"))
    assert response.status_code == 200
    assert NOT_USED in response.content.decode()


def test_an_open_question_comes_before_the_intro(enrolled, measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    response = browser.get(reverse("client:start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("client:research")
    page = browser.get(reverse("client:research")).content.decode()
    assert "A question about research" in page
    assert STUDY_INFORMATION in page
    for button in ('value="yes"', 'value="no"', 'value="later"'):
        assert button in page


def test_yes_is_recorded_as_the_clients_own_answer(enrolled, measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    response = browser.post(
        reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "yes"}
    )
    assert response["Location"] == reverse("client:start")
    consent = ResearchConsent.objects.get()
    assert (consent.given, consent.by_client, consent.mode, consent.recorded_by) == (
        True,
        True,
        "client_flow",
        None,
    )
    intro = browser.get(reverse("client:start")).content.decode()
    assert "You said yes to the study" in intro
    assert "with a code instead of your name" in intro
    assert "tell your professional" in intro
    assert NOT_USED not in intro
    event = AuditEvent.objects.get(action="consent.record")
    assert (event.actor_kind, event.actor) == ("client", None)


def test_no_is_recorded_and_the_intro_says_so(enrolled, measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "no"})
    assert consent_state(enrolled) == "refused"
    intro = browser.get(reverse("client:start"))
    assert intro.status_code == 200
    assert "You said no to the study" in intro.content.decode()


def test_later_records_nothing_and_lets_the_client_go_on(enrolled, measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "later"})
    assert not ResearchConsent.objects.exists()
    intro = browser.get(reverse("client:start"))
    assert intro.status_code == 200
    text = intro.content.decode()
    assert "only if you say yes" in text
    assert "You said yes" not in text
    # The research page sends the client back to the intro: nothing more to ask this round.
    assert browser.get(reverse("client:research"))["Location"] == reverse("client:start")


def test_later_holds_for_this_round_only(enrolled, measurement_round, professional):
    from alliantiemonitor.measurements.services import round_cancel, round_start

    browser = _client_browser(measurement_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "later"})
    round_cancel(round=measurement_round, by=professional)
    next_round = round_start(trajectory=measurement_round.trajectory, by=professional)
    again = _client_browser(next_round, professional)
    assert again.get(reverse("client:start"))["Location"] == reverse("client:research")


def test_an_answer_already_given_is_not_asked_again(enrolled, measurement_round, professional):
    consent_record(enrolled=enrolled, given=True, mode="telephone", by=professional)
    browser = _client_browser(measurement_round, professional)
    assert browser.get(reverse("client:start")).status_code == 200
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "no"})
    assert consent_state(enrolled) == "given"


def test_a_closed_study_asks_nothing(enrolled, measurement_round, professional, researcher):
    study_status_set(study=enrolled.study, by=researcher, status="closed")
    browser = _client_browser(measurement_round, professional)
    response = browser.get(reverse("client:start"))
    assert response.status_code == 200
    assert NOT_USED in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"answer": "yes"},
        {"enrolled": "not-a-uuid", "answer": "yes"},
        {"enrolled": "00000000-0000-0000-0000-000000000000", "answer": "yes"},
        {"answer": "perhaps"},
    ],
)
def test_a_bad_answer_is_refused_and_changes_nothing(
    enrolled, measurement_round, professional, data
):
    browser = _client_browser(measurement_round, professional)
    response = browser.post(reverse("client:research"), data)
    assert response.status_code == 400
    assert "could not be saved" in response.content.decode()
    assert not ResearchConsent.objects.exists()


def test_the_question_is_only_for_a_client_session(enrolled, professional):
    assert Client().get(reverse("client:research")).status_code == 403
    staff = Client()
    staff.force_login(professional)
    assert staff.get(reverse("client:research")).status_code == 403


def test_a_client_cannot_answer_for_another_trajectory(
    enrolled, measurement_round, professional, study, organisation, team
):
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.measurements.services import round_start
    from alliantiemonitor.research.services import trajectory_enrol
    from alliantiemonitor.trajectories.services import trajectory_start
    from tests.factories import ClientFactory

    other = trajectory_start(
        client=ClientFactory(organisation=organisation, display_name="O.T."),
        professional=professional,
        legal_frame="Toezicht",
        start_date=timezone.localdate() - dt.timedelta(days=2),
        team=team,
    )
    trajectory_enrol(study=study, trajectory=other, by=professional)
    browser = _client_browser(round_start(trajectory=other, by=professional), professional)
    response = browser.post(
        reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "yes"}
    )
    assert response.status_code == 400
    assert consent_state(enrolled) == "open"


def test_the_easy_read_intro_says_it_in_a_list(enrolled, professional, client_record):
    from alliantiemonitor.measurements.services import round_start

    client_record.easy_read = True
    client_record.save(update_fields=["easy_read"])
    easy_round = round_start(trajectory=enrolled.trajectory, by=professional)
    browser = _client_browser(easy_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "yes"})
    html = browser.get(reverse("client:start")).content.decode()
    assert '<ul class="am-intro__easy">' in html
    assert "<li>You said yes to the study" in html


# --------------------------------------------------------------------------- phase questionnaires


@pytest.fixture
def baseline(study: Any, researcher: Any) -> Any:
    from alliantiemonitor.research.services import study_phase_add

    return study_phase_add(
        study=study,
        by=researcher,
        kind="nulmeting",
        name="Nulmeting",
        instruments=["motivatie"],
        timing_days=0,
    )


MOTIVATION_FORM = {
    "mot_change": "5",
    "mot_goals": "4",
    "mot_helps": "na",
    "mot_no_effort": "1",
    "mot_must": "2",
    "mot_avoid": "3",
}


def test_after_yes_the_current_phase_questionnaire_comes_next(
    baseline, enrolled, measurement_round, professional, client_record
):
    from alliantiemonitor.research.models import PhaseResponse

    browser = _client_browser(measurement_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "yes"})
    start = browser.get(reverse("client:start"))
    assert start["Location"] == reverse("client:research_questionnaire")
    page = browser.get(reverse("client:research_questionnaire")).content.decode()
    assert "Questions for the study" in page
    assert "I want to change something in my life myself." in page
    assert "Don&#x27;t know / rather not say" in page

    part = f"{baseline.uuid}:motivatie"
    missing = browser.post(reverse("client:research_questionnaire"), {"part": part})
    assert missing.status_code == 400
    assert not PhaseResponse.objects.exists()

    sent = browser.post(reverse("client:research_questionnaire"), {"part": part, **MOTIVATION_FORM})
    assert sent["Location"] == reverse("client:start")
    response = PhaseResponse.objects.get()
    assert response.mode == "online"
    assert response.entered_by is None
    assert response.answers["mot_helps"] is None
    # Answered: the intro comes now, and the page sends the client back to it.
    assert browser.get(reverse("client:start")).status_code == 200
    assert browser.get(reverse("client:research_questionnaire"))["Location"] == reverse(
        "client:start"
    )


def test_later_puts_the_questionnaire_off_for_this_round(
    baseline, enrolled, measurement_round, professional
):
    from alliantiemonitor.research.models import PhaseResponse

    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    browser = _client_browser(measurement_round, professional)
    later = browser.post(
        reverse("client:research_questionnaire"),
        {"part": f"{baseline.uuid}:motivatie", "later": "1"},
    )
    assert later["Location"] == reverse("client:start")
    assert browser.get(reverse("client:start")).status_code == 200
    assert not PhaseResponse.objects.exists()


@pytest.mark.parametrize("answer", ["no", "later"])
def test_without_consent_no_questionnaire_is_asked(
    baseline, enrolled, measurement_round, professional, answer
):
    browser = _client_browser(measurement_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": answer})
    assert browser.get(reverse("client:start")).status_code == 200
    assert browser.get(reverse("client:research_questionnaire"))["Location"] == reverse(
        "client:start"
    )


def test_a_phase_that_has_not_started_asks_nothing_yet(
    study, researcher, enrolled, measurement_round, professional
):
    from alliantiemonitor.research.services import study_phase_add

    study_phase_add(
        study=study,
        by=researcher,
        kind="eindmeting",
        name="Eindmeting",
        instruments=["motivatie"],
        timing_days=365,
    )
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    browser = _client_browser(measurement_round, professional)
    assert browser.get(reverse("client:start")).status_code == 200
