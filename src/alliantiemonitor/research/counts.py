"""Consent counts of a study for its researchers, with small numbers hidden.

A researcher sees, per organisation or team that takes part, how many trajectories are enrolled
and where their consent stands. A count of one or two in a small team says something about
people a researcher might know of, so the table follows the dashboards' rule
(:mod:`alliantiemonitor.core.suppression`): no figure rests on fewer than five clients, and no
hidden figure can be worked out from the shown ones (row and column totals included). A client
is counted once per cell however many of their trajectories are in it (the study key is the
same for all of them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from alliantiemonitor.core.suppression import Cell, Suppressed, Table, suppress
from alliantiemonitor.research.constants import ConsentState
from alliantiemonitor.research.models import EnrolledTrajectory, Study, StudyEnrolment

#: The table's columns, in the order the page shows them.
STATES: tuple[str, ...] = (
    ConsentState.GIVEN,
    ConsentState.REFUSED,
    ConsentState.WITHDRAWN,
    ConsentState.OPEN,
)


@dataclass(frozen=True)
class Shown:
    """A figure as the page shows it: its value, or ``None`` when it is hidden."""

    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ConsentRow:
    enrolment: StudyEnrolment
    enrolled: Shown
    states: dict[str, Shown]


@dataclass(frozen=True)
class ConsentTable:
    rows: list[ConsentRow]
    enrolled: Shown
    states: dict[str, Shown]

    @property
    def any_hidden(self) -> bool:
        figures = [self.enrolled, *self.states.values()]
        for row in self.rows:
            figures += [row.enrolled, *row.states.values()]
        return any(figure.hidden for figure in figures)


def _state(given: bool | None, withdrawn: object) -> str:
    if given is None:
        return ConsentState.OPEN
    if not given:
        return ConsentState.REFUSED
    return ConsentState.WITHDRAWN if withdrawn is not None else ConsentState.GIVEN


def _cell(keys: set[str], count: int) -> Cell:
    return Cell(value=count, clients=len(keys) if count else 0)


def consent_table(study: Study) -> ConsentTable:
    """The study's consent counts per enrolment, suppressed as one table."""
    enrolments = list(
        study.enrolments.select_related("organisation", "team").order_by(
            "organisation__name", "team__name", "pk"
        )
    )
    position = {enrolment.pk: r for r, enrolment in enumerate(enrolments)}
    counts: dict[tuple[int | None, int | None], int] = defaultdict(int)
    clients: dict[tuple[int | None, int | None], set[str]] = defaultdict(set)
    rows = (
        EnrolledTrajectory.objects.filter(study=study)
        .with_consent_state()
        .values_list("enrolment_id", "study_key", "consent_given", "consent_withdrawn_at")
    )
    for enrolment_id, key, given, withdrawn in rows:
        r = position.get(enrolment_id)
        if r is None:  # pragma: no cover - an enrolled trajectory always has its enrolment
            continue
        c = STATES.index(_state(given, withdrawn))
        for cell in ((r, c), (r, None), (None, c), (None, None)):
            counts[cell] += 1
            clients[cell].add(key)

    def cell(key: tuple[int | None, int | None]) -> Cell:
        return _cell(clients[key], counts[key])

    table = Table(
        cells=[[cell((r, c)) for c in range(len(STATES))] for r in range(len(enrolments))],
        row_totals=[cell((r, None)) for r in range(len(enrolments))],
        column_totals=[cell((None, c)) for c in range(len(STATES))],
        total=cell((None, None)),
    )
    result: Suppressed = suppress(table)

    def shown(key: tuple[int | None, int | None]) -> Shown:
        return Shown(result.value(key))

    return ConsentTable(
        rows=[
            ConsentRow(
                enrolment=enrolment,
                enrolled=shown((r, None)),
                states={state: shown((r, c)) for c, state in enumerate(STATES)},
            )
            for r, enrolment in enumerate(enrolments)
        ],
        enrolled=shown((None, None)),
        states={state: shown((None, c)) for c, state in enumerate(STATES)},
    )
