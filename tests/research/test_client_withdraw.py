"""The client stops taking part in a study themselves, in the client flow."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.research.dataset import study_table
from alliantiemonitor.research.models import ResearchConsent
from alliantiemonitor.research.services import consent_record, consent_state, study_status_set
from tests.factories import answer_round
from tests.research.conftest import enrol_client, rounds_of_trust

pytestmark = pytest.mark.django_db

WITHDRAW = reverse("client:research_withdraw")
STOP_LINK = "I no longer want to take part in this study"


def _client_browser(measurement_round: Any, professional: Any, **kwargs: Any) -> Client:
    # English, so that the wording checked is the source text whatever the catalogue holds.
    client = measurement_round.trajectory.client
    client.preferred_language = "en"
    client.save(update_fields=["preferred_language"])
    browser = Client(**kwargs)
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    assert browser.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    return browser


def _link(enrolled: Any) -> str:
    return f"{WITHDRAW}?enrolled={enrolled.uuid}"


def test_the_intro_of_a_consenting_client_links_to_stopping(
    consenting, measurement_round, professional
):
    browser = _client_browser(measurement_round, professional)
    intro = browser.get(reverse("client:start")).content.decode()
    assert STOP_LINK in intro
    assert f'href="{WITHDRAW}?enrolled={consenting.uuid}"' in intro


@pytest.mark.parametrize("answer", [None, False])
def test_without_a_standing_yes_there_is_no_link(enrolled, measurement_round, professional, answer):
    if answer is not None:
        consent_record(enrolled=enrolled, given=answer, mode="client_flow")
    browser = _client_browser(measurement_round, professional)
    browser.post(reverse("client:research"), {"enrolled": str(enrolled.uuid), "answer": "later"})
    intro = browser.get(reverse("client:start"))
    assert intro.status_code == 200
    assert STOP_LINK not in intro.content.decode()
    # Nothing to stop: the confirm page sends the client back.
    assert browser.get(_link(enrolled))["Location"] == reverse("client:start")


def test_the_confirm_page_says_what_stopping_means_and_changes_nothing(
    consenting, measurement_round, professional
):
    browser = _client_browser(measurement_round, professional)
    page = browser.get(_link(consenting))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop taking part in the study?" in html
    assert consenting.study.name in html
    assert "Your guidance goes on as before." in html
    assert "From now on, nothing of yours goes to the researchers." in html
    assert "Files the researchers make from now on leave you out." in html
    assert "Tell your professional." in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'href="{reverse("client:start")}"' in html  # "No, go back"
    assert consent_state(consenting) == "given"
    assert AuditEvent.objects.filter(
        action="client_page.view", detail__page="research_withdraw"
    ).exists()


def test_stopping_is_recorded_as_the_clients_own_and_audited(
    consenting, measurement_round, professional
):
    browser = _client_browser(measurement_round, professional)
    response = browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    assert response["Location"] == reverse("client:start")
    consent = ResearchConsent.objects.get()
    assert consent.withdrawn_at is not None
    assert (consent.withdrawn_by, consent.withdrawn_by_client) == (None, True)
    assert consent_state(consenting) == "withdrawn"
    event = AuditEvent.objects.get(action="consent.withdraw")
    assert (event.actor_kind, event.actor, event.detail["by_client"]) == ("client", None, True)
    intro = browser.get(reverse("client:start")).content.decode()
    assert "You no longer take part in the study" in intro  # the confirmation message
    assert "You stopped taking part in the study" in intro
    assert STOP_LINK not in intro


def test_a_second_post_changes_nothing_more(consenting, measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    first = ResearchConsent.objects.values_list("withdrawn_at", flat=True).get()
    again = browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    assert again["Location"] == reverse("client:start")
    assert ResearchConsent.objects.values_list("withdrawn_at", flat=True).get() == first
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1
    # A stale confirm link now sends the client back too.
    assert browser.get(_link(consenting))["Location"] == reverse("client:start")


def test_the_post_needs_the_csrf_token(consenting, measurement_round, professional):
    browser = _client_browser(measurement_round, professional, enforce_csrf_checks=True)
    response = browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    assert response.status_code == 403
    assert consent_state(consenting) == "given"


def test_a_client_of_another_trajectory_cannot_stop_someone_else(
    consenting, study, professional, team
):
    other = enrol_client(study, professional, team, name="O.T.")
    browser = _client_browser(
        round_start(trajectory=other.trajectory, by=professional), professional
    )
    assert browser.get(_link(consenting)).status_code == 404
    assert browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)}).status_code == 404
    assert consent_state(consenting) == "given"
    assert consent_state(other) == "given"


def test_another_round_of_the_same_client_reaches_only_its_own_trajectory(
    consenting, study, trajectory, professional, team
):
    from tests.research.conftest import second_trajectory

    second = second_trajectory(study, trajectory, professional, team)
    consent_record(enrolled=second, given=True, mode="client_flow")
    browser = _client_browser(
        round_start(trajectory=second.trajectory, by=professional), professional
    )
    assert browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)}).status_code == 404
    assert consent_state(consenting) == "given"


@pytest.mark.parametrize(
    "query",
    ["", "?enrolled=", "?enrolled=not-a-uuid", "?enrolled=00000000-0000-0000-0000-000000000000"],
)
def test_a_link_without_an_own_study_is_not_found(
    consenting, measurement_round, professional, query
):
    browser = _client_browser(measurement_round, professional)
    assert browser.get(f"{WITHDRAW}{query}").status_code == 404
    assert consent_state(consenting) == "given"


def test_without_a_client_session_nothing_is_withdrawn(consenting, professional):
    assert Client().post(WITHDRAW, {"enrolled": str(consenting.uuid)}).status_code == 403
    staff = Client()
    staff.force_login(professional)
    assert staff.post(WITHDRAW, {"enrolled": str(consenting.uuid)}).status_code == 403
    assert consent_state(consenting) == "given"


def test_a_closed_study_can_still_be_left(consenting, measurement_round, professional, researcher):
    study_status_set(study=consenting.study, by=researcher, status="closed")
    browser = _client_browser(measurement_round, professional)
    assert browser.get(_link(consenting)).status_code == 200
    browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    assert consent_state(consenting) == "withdrawn"


def test_the_easy_read_intro_and_confirm_page(consenting, professional, client_record):
    client_record.easy_read = True
    client_record.save(update_fields=["easy_read"])
    easy_round = round_start(trajectory=consenting.trajectory, by=professional)
    browser = _client_browser(easy_round, professional)
    intro = browser.get(reverse("client:start")).content.decode()
    assert '<ul class="am-intro__easy">' in intro
    assert STOP_LINK in intro
    page = browser.get(_link(consenting)).content.decode()
    assert '<ul class="am-intro__easy">' in page
    browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    assert consent_state(consenting) == "withdrawn"


def test_the_thank_you_page_offers_stopping_too(consenting, measurement_round, professional):
    browser = _client_browser(measurement_round, professional)
    answer_round(measurement_round, "client")
    done = browser.get(reverse("client:done"))
    assert done.status_code == 200
    assert STOP_LINK in done.content.decode()
    back = browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    # Back into the flow: the intro of a sent round is the thank-you page.
    assert browser.get(back["Location"])["Location"] == reverse("client:done")
    done = browser.get(reverse("client:done")).content.decode()
    assert "You no longer take part in the study" in done
    assert STOP_LINK not in done


def test_the_professional_sees_the_withdrawal_by_the_client(
    consenting, measurement_round, professional, trajectory
):
    browser = _client_browser(measurement_round, professional)
    browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(professional)
    box = staff.get(reverse("research:trajectory", args=[trajectory.uuid])).content.decode()
    assert "withdrawn" in box
    assert "by the client in the questionnaire" in box


def test_a_withdrawal_recorded_by_the_professional_says_so(consenting, professional, trajectory):
    from alliantiemonitor.research.services import consent_withdraw

    consent_withdraw(enrolled=consenting, by=professional)
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(professional)
    box = staff.get(reverse("research:trajectory", args=[trajectory.uuid])).content.decode()
    assert "recorded by a professional" in box
    assert "by the client" not in box


def test_a_client_who_stopped_leaves_later_exports(study, professional, team):
    stays = enrol_client(study, professional, team, name="Anna Ja")
    leaves = enrol_client(study, professional, team, name="Bert Stopt")
    rounds_of_trust(stays.trajectory, professional, [4, 5])
    rounds_of_trust(leaves.trajectory, professional, [2, 3])
    before = set(study_table(study)["client_id"])
    assert str(leaves.trajectory.client.uuid) in before

    browser = _client_browser(
        round_start(trajectory=leaves.trajectory, by=professional), professional
    )
    browser.post(WITHDRAW, {"enrolled": str(leaves.uuid)})
    assert set(study_table(study)["client_id"]) == {str(stays.trajectory.client.uuid)}


def test_the_results_page_after_the_conversation_offers_stopping_too(
    consenting, measurement_round, professional
):
    """A client whose link now opens the discussed results can still stop from there."""
    from tests.measurements.test_read_back import discuss

    browser = _client_browser(measurement_round, professional)
    answer_round(measurement_round, "client")
    discuss(measurement_round, professional)
    results = browser.get(reverse("client:results"))
    assert results.status_code == 200
    assert _link(consenting) in results.content.decode()
    back = browser.post(WITHDRAW, {"enrolled": str(consenting.uuid)})
    assert back.status_code == 302
    assert consent_state(consenting) == "withdrawn"
    results = browser.get(reverse("client:results")).content.decode()
    assert _link(consenting) not in results
