"""The read model of the team and organisation dashboards: aggregates only, suppressed.

Everything is counted for one **period**, a whole calendar quarter, and rests on the rounds
opened in it (the cohort): the trajectories of those rounds, the rounds by how far they got,
the scores of their submitted responses, the course pattern of their trajectories up to the
end of the quarter, the warning signals of those trajectories open at the end of the quarter
and the evaluations of their conversations. Periods are disjoint on
purpose: two overlapping periods (say January–June and January–July) would differ by the few
clients of their difference, and subtracting the figures would show those clients' figures.

The figures are computed for the whole organisation, one row per team (plus "no team"), and
suppressed once, together (:mod:`alliantiemonitor.core.suppression`). A team lead's page cuts
its team's rows out of that one result, so every viewer sees the same cells hidden and no two
pages can be subtracted to reveal a hidden cell. The counts come from ``GROUP BY`` queries;
the number of queries does not grow with the number of trajectories.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.conversations.constants import Party, Usefulness
from alliantiemonitor.conversations.models import Evaluation
from alliantiemonitor.core.change import Pattern
from alliantiemonitor.core.patterns import Series as PatternSeries
from alliantiemonitor.core.patterns import course_patterns
from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.core.suppression import Cell, Suppressed, Table, suppress, suppress_tables
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements.constants import COLLECTING_STATES, Rater, RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response, ResponseScore
from alliantiemonitor.monitoring.constants import SignalKind
from alliantiemonitor.monitoring.models import Signal, organisation_signal_settings
from alliantiemonitor.organisations.models import Organisation, Team

# --- the period ----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """One calendar quarter."""

    year: int
    quarter: int

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Period:
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.year}"


_PERIOD_KEY = re.compile(r"^(\d{4})-Q([1-4])$")
#: How many quarters back the period menu reaches.
PERIODS_OFFERED = 8


def periods_offered(today: dt.date) -> list[Period]:
    """The quarters one may choose, newest first: the current one and the ones before it."""
    periods = [Period.of(today)]
    while len(periods) < PERIODS_OFFERED:
        periods.append(periods[-1].previous())
    return periods


def parse_period(value: str | None, today: dt.date) -> Period | None:
    """The quarter named ``value`` (``2025-Q3``); the current one when empty; ``None`` if invalid.

    Only whole quarters from the menu exist: a period of free dates is refused (see the module
    docstring for why).
    """
    if not value:
        return Period.of(today)
    match = _PERIOD_KEY.match(value)
    if match is None:
        return None
    period = Period(int(match.group(1)), int(match.group(2)))
    return period if period in periods_offered(today) else None


# --- the tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A row of every table: one team, or the trajectories without a team."""

    key: str
    label: str
    team: Team | None


