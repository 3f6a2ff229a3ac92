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
