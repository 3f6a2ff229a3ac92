"""The team lead's dashboard in a browser: reached from the start page, a hidden cell, no leaks."""

from __future__ import annotations

import pytest

from tests.dashboards.conftest import make_cohort
from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_team_lead_sees_the_dashboard_with_a_suppressed_cell(
    new_page, live_server, team_lead, organisation, team, professional
):
    rounds = make_cohort(
        organisation=organisation, team=team, professional=professional, done=6, overdue=2
    )
    page = new_page()
    log_in(page, live_server, team_lead)
    page.get_by_role("link", name=f"Dashboard of {team.name}").click()
    page.wait_for_url("**/overzicht/team/**")
    assert page.locator("h1").inner_text() == f"Dashboard of {team.name}"

    table = page.get_by_role("table", name="Rounds opened in this period (number of rounds)")
    header = table.locator("thead th").all_inner_texts()
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    row = dict(zip(header[1:], cells, strict=False))
    assert row["Overdue"] == "hidden"
    assert row["Total"] == "8"
    assert page.get_by_role("img", name="Rounds opened in this period").is_visible()
    body = page.locator("main").inner_text()
    for round_ in rounds:
        assert round_.trajectory.client.display_name not in body
    assert page.console_errors == []
    assert page.external_requests == []
    assert_accessible(page)


def test_charts_and_tables_stay_readable_from_wide_to_narrow(
    new_page, live_server, org_admin, organisation, team, professional
):
    make_cohort(organisation=organisation, team=team, professional=professional, done=6, overdue=2)
    page = new_page()
    log_in(page, live_server, org_admin)
    page.goto(f"{live_server.url}/overzicht/organisatie/{organisation.uuid}/")
    measure = """() => {
      const body = parseFloat(getComputedStyle(document.querySelector('main p')).fontSize);
      const labels = [...document.querySelectorAll('.am-dash__label')]
        .map(e => parseFloat(getComputedStyle(e).fontSize));
      const regions = [...document.querySelectorAll('.am-dash__table')];
      return {
        body, smallest: Math.min(...labels),
        pageWidth: document.documentElement.scrollWidth,
        regionsFit: regions.every(r => r.getBoundingClientRect().right <= innerWidth + 1),
        clipped: regions.filter(r => getComputedStyle(r).overflowX === 'visible'
          && r.scrollWidth > r.clientWidth + 1).length,
        focusable: regions.every(r => r.tabIndex === 0 && r.getAttribute('aria-labelledby')),
      };
    }"""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        seen = page.evaluate(measure)
        # Chart labels at least as large as body text, at the rendered size.
        assert seen["smallest"] >= seen["body"], (width, seen)
        # Nothing sticks out of the page (reflow at 320 px); a wide table scrolls in its region.
        assert seen["pageWidth"] <= width, (width, seen)
        assert seen["regionsFit"], (width, seen)
        assert seen["clipped"] == 0, (width, seen)
        assert seen["focusable"], (width, seen)
    assert page.console_errors == []
    assert_accessible(page)
