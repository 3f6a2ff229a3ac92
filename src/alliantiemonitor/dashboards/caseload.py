"""A professional's caseload: where each trajectory stands and what needs doing first.

A round's technical state is translated into the words a professional uses ("waiting for
me", "ready to discuss"); those *phases* are what the caseload filters and sorts on.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.measurements.constants import RoundState, state_label
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.trajectories.models import Trajectory, TrajectoryQuerySet

#: A new round is suggested this many months after the previous one opened.
ROUND_INTERVAL_MONTHS = 3

#: Rows on one page of the caseload: the page stays the same size however large the caseload.
CASELOAD_PAGE_SIZE = 50

#: What ``with_last_round`` adds to a trajectory, carried from the sorted rows to the page's.
_LAST_ROUND_FIELDS = (
    "last_round_state",
    "last_round_opened_at",
    "last_round_due_date",
    "last_round_uuid",
)


class Phase:
    READY_TO_DISCUSS = "ready_to_discuss"
    WAITING_FOR_ME = "waiting_for_me"
    NO_ROUND = "no_round"
    NOT_COMPLETED = "not_completed"
    WAITING_FOR_CLIENT = "waiting_for_client"
    DISCUSSED = "discussed"


#: Phases in the order the filter lists them, with their label.
PHASE_CHOICES = [
    (Phase.READY_TO_DISCUSS, _("Ready to discuss")),
    (Phase.WAITING_FOR_ME, _("Waiting for me")),
    (Phase.WAITING_FOR_CLIENT, _("Waiting for client")),
    (Phase.NO_ROUND, _("No round yet")),
    (Phase.NOT_COMPLETED, _("Round not completed")),
    (Phase.DISCUSSED, _("Discussed or closed")),
]

#: Which round states belong to a phase (no round at all is ``Phase.NO_ROUND``).
PHASE_STATES = {
    Phase.READY_TO_DISCUSS: {RoundState.BOTH_DONE},
    Phase.WAITING_FOR_ME: {RoundState.OPEN, RoundState.CLIENT_DONE},
    Phase.WAITING_FOR_CLIENT: {RoundState.PROFESSIONAL_DONE},
    Phase.NOT_COMPLETED: {RoundState.EXPIRED, RoundState.CANCELLED},
    Phase.DISCUSSED: {RoundState.DISCUSSED, RoundState.CLOSED},
}

#: Lower comes first: what the professional can act on now before what waits for others.
_PHASE_RANK = {
    Phase.READY_TO_DISCUSS: 0,
    Phase.WAITING_FOR_ME: 1,
    Phase.NO_ROUND: 2,
    Phase.NOT_COMPLETED: 2,
    Phase.WAITING_FOR_CLIENT: 3,
    Phase.DISCUSSED: 4,
}
_ENDED_RANK = 9


def phase_of(state: str | None) -> str:
    """The caseload phase of a trajectory whose latest round is in ``state``."""
    if state is None:
        return Phase.NO_ROUND
    return next(phase for phase, states in PHASE_STATES.items() if state in states)


def with_last_round(trajectories: TrajectoryQuerySet) -> TrajectoryQuerySet:
    """Annotate the state, opening time, due date and public id of the latest round.

    ``last_round_state`` is ``None`` for a trajectory without rounds. One query for a
    whole caseload instead of one per trajectory.
    """
    latest = MeasurementRound.objects.filter(trajectory=OuterRef("pk")).order_by(
        "-opened_at", "-pk"
    )
    return trajectories.annotate(
        last_round_state=Subquery(latest.values("state")[:1]),
        last_round_opened_at=Subquery(latest.values("opened_at")[:1]),
        last_round_due_date=Subquery(latest.values("due_date")[:1]),
        last_round_uuid=Subquery(latest.values("uuid")[:1]),
    )


def filter_phase(queryset: TrajectoryQuerySet, phase: str) -> TrajectoryQuerySet:
    """Keep the trajectories (annotated ``with_last_round``) whose latest round is in ``phase``."""
    if phase == Phase.NO_ROUND:
        return queryset.filter(last_round_state__isnull=True)
    return queryset.filter(Q(last_round_state__in=sorted(PHASE_STATES[phase])))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clipped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class CaseloadRow:
    trajectory: Trajectory
    state: str | None
    phase: str
    last_round_date: dt.date | None
    #: The due date of the round in progress, or a suggestion for the next one.
    next_date: dt.date | None
    next_is_suggestion: bool
    #: The suggested date has come: time to start a new round.
    next_is_due: bool
    rank: int
    #: What the trajectory's schedule asks (scheduling.readmodels.DueInfo), set by the view.
    schedule_due: Any = None

    @property
    def state_label(self) -> Any:
        return state_label(self.state)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.rank,
            self.next_date or dt.date.max,
            self.trajectory.client.display_name.casefold(),
            self.trajectory.pk,
        )


def caseload_row(trajectory: Trajectory, today: dt.date | None = None) -> CaseloadRow:
    """Describe one trajectory annotated ``with_last_round``."""
    today = today or timezone.localdate()
    state = trajectory.last_round_state  # type: ignore[attr-defined]
    opened_at = trajectory.last_round_opened_at  # type: ignore[attr-defined]
    phase = phase_of(state)
    last_date = timezone.localdate(opened_at) if opened_at is not None else None
    next_date: dt.date | None = None
    suggestion = False
    if phase in (Phase.WAITING_FOR_ME, Phase.WAITING_FOR_CLIENT):
        next_date = trajectory.last_round_due_date  # type: ignore[attr-defined]
    elif last_date is not None:
        next_date, suggestion = add_months(last_date, ROUND_INTERVAL_MONTHS), True
    due = suggestion and next_date is not None and next_date <= today
    rank = _PHASE_RANK[phase]
    if due:
        rank = min(rank, _PHASE_RANK[Phase.NO_ROUND])
    if not trajectory.is_active:
        rank, due = _ENDED_RANK, False
    return CaseloadRow(
        trajectory=trajectory,
        state=state,
        phase=phase,
        last_round_date=last_date,
        next_date=next_date if trajectory.is_active else None,
        next_is_suggestion=suggestion,
        next_is_due=due,
        rank=rank,
    )


def caseload_rows(trajectories: TrajectoryQuerySet) -> list[CaseloadRow]:
    """The rows of a caseload, what needs action first."""
    today = timezone.localdate()
    rows = [caseload_row(trajectory, today) for trajectory in trajectories]
    return sorted(rows, key=lambda row: row.sort_key)


def caseload_page(trajectories: TrajectoryQuerySet, number: Any) -> Page:
    """Page ``number`` of the caseload's rows (what needs action first), in two queries.

    ``trajectories`` are annotated :func:`with_last_round`.
    The order needs every trajectory's latest round and client name, so only those are read
    for the whole caseload; the legal frame (decrypted per row), organisation and team only for
    the rows of the page. ``number`` is what the address says: anything but a page number
    gives the first page, a number past the end the last.
    """
    narrow = (
        trajectories.select_related(None)
        .select_related("client")
        .only("pk", "status", "client__display_name")
    )
    page = Paginator(caseload_rows(narrow), CASELOAD_PAGE_SIZE).get_page(number)
    whole = Trajectory.objects.select_related("client", "organisation", "team").in_bulk(
        [row.trajectory.pk for row in page.object_list]
    )
    for row in page.object_list:
        trajectory = whole[row.trajectory.pk]
        for name in _LAST_ROUND_FIELDS:
            setattr(trajectory, name, getattr(row.trajectory, name))
    page.object_list = [
        dataclasses.replace(row, trajectory=whole[row.trajectory.pk]) for row in page.object_list
    ]
    return page
