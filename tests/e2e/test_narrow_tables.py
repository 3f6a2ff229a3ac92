"""On a 360-pixel phone a wide table scrolls inside its own labelled region; the page itself
never scrolls sideways (the caseload was 900 pixels wide, the trajectory page 418)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def page_width(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_caseload_and_trajectory_tables_scroll_inside_the_page(
    new_page, live_server, professional, trajectory, measurement_round
):
    phone = new_page(locale="nl-NL")
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, live_server, professional)
    for path in ("/clienten/", f"/clienten/{trajectory.uuid}/"):
        phone.goto(f"{live_server.url}{path}")
        assert page_width(phone) <= 360, path
        region = phone.locator("main .am-table-scroll[role=region]").first
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-labelledby")
        assert_accessible(phone)
    assert phone.console_errors == []


def test_home_table_fits_for_an_organisation_admin(new_page, live_server, org_admin):
    phone = new_page(locale="nl-NL")
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, live_server, org_admin)
    phone.goto(f"{live_server.url}/")
    assert page_width(phone) <= 360
    assert_accessible(phone)
