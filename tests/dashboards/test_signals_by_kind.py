"""Open warning signals by kind on the dashboards: counted per team, suppressed, exported."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from alliantiemonitor.core.suppression import derivable
from alliantiemonitor.dashboards.presenting import present
from alliantiemonitor.dashboards.team import Period, organisation_dashboard
from alliantiemonitor.monitoring.constants import SignalKind
from alliantiemonitor.monitoring.models import Signal
from tests.dashboards.conftest import make_cohort

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


def _raise(round_, kind, *, characteristic="", rater="", raised_at=None, resolved_at=None):
    return Signal.objects.create(
        trajectory=round_.trajectory,
        round=round_,
        kind=kind,
        characteristic=characteristic,
        rater=rater,
        raised_at=raised_at or timezone.now(),
        resolved_at=resolved_at,
    )


def _signals(dashboard, rows, *, with_total):
    return next(t for t in present(dashboard, rows, with_total=with_total) if t.key == "signals")


def _row_of(dashboard, team):
    return next(i for i, g in enumerate(dashboard.groups) if g.team == team)


@pytest.fixture
def noord(organisation, team, professional):
    """Team Noord: 8 trajectories; 6 with a deterioration signal, 2 with a friction signal."""
    rounds = make_cohort(
        organisation=organisation, team=team, professional=professional, done=8, overdue=0
    )
    for round_ in rounds[:6]:
        _raise(round_, SignalKind.DETERIORATION, characteristic="trust", rater="client")
    for round_ in rounds[6:]:
        _raise(round_, SignalKind.FRICTION, characteristic="friction", rater="client")
    return rounds


@pytest.fixture
def zuid(organisation, other_team, professional):
    """Team Zuid: 7 trajectories, each with a deterioration and a not-discussed signal."""
    rounds = make_cohort(
        organisation=organisation, team=other_team, professional=professional, done=7, overdue=0
    )
    for round_ in rounds:
        _raise(round_, SignalKind.DETERIORATION, characteristic="bond", rater="professional")
        _raise(round_, SignalKind.NOT_DISCUSSED)
    return rounds


def test_open_signals_are_counted_per_kind_and_team(organisation, team, other_team, noord, zuid):
    dashboard = organisation_dashboard(organisation, Period.of(noord[0].opened_at.date()))
    table = next(t for t in dashboard.tables if t.key == "signals").result.table
    kinds = [kind.value for kind in SignalKind]
    zuid_row = table.cells[_row_of(dashboard, other_team)]
    assert zuid_row[kinds.index("deterioration")].value == 7
    assert zuid_row[kinds.index("not_discussed")].value == 7
    assert zuid_row[kinds.index("deterioration")].clients == 7
    assert table.row_totals[_row_of(dashboard, other_team)].value == 14
    # Two signals of one client count twice, but the client once.
    assert table.row_totals[_row_of(dashboard, other_team)].clients == 7
    assert table.total.value == 22
    assert table.total.clients == 15


def test_only_signals_open_at_the_end_of_the_quarter_count(organisation, team, professional):
    rounds = make_cohort(
        organisation=organisation, team=team, professional=professional, done=6, overdue=0
    )
    period = Period.of(rounds[0].opened_at.date())
    end = dt.datetime.combine(period.next().start, dt.time.min, tzinfo=dt.UTC)
    for round_ in rounds:
        _raise(round_, SignalKind.FRICTION, characteristic="friction", rater="client")
        # Resolved before the quarter ended: not open at its end.
        _raise(round_, SignalKind.DISAGREEMENT, resolved_at=timezone.now())
        # Raised after the quarter ended: not yet open at its end.
        _raise(round_, SignalKind.NOT_DISCUSSED, raised_at=end + dt.timedelta(days=1))
    dashboard = organisation_dashboard(organisation, period)
    table = next(t for t in dashboard.tables if t.key == "signals").result.table
    assert table.total.value == 6
    kinds = [kind.value for kind in SignalKind]
    assert table.column_totals[kinds.index("friction")].value == 6


def test_team_lead_sees_the_small_kind_hidden_and_cannot_subtract_it(team_lead, team, noord):
    response = _browser(team_lead).get(reverse("dashboards:team", args=[team.uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Open warning signals by kind" in body
    assert "not counted here yet" not in body
    dashboard = response.context["dashboard"]
    signals = _signals(dashboard, [_row_of(dashboard, team)], with_total=False)
    row = signals.rows[0]
    cells = dict(zip(signals.columns, row.cells, strict=True))
    assert cells["Friction"].value is None  # 2 clients
    assert row.total.value == 8
    # The row total minus the visible kinds would give the 2 back: a partner is hidden.
    assert cells["Deterioration"].value is None
    visible = [cell.value for cell in row.cells if cell.value is not None]
    assert row.total.value - sum(visible) == 8


def test_no_difference_of_totals_isolates_a_hidden_signal_count(
    organisation, team, other_team, noord, zuid
):
    dashboard = organisation_dashboard(organisation, Period.of(noord[0].opened_at.date()))
    result = next(t for t in dashboard.tables if t.key == "signals").result
    # Nothing hidden follows from the published equations (totals minus visible parts).
    assert derivable(result.table, result.hidden) == []
    signals = _signals(dashboard, range(len(dashboard.groups)), with_total=True)
    friction = signals.columns.index("Friction")
    noord_row = next(r for r in signals.rows if r.label == team.name)
    total = signals.rows[-1]
    assert noord_row.cells[friction].value is None
    # The organisation's friction total minus the other groups' cells.
    others = [r.cells[friction].value for r in signals.rows[:-1] if r is not noord_row]
    col_total = total.cells[friction].value
    assert col_total is None or None in others or col_total - sum(others) != 2
    # The grand total minus the other teams' totals gives Noord's total (8), never the 2.
    assert total.total.value is None or noord_row.total.value is not None


def test_signals_are_hidden_where_the_teams_trajectories_are(
    organisation, team, professional, other_team
):
    rounds = make_cohort(
        organisation=organisation, team=team, professional=professional, done=3, overdue=0
    )
    for round_ in rounds:
        _raise(round_, SignalKind.FRICTION, characteristic="friction", rater="client")
    dashboard = organisation_dashboard(organisation, Period.of(rounds[0].opened_at.date()))
    row = _row_of(dashboard, team)
    assert dashboard.tables[0].result.is_hidden((row, None))
    signals = next(t for t in dashboard.tables if t.key == "signals").result
    assert signals.is_hidden((row, None))
    assert signals.is_hidden((None, None))


def test_csv_has_the_signal_lines_with_hidden_values_empty(team_lead, team, noord):
    response = _browser(team_lead).get(reverse("dashboards:team_csv", args=[team.uuid]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    signals = {r[3]: r for r in rows[1:] if r[1] == "Open warning signals by kind"}
    assert set(signals) == {kind.label for kind in SignalKind} | {"total"}
    assert signals["Friction"][4] == ""
    assert "fewer than 5" in signals["Friction"][5]
    assert signals["Deterioration"][4] == ""
    assert signals["total"][4] == "8"
    assert signals["Stopped responding"][4] == "0"


def test_signals_add_a_constant_number_of_queries(
    organisation, team, professional, django_assert_max_num_queries
):
    first = make_cohort(
        organisation=organisation, team=team, professional=professional, done=5, overdue=0
    )
    for round_ in first:
        _raise(round_, SignalKind.FRICTION, characteristic="friction", rater="client")
    period = Period.of(first[0].opened_at.date())
    with django_assert_max_num_queries(29) as few:
        organisation_dashboard(organisation, period)
    more = make_cohort(
        organisation=organisation, team=team, professional=professional, done=10, overdue=0
    )
    for round_ in more:
        _raise(round_, SignalKind.DETERIORATION, characteristic="trust", rater="client")
        _raise(round_, SignalKind.NOT_DISCUSSED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard = organisation_dashboard(organisation, period)
    assert next(t for t in dashboard.tables if t.key == "signals").result.table.total.value == 25
