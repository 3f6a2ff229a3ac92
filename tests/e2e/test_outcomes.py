"""Recording an outcome event and ending a trajectory, in a real browser, checked with axe."""

from __future__ import annotations

import pytest

from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.trajectories.models import OutcomeEvent
from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def check(page) -> None:
    assert_accessible(page)
    assert page.locator("h1").count() == 1, page.url
    assert page.console_errors == [], page.console_errors
    assert page.external_requests == [], page.external_requests


def test_record_an_event_then_end_the_trajectory(new_page, live_server, professional, trajectory):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    page = new_page()
    log_in(page, live_server, professional)
    page.goto(f"{live_server.url}/clienten/{trajectory.uuid}/")
    # The timeline is loaded in place.
    timeline = page.locator("#timeline")
    timeline.wait_for()
    assert "Start of the trajectory" in timeline.inner_text()
    check(page)

    page.get_by_role("link", name="Record an event").first.click()
    page.wait_for_url("**/gebeurtenis/")
    check(page)
    # A date in the future is refused, with the error tied to the field.
    page.get_by_label("Formal warning or violation").check()
    page.locator("#id_date").fill("2999-01-01")
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_date[aria-invalid=true]").count() == 1
    check(page)
    page.locator("#id_date").fill(trajectory.start_date.isoformat())
    page.locator("#id_note").fill("Afspraak niet nagekomen")
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_url(f"**/clienten/{trajectory.uuid}/")
    assert "Recorded: Formal warning or violation." in page.locator("main").inner_text()
    page.locator("#timeline").wait_for()
    assert "Afspraak niet nagekomen" in page.locator("#timeline").inner_text()

    page.get_by_role("link", name="End the trajectory").first.click()
    page.wait_for_url("**/afsluiten/")
    text = page.locator("main").inner_text()
    assert "1 round in which nobody has sent answers yet is cancelled." in text
    check(page)
    page.get_by_label("Premature end (positive)").check()
    page.get_by_role("button", name="End the trajectory").click()
    page.wait_for_url(f"**/clienten/{trajectory.uuid}/")
    main = page.locator("main").inner_text()
    assert "The trajectory of K.V. has ended." in main
    assert "no new rounds can start" in main
    assert page.get_by_role("link", name="End the trajectory").count() == 0
    page.locator("#timeline").wait_for()
    assert "End of the trajectory" in page.locator("#timeline").inner_text()
    check(page)

    trajectory.refresh_from_db()
    assert trajectory.status == "ended"
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "cancelled"
    assert sorted(OutcomeEvent.objects.values_list("kind", flat=True)) == [
        "formal_warning",
        "premature_end_positive",
    ]

    page.goto(f"{live_server.url}/verloop/{trajectory.uuid}/")
    assert "Events and the end" in page.locator("main").inner_text()
    check(page)
