"""The caseload's pages in a browser: no WCAG violations, and turned with the keyboard only."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import AssignmentFactory, ClientFactory, TrajectoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_pager_is_accessible_and_works_with_the_keyboard(
    page, live_server, organisation, professional
):
    for n in range(55):
        trajectory = TrajectoryFactory(
            client=ClientFactory(organisation=organisation, display_name=f"P{n:03d}")
        )
        AssignmentFactory(trajectory=trajectory, professional=professional)
    log_in(page, live_server, professional)
    page.goto(f"{live_server.url}/clienten/?state=no_round")
    pager = page.locator("nav.am-pages")
    assert pager.get_attribute("aria-label")
    assert pager.locator('[aria-current="page"]').inner_text().endswith("1")
    assert_accessible(page)
    # Tab until the link to the next page has focus, then Enter: page 2, the filter kept.
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('rel')") == "next":
            break
    else:
        pytest.fail("the link to the next page cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clienten/?state=no_round&page=2")
    assert page.locator("tbody tr").count() == 5
    assert page.locator('nav.am-pages [aria-current="page"]').inner_text().endswith("2")
    assert_accessible(page)
