"""A client stops taking part in a study by keyboard alone, each page checked with axe."""

from __future__ import annotations

import pytest

from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.research.models import ResearchConsent
from alliantiemonitor.research.services import (
    consent_record,
    study_create,
    study_enrol,
    study_enrolment_agree,
    study_status_set,
    trajectory_enrol,
)
from tests.e2e.test_monitor_flow import check

pytestmark = pytest.mark.django_db(transaction=True)


def _tab_to(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focus is on the link or button named ``name``, as a person would."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} is not reachable by keyboard on {page.url}")


def test_the_client_stops_by_keyboard_and_the_intro_says_so(
    new_page, live_server, researcher, org_admin, professional, trajectory
):
    study = study_create(
        by=researcher, name="Alliantie in toezicht", information_text="Uitleg voor cliënten."
    )
    study_status_set(study=study, by=researcher, status="active")
    study_enrolment_agree(
        enrolment=study_enrol(study=study, by=researcher, organisation=trajectory.organisation),
        by=org_admin,
    )
    enrolled = trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)

    # The client's own language is Dutch, the product's default: the words of the brief.
    page = new_page(locale="nl-NL", phone=True)
    page.goto(f"{live_server.url}/m/{secret}/")
    page.wait_for_url("**/m/start/")
    check(page)
    _tab_to(page, "Ik wil niet meer meedoen aan dit onderzoek")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    check(page)
    assert page.locator("h1").inner_text() == "Stoppen met het onderzoek?"
    assert not ResearchConsent.objects.get().withdrawn_at  # seeing the page changes nothing

    _tab_to(page, "Ja, ik wil stoppen")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    page.wait_for_url("**/m/start/")
    check(page)
    assert "Je doet niet meer mee aan het onderzoek" in page.locator("main").inner_text()
    consent = ResearchConsent.objects.get()
    assert consent.withdrawn_at is not None
    assert (consent.withdrawn_by, consent.withdrawn_by_client) == (None, True)
