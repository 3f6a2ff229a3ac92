"""The team and organisation dashboards: who sees what, and what stays hidden."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.dashboards.presenting import present
from alliantiemonitor.dashboards.team import Period, organisation_dashboard, parse_period
from tests.dashboards.conftest import make_cohort
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The read model's labels follow the active language; another test may have left Dutch."""
    with translation.override("en"):
        yield


def _browser(user) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _rounds_row(dashboard, team):
    row = next(i for i, g in enumerate(dashboard.groups) if g.team == team)
    rounds = next(t for t in present(dashboard, [row], with_total=False) if t.key == "rounds")
    return dict(zip(rounds.columns, rounds.rows[0].cells, strict=True)), rounds.rows[0]


def test_team_lead_sees_own_team_with_the_overdue_pair_hidden(team_lead, team, cohort):
    response = _browser(team_lead).get(reverse("dashboards:team", args=[team.uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "hidden" in body
    assert 'role="img"' in body
    for trajectory in {r.trajectory for r in cohort}:
        assert trajectory.client.display_name not in body
    dashboard = response.context["dashboard"]
    cells, row = _rounds_row(dashboard, team)
    assert row.total.value == 8
    assert cells["Overdue"].value is None
    # Total minus the visible parts would give the 2 back: a partner is hidden as well.
    assert cells["Both done, not yet discussed"].value is None
    assert AuditEvent.objects.filter(action="dashboard.team.view", actor=team_lead).exists()


def test_csv_leaves_the_hidden_cells_empty(team_lead, team, cohort):
    response = _browser(team_lead).get(reverse("dashboards:team_csv", args=[team.uuid]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    rounds = {r[3]: r for r in rows[1:] if r[1] == "Rounds opened in this period"}
    assert rounds["Overdue"][4] == ""
    assert "fewer than 5" in rounds["Overdue"][5]
    assert rounds["total"][4] == "8"
    # The hidden number appears nowhere in the rounds lines, not even as a difference.
    shown = [int(r[4]) for r in rounds.values() if r[4] and r[3] != "total"]
    assert 8 - sum(shown) != 2 or len(shown) == 0


def test_no_route_on_the_pages_recovers_the_hidden_overdue_count(
    team_lead, org_admin, organisation, team, other_team, professional, cohort
):
    """Try every route the pages offer: team page, organisation page, CSVs, other quarters."""
    make_cohort(
        organisation=organisation, team=other_team, professional=professional, done=7, overdue=0
    )
    dashboard = organisation_dashboard(organisation, Period.of(cohort[0].opened_at.date()))
    rows = range(len(dashboard.groups))
    tables = {t.key: t for t in present(dashboard, rows, with_total=True)}
    rounds = tables["rounds"]
    noord = next(r for r in rounds.rows if r.label == team.name)
    zuid = next(r for r in rounds.rows if r.label == other_team.name)
    total = rounds.rows[-1]
    overdue = rounds.columns.index("Overdue")
    assert noord.cells[overdue].value is None
    # Route 1: the team's total minus its visible cells.
    visible = [c.value for c in noord.cells if c.value is not None]
    candidates = {noord.total.value - sum(visible)} if noord.total.value is not None else set()
    # Route 2: the organisation's column total minus the other teams' cells.
    col_total = total.cells[overdue].value
    others = [r.cells[overdue].value for r in rounds.rows[:-1] if r is not noord]
    if col_total is not None and all(v is not None for v in others):
        candidates.add(col_total - sum(others))
    # Route 3: the other team's page is the same suppressed table, cut (no new figures).
    assert zuid.cells[overdue].value in (0, None)
    # Every derivable quantity is either a sum with a hidden partner (≥ 5 clients) or absent.
    assert 2 not in candidates


def test_team_lead_of_another_team_gets_404(team, other_team, organisation, cohort):
    lead = UserFactory(username="teamleider.zuid")
    MembershipFactory(user=lead, organisation=organisation, role="team_lead", teams=[other_team])
    browser = _browser(lead)
    assert browser.get(reverse("dashboards:team", args=[team.uuid])).status_code == 404
    assert browser.get(reverse("dashboards:team_csv", args=[team.uuid])).status_code == 404
    assert browser.get(reverse("dashboards:team", args=[other_team.uuid])).status_code == 200
    assert (
        browser.get(reverse("dashboards:organisation", args=[organisation.uuid])).status_code == 404
    )


@pytest.mark.parametrize("persona", ["professional", "researcher", "outsider", "colleague"])
def test_other_roles_get_404(request, persona, team, organisation):
    user = request.getfixturevalue(persona)
    browser = _browser(user)
    for url in (
        reverse("dashboards:team", args=[team.uuid]),
        reverse("dashboards:team_csv", args=[team.uuid]),
        reverse("dashboards:organisation", args=[organisation.uuid]),
        reverse("dashboards:organisation_csv", args=[organisation.uuid]),
    ):
        assert browser.get(url).status_code == 404, (persona, url)


def test_anonymous_is_sent_to_login(team):
    response = Client().get(reverse("dashboards:team", args=[team.uuid]))
    assert response.status_code == 302


def test_team_lead_cannot_open_the_organisation_dashboard(team_lead, organisation):
    url = reverse("dashboards:organisation", args=[organisation.uuid])
    assert _browser(team_lead).get(url).status_code == 404


def test_org_admin_sees_the_organisation_and_every_team(org_admin, organisation, team, cohort):
    browser = _browser(org_admin)
    response = browser.get(reverse("dashboards:organisation", args=[organisation.uuid]))
    assert response.status_code == 200
    assert "Whole organisation" in response.content.decode()
    assert browser.get(reverse("dashboards:team", args=[team.uuid])).status_code == 200
    csv_response = browser.get(reverse("dashboards:organisation_csv", args=[organisation.uuid]))
    assert csv_response.status_code == 200
    assert (
        AuditEvent.objects.filter(
            action="dashboard.organisation.view", organisation=organisation
        ).count()
        == 2
    )


def test_free_periods_are_refused(team_lead, team):
    browser = _browser(team_lead)
    url = reverse("dashboards:team", args=[team.uuid])
    assert browser.get(url, {"period": "2020-01-01"}).status_code == 400
    assert browser.get(url, {"period": "1999-Q1"}).status_code == 400


def test_periods_are_whole_disjoint_quarters():
    import datetime as dt

    today = dt.date(2025, 8, 14)
    assert parse_period(None, today) == Period(2025, 3)
    assert parse_period("2025-Q1", today) == Period(2025, 1)
    assert Period(2025, 1).end == dt.date(2025, 3, 31)
    assert Period(2024, 4).next() == Period(2025, 1)
    assert Period(2025, 1).previous() == Period(2024, 4)


def _count_queries(django_assert_max_num_queries, organisation, period, n):
    with django_assert_max_num_queries(n):
        dashboard = organisation_dashboard(organisation, period)
    return dashboard


def test_query_count_does_not_grow_with_trajectories(
    organisation, team, professional, django_assert_max_num_queries
):
    first = make_cohort(
        organisation=organisation, team=team, professional=professional, done=3, overdue=1
    )
    period = Period.of(first[0].opened_at.date())
    _count_queries(django_assert_max_num_queries, organisation, period, 25)
    make_cohort(organisation=organisation, team=team, professional=professional, done=9, overdue=3)
    dashboard = _count_queries(django_assert_max_num_queries, organisation, period, 25)
    assert dashboard.tables[0].result.table.total.value == 16


def test_home_leads_team_lead_and_admin_to_their_dashboards(team_lead, org_admin, team):
    body = _browser(team_lead).get(reverse("home")).content.decode()
    assert reverse("dashboards:team", args=[team.uuid]) in body
    body = _browser(org_admin).get(reverse("home")).content.decode()
    assert reverse("dashboards:organisation", args=[team.organisation.uuid]) in body
