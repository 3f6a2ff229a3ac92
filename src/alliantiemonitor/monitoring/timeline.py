"""What happened in one trajectory, in date order (tijdlijn), as plain data.

A read model: it gathers the start, the changes of professional, the rounds, the
conversations, the outcome events and the end, and sorts them by date. Only what the assigned
professional may see anyway is listed — no answers, no scores (the course view has those).
On the same day the start comes first and the end last, and otherwise the moment something
was recorded decides, so a round started and discussed on one day reads in the right order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from alliantiemonitor.conversations.models import Conversation
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.monitoring.course import person_name
from alliantiemonitor.trajectories.constants import END_KINDS
from alliantiemonitor.trajectories.models import Trajectory


class EntryKind:
    START = "start"
    HANDOVER = "handover"
    ROUND = "round"
    CONVERSATION = "conversation"
    OUTCOME = "outcome"
    END = "end"


#: Where an entry goes among the entries of the same day.
_DAY_ORDER = {
    EntryKind.START: 0,
    EntryKind.HANDOVER: 1,
    EntryKind.ROUND: 2,
    EntryKind.CONVERSATION: 3,
    EntryKind.OUTCOME: 4,
    EntryKind.END: 5,
}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened; the template puts it into words by ``kind``."""

    date: dt.date
    kind: str
    #: The outcome kind's label, the round's state label, or the professionals' names.
    label: str = ""
    #: Facts that go with it (a note, a reason, the legal frame); may be empty.
    detail: str = ""
    #: Handover: who handed over to whom.
    from_name: str = ""
    to_name: str = ""
    #: Round and conversation: the round's public id (for a link) and the day it started.
    round_uuid: Any = None
    round_date: dt.date | None = None
    after_handover: bool = False
    #: When it was recorded, to order the entries of one day.
    moment: dt.datetime | None = None

    @property
    def sort_key(self) -> tuple[dt.date, int, float]:
        moment = self.moment.timestamp() if self.moment is not None else 0.0
        return (self.date, _DAY_ORDER[self.kind], moment)


def trajectory_timeline(trajectory: Trajectory) -> list[TimelineEntry]:
    """Every event of ``trajectory`` as a :class:`TimelineEntry`, oldest first."""
    entries = [
        TimelineEntry(
            date=trajectory.start_date, kind=EntryKind.START, detail=trajectory.legal_frame
        )
    ]
    handovers = (
        trajectory.assignments.handovers()
        .select_related("professional", "handed_over_from__professional")
        .order_by("start", "pk")
    )
    for assignment in handovers:
        former = assignment.handed_over_from
        entries.append(
            TimelineEntry(
                date=timezone.localdate(assignment.start),
                kind=EntryKind.HANDOVER,
                from_name=person_name(former.professional if former else None),
                to_name=person_name(assignment.professional),
                detail=assignment.reason,
                moment=assignment.start,
            )
        )
    rounds = MeasurementRound.objects.for_trajectory(trajectory).order_by("opened_at", "pk")
    for measurement_round in rounds:
        opened_on = timezone.localdate(measurement_round.opened_at)
        entries.append(
            TimelineEntry(
                date=opened_on,
                kind=EntryKind.ROUND,
                label=measurement_round.get_state_display(),
                round_uuid=measurement_round.uuid,
                round_date=opened_on,
                after_handover=measurement_round.after_handover,
                moment=measurement_round.opened_at,
            )
        )
    conversations = Conversation.objects.filter(round__trajectory=trajectory).select_related(
        "round"
    )
    for conversation in conversations:
        entries.append(
            TimelineEntry(
                date=conversation.held_on,
                kind=EntryKind.CONVERSATION,
                round_uuid=conversation.round.uuid,
                round_date=timezone.localdate(conversation.round.opened_at),
                moment=conversation.created_at,
            )
        )
    for event in trajectory.outcome_events.order_by("date", "pk"):
        entries.append(
            TimelineEntry(
                date=event.date,
                kind=EntryKind.END if event.kind in END_KINDS else EntryKind.OUTCOME,
                label=event.get_kind_display(),
                detail=event.note,
                moment=event.created_at,
            )
        )
    return sorted(entries, key=lambda entry: entry.sort_key)