@dataclass
class FigureTable:
    """One suppressed table of the dashboard, with the labels to show it."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    #: What one count is (trajectories, rounds, responses, evaluations).
    unit: str
    result: Suppressed
    #: Per row (and ``None`` for the total): the mean score when the row total is shown.
    means: dict[int | None, float] = field(default_factory=dict)


@dataclass
class Dashboard:
    organisation: Organisation
    period: Period
    groups: list[Group]
    tables: list[FigureTable]


class _Counter:
    """Counts and distinct clients per (row, column), per row, per column and in total."""

    def __init__(self, n_rows: int, columns: Sequence[str]) -> None:
        self.n_rows = n_rows
        self.columns = list(columns)
        self.values: dict[tuple[int | None, int | None], int] = defaultdict(int)
        self.clients: dict[tuple[int | None, int | None], set[int]] = defaultdict(set)

    def add(self, row: int, column: str | None, client: int, n: int = 1) -> None:
        c = self.columns.index(column) if column is not None else None
        keys: list[tuple[int | None, int | None]] = [(row, None), (None, None)]
        if c is not None:
            keys += [(row, c), (None, c)]
        for key in keys:
            self.values[key] += n
            self.clients[key].add(client)

    def table(self) -> Table:
        def cell(key: tuple[int | None, int | None]) -> Cell:
            return Cell(self.values[key], len(self.clients[key]))

        return Table(
            cells=[[cell((r, c)) for c in range(len(self.columns))] for r in range(self.n_rows)],
            row_totals=[cell((r, None)) for r in range(self.n_rows)],
            column_totals=[cell((None, c)) for c in range(len(self.columns))],
            total=cell((None, None)),
        )


def _table_from_groups(
    qs: QuerySet[Any],
    *,
    row_of: dict[int | None, int],
    n_rows: int,
    team_field: str,
    client_field: str,
    columns: Sequence[str],
    column_expr: Any = None,
    count: Any = None,
) -> Table:
    """Build a table with four ``GROUP BY`` queries: per cell, per row, per column, in total.

    Distinct clients cannot be added up from the cells (one client may sit in two cells), so
    every level is counted in the database.
    """
    count = count if count is not None else Count("pk")
    clients = Count(client_field, distinct=True)
    if column_expr is not None:
        qs = qs.annotate(column=column_expr)
    values: dict[tuple[int | None, int | None], Cell] = {}
    index = {name: i for i, name in enumerate(columns)}
    if columns:
        for row in qs.values(team_field, "column").annotate(n=count, c=clients).order_by():
            values[(row_of[row[team_field]], index[row["column"]])] = Cell(row["n"], row["c"])
        for row in qs.values("column").annotate(n=count, c=clients).order_by():
            values[(None, index[row["column"]])] = Cell(row["n"], row["c"])
    for row in qs.values(team_field).annotate(n=count, c=clients).order_by():
        values[(row_of[row[team_field]], None)] = Cell(row["n"], row["c"])
    total = qs.aggregate(n=count, c=clients)
    values[(None, None)] = Cell(total["n"] or 0, total["c"] or 0)
    empty = Cell(0, 0)
    return Table(
        cells=[[values.get((r, c), empty) for c in range(len(columns))] for r in range(n_rows)],
        row_totals=[values.get((r, None), empty) for r in range(n_rows)],
        column_totals=[values.get((None, c), empty) for c in range(len(columns))],
        total=values[(None, None)],
    )


# --- what the figures are ------------------------------------------------------------------

ROUND_COLUMNS = [
    ("discussed", _("Discussed")),
    ("done", _("Both done, not yet discussed")),
    ("overdue", _("Overdue")),
    ("in_progress", _("Being filled in")),
    ("not_completed", _("Expired or cancelled")),
]

#: Score bands: a score s falls in band k when k ≤ s < k + 1; 5 belongs to the last band.
SCORE_BANDS = [("1", "1–2"), ("2", "2–3"), ("3", "3–4"), ("4", "4–5")]

#: The labels of :mod:`alliantiemonitor.core.patterns` (it gives no "fluctuating").
PATTERN_COLUMNS = [
    (Pattern.STABLE.value, _("No clear change")),
    (Pattern.IMPROVING.value, _("Improving")),
    (Pattern.DETERIORATING.value, _("Deteriorating")),
    (Pattern.INSUFFICIENT.value, _("Too few rounds")),
]

USEFUL_COLUMNS = [(choice.value, choice.label) for choice in Usefulness]

SIGNAL_COLUMNS = [(kind.value, kind.label) for kind in SignalKind]


def _round_category(today: dt.date) -> Case:
    collecting = sorted(COLLECTING_STATES)
    return Case(
        When(state__in=[RoundState.DISCUSSED, RoundState.CLOSED], then=Value("discussed")),
        When(state=RoundState.BOTH_DONE, then=Value("done")),
        When(Q(state__in=collecting, due_date__lt=today), then=Value("overdue")),
        When(state__in=collecting, then=Value("in_progress")),
        default=Value("not_completed"),
        output_field=CharField(),
    )


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.next().start, dt.time.min, tzinfo=tz)
    return start, end


def cohort_rounds(organisation: Organisation, period: Period) -> QuerySet[MeasurementRound]:
    """The rounds opened in ``period`` in ``organisation``: what every figure rests on."""
    start, end = _bounds(period)
    return MeasurementRound.objects.filter(
        trajectory__organisation=organisation, opened_at__gte=start, opened_at__lt=end
    )


@dataclass(frozen=True)
class ScoredResponse:
    team_id: int | None
    client_id: int
    trajectory_id: int
    round_opened_at: dt.datetime
    rater: str
    instrument_ref: tuple[str, str]
    scores: dict[str, float | None]


def response_scores(responses: QuerySet[Response]) -> list[ScoredResponse]:
    """The stored scores per characteristic of current submitted ``responses``, in one query.

    The one place that knows where scores come from: the ``ResponseScore`` rows written when
    a response was submitted or corrected (no answers are read or rescored here).
    """
    rows = (
        ResponseScore.objects.filter(
            response__in=responses.filter(is_current=True, submitted_at__isnull=False)
        )
        .values_list(
            "response_id",
            "characteristic",
            "value",
            "rater",
            "response__round__instrument_id",
            "response__round__instrument_version",
            "response__round__trajectory__team_id",
            "response__round__trajectory__client_id",
            "response__round__trajectory_id",
            "response__round__opened_at",
        )
        .order_by("response__round__opened_at", "response_id")
    )
    result: dict[int, ScoredResponse] = {}
    for (
        response_id,
        key,
        value,
        rater,
        instrument_id,
        version,
        team_id,
        client_id,
        trajectory_id,
        opened,
    ) in rows.iterator(chunk_size=20_000):
        scored = result.get(response_id)
        if scored is None:
            scored = result[response_id] = ScoredResponse(
                team_id=team_id,
                client_id=client_id,
                trajectory_id=trajectory_id,
                round_opened_at=opened,
                rater=rater,
                instrument_ref=(instrument_id, version),
                scores={},
            )
        scored.scores[key] = value
    return list(result.values())


def trajectory_patterns(
    series: Sequence[tuple[Sequence[float | None], str, str]],
    settings: SignalSettings | None = None,
) -> list[str]:
    """The course pattern of each ``(scores, characteristic, rater)``, in one pass.

    The one place the dashboard asks for patterns: the course view's rule,
    :func:`~alliantiemonitor.core.patterns.course_patterns` (the signals rule), so that a
    long stable course is not labelled more often than a short one.
    """
    labels = course_patterns(
        [PatternSeries(key, rater, scores) for scores, key, rater in series], settings=settings
    )
    return [label.value for label in labels]


def open_signals(organisation: Organisation, period: Period) -> QuerySet[Signal]:
    """The cohort's warning signals that were open at the end of ``period``.

    Open at the end of the quarter: raised before it ended and not resolved by then (for the
    quarter in progress: open now). A past quarter's figure therefore stays what it was when
    signals are resolved later, like the cohort itself; it does not change from day to day.
    """
    _start, end = _bounds(period)
    return Signal.objects.filter(
        # Implied by the cohort, but said here too: the planner then reads only this
        # organisation's signals and trajectories (an index each) instead of joining every
        # signal to every trajectory.
        organisation=organisation,
        trajectory__organisation=organisation,
        trajectory__in=cohort_rounds(organisation, period).values("trajectory"),
        raised_at__lt=end,
    ).filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))


def _signals_table(
    organisation: Organisation,
    period: Period,
    row_of: dict[int | None, int],
    n_rows: int,
    trajectories: Suppressed,
) -> FigureTable:
    """Open signals per kind and team (``GROUP BY``), suppressed like the other tables.

    A signal is counted once, under its kind, so the cells add up to the totals. Every count
    rests on the distinct clients of the trajectories behind it. The row totals and the grand
    total hidden in the trajectories table are hidden here too (a team whose number of
    trajectories is hidden shows no signal figures either).
    """
    table = _table_from_groups(
        open_signals(organisation, period),
        row_of=row_of,
        n_rows=n_rows,
        team_field="trajectory__team",
        client_field="trajectory__client",
        columns=[key for key, _label in SIGNAL_COLUMNS],
        column_expr=F("kind"),
    )
    margins = [key for key in trajectories.hidden if key[1] is None]
    return FigureTable(
        key="signals",
        title=str(_("Open warning signals by kind")),
        columns=[(k, str(v)) for k, v in SIGNAL_COLUMNS],
        unit=str(_("open signals")),
        result=suppress(table, force=margins),
    )


# --- the dashboard -------------------------------------------------------------------------


def _groups(organisation: Organisation) -> list[Group]:
    teams = list(Team.objects.for_organisation(organisation).order_by("name", "pk"))
    groups = [Group(key=str(team.uuid), label=team.name, team=team) for team in teams]
    groups.append(Group(key="none", label=str(_("No team")), team=None))
    return groups


def _score_tables(
    scored: Iterable[ScoredResponse], row_of: dict[int | None, int], n_rows: int
) -> list[FigureTable]:
    characteristics: list[tuple[str, str]] = []
    seen: set[str] = set()
    registry = get_registry()
    by_key: dict[tuple[str, str], _Counter] = {}
    sums: dict[tuple[str, str], dict[int | None, list[float]]] = {}
    scored = list(scored)
    for ref in dict.fromkeys(response.instrument_ref for response in scored):
        instrument = registry.get(ref[0], version=ref[1])
        for characteristic in instrument.characteristics:
            if characteristic.key not in seen:
                seen.add(characteristic.key)
                characteristics.append((characteristic.key, characteristic.name.get("en", "")))
    names = _characteristic_names()
    tables: dict[str, list[FigureTable]] = {Rater.CLIENT: [], Rater.PROFESSIONAL: []}
    for key, _default in characteristics:
        for rater in (Rater.CLIENT, Rater.PROFESSIONAL):
            counter = _Counter(n_rows, [band for band, _label in SCORE_BANDS])
            by_key[(key, rater)] = counter
            sums[(key, rater)] = defaultdict(list)
    for response in scored:
        row = row_of[response.team_id]
        for key, value in response.scores.items():
            if value is None or (key, response.rater) not in by_key:
                continue
            band = str(min(int(value), 4))
            by_key[(key, response.rater)].add(row, band, response.client_id)
            sums[(key, response.rater)][row].append(value)
            sums[(key, response.rater)][None].append(value)
    for key, _default in characteristics:
        for rater in (Rater.CLIENT, Rater.PROFESSIONAL):
            label = names.get(key, key)
            rater_label = Rater(rater).label
            tables[rater].append(
                FigureTable(
                    key=f"scores-{key}-{rater}",
                    title=_("Scores of %(characteristic)s, %(rater)s")
                    % {"characteristic": label, "rater": rater_label},
                    columns=[(band, text) for band, text in SCORE_BANDS],
                    unit=str(_("responses")),
                    result=Suppressed(by_key[(key, rater)].table()),
                    means={
                        row: sum(values) / len(values)
                        for row, values in sums[(key, rater)].items()
                        if values
                    },
                )
            )
    result = []
    for rater_tables in tables.values():
        suppressed = suppress_tables([t.result.table for t in rater_tables])
        for table, done in zip(rater_tables, suppressed, strict=True):
            table.result = done
            table.means = {
                row: mean for row, mean in table.means.items() if not done.is_hidden((row, None))
            }
            result.append(table)
    return result


def _characteristic_names() -> dict[str, str]:
    return {
        "direction": str(_("direction and frame")),
        "trust": str(_("trust")),
        "bond": str(_("bond")),
        "friction": str(_("friction")),
    }


def organisation_dashboard(
    organisation: Organisation, period: Period, *, today: dt.date | None = None
) -> Dashboard:
    """Every table of the dashboard of ``organisation`` for ``period``, suppressed."""
    today = today or timezone.localdate()
    groups = _groups(organisation)
    row_of: dict[int | None, int] = {
        (g.team.pk if g.team is not None else None): i for i, g in enumerate(groups)
    }
    n_rows = len(groups)
    rounds = cohort_rounds(organisation, period)

    trajectories = _table_from_groups(
        rounds,
        row_of=row_of,
        n_rows=n_rows,
        team_field="trajectory__team",
        client_field="trajectory__client",
        columns=[],
        count=Count("trajectory", distinct=True),
    )
    rounds_table = _table_from_groups(
        rounds,
        row_of=row_of,
        n_rows=n_rows,
        team_field="trajectory__team",
        client_field="trajectory__client",
        columns=[key for key, _label in ROUND_COLUMNS],
        column_expr=_round_category(today),
    )

    # The scores of the period's responses; the patterns use every round of the cohort's
    # trajectories up to the end of the period (one more query).
    _start, end = _bounds(period)
    history = response_scores(
        Response.objects.filter(
            round__trajectory__in=rounds.values("trajectory"), round__opened_at__lt=end
        )
    )
    start, _end = _bounds(period)
    in_period = [r for r in history if r.round_opened_at >= start]
    score_tables = _score_tables(in_period, row_of, n_rows)
    cohort = list(
        rounds.values_list("trajectory_id", "trajectory__team_id", "trajectory__client_id")
        .distinct()
        .order_by()
    )
    pattern_tables = _pattern_tables(
        history, cohort, row_of, n_rows, organisation_signal_settings(organisation)
    )

    linked = suppress_tables([trajectories, *[t.result.table for t in pattern_tables]])
    for table, done in zip(pattern_tables, linked[1:], strict=True):
        table.result = done

    evaluations = []
    for party in Party:
        evaluations.append(
            FigureTable(
                key=f"useful-{party.value}",
                title=_("Was the conversation useful? (%(party)s)") % {"party": party.label},
                columns=[(k, str(v)) for k, v in USEFUL_COLUMNS],
                unit=str(_("evaluations")),
                result=suppress(
                    _table_from_groups(
                        Evaluation.objects.filter(
                            party=party, conversation__round__in=rounds.values("pk")
                        ).annotate(team=F("conversation__round__trajectory__team")),
                        row_of=row_of,
                        n_rows=n_rows,
                        team_field="team",
                        client_field="conversation__round__trajectory__client",
                        columns=[k for k, _v in USEFUL_COLUMNS],
                        column_expr=F("useful"),
                    )
                ),
            )
        )

    tables = [
        FigureTable(
            key="trajectories",
            title=str(_("Trajectories with a round in this period")),
            columns=[],
            unit=str(_("trajectories")),
            result=linked[0],
        ),
        FigureTable(
            key="rounds",
            title=str(_("Rounds opened in this period")),
            columns=[(k, str(v)) for k, v in ROUND_COLUMNS],
            unit=str(_("rounds")),
            result=suppress(rounds_table),
        ),
        *score_tables,
        *pattern_tables,
        _signals_table(organisation, period, row_of, n_rows, linked[0]),
        *evaluations,
    ]
    return Dashboard(
        organisation=organisation,
        period=period,
        groups=groups,
        tables=tables,
    )


def _pattern_tables(
    history: Sequence[ScoredResponse],
    cohort: Sequence[tuple[int, int | None, int]],
    row_of: dict[int | None, int],
    n_rows: int,
    settings: SignalSettings,
) -> list[FigureTable]:
    """Per characteristic, the cohort's trajectories per course pattern (the client's view).

    A trajectory without two scored rounds counts as "too few rounds", so that every pattern
    table adds up to the trajectories table (they share their row totals).
    """
    series: dict[int, list[ScoredResponse]] = defaultdict(list)
    for response in history:
        if response.rater == Rater.CLIENT:
            series[response.trajectory_id].append(response)
    names = _characteristic_names()
    counters = {key: _Counter(n_rows, [k for k, _l in PATTERN_COLUMNS]) for key in names}
    judged: list[tuple[Sequence[float | None], str, str]] = []
    for trajectory_id, _team_id, _client_id in cohort:
        responses = series.get(trajectory_id, [])
        latest = responses[-1].instrument_ref if responses else None
        for key in counters:
            # Only rounds of the latest variant are comparable (as in the course view).
            values = [r.scores.get(key) for r in responses if r.instrument_ref == latest]
            judged.append((values, key, Rater.CLIENT.value))
    patterns = iter(trajectory_patterns(judged, settings))
    for _trajectory_id, team_id, client_id in cohort:
        for counter in counters.values():
            counter.add(row_of[team_id], next(patterns), client_id)
    return [
        FigureTable(
            key=f"patterns-{key}",
            title=_("Course of %(characteristic)s, client's view") % {"characteristic": names[key]},
            columns=[(k, str(v)) for k, v in PATTERN_COLUMNS],
            unit=str(_("trajectories")),
            result=Suppressed(counter.table()),
        )
        for key, counter in counters.items()
    ]
