"""When the next measurement round of a trajectory is due: the schedule rules, without Django.

A schedule is a set of *occasions*. Each occasion has a date from which a round is due
(``opens_on``) and a date after which it is overdue (``due_by``):

- **start**: a round at the start of the trajectory; due from the start date, overdue
  ``grace_weeks`` later.
- **interval**: every ``every_weeks`` weeks; due ``every_weeks`` after the latest round (or after
  the start when there is none), overdue ``grace_weeks`` later. Not after the planned end.
- **handover**: within ``after_handover_weeks`` after a change of professional; due from the day
  of the handover, overdue ``after_handover_weeks`` later.
- **before_end**: ``before_end_weeks`` before the planned end; due from then, overdue on the
  planned end itself.

An occasion is *met* by any round opened on or after its ``opens_on`` — whatever became of that
round (discussed, expired or cancelled). Counting expired and cancelled rounds is deliberate: a
round the professional cancelled must not be opened again and again by the worker; the next
occasion (the next interval) comes soon enough. A trajectory that has ended has nothing due.

``rule=None`` means *no schedule* (selective use): nothing is ever due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

START = "start"
INTERVAL = "interval"
HANDOVER = "handover"
BEFORE_END = "before_end"
OCCASION_KINDS = (START, INTERVAL, HANDOVER, BEFORE_END)

#: Weeks after the day a round became due before it counts as overdue (start and interval).
DEFAULT_GRACE_WEEKS = 2


@dataclass(frozen=True)
class ScheduleRule:
    """One schedule. ``None`` (or 0) for a number switches that occasion off."""

    at_start: bool = True
    every_weeks: int | None = 12
    after_handover_weeks: int | None = 4
    before_end_weeks: int | None = 4
    grace_weeks: int = DEFAULT_GRACE_WEEKS

    def __post_init__(self) -> None:
        for name in ("every_weeks", "after_handover_weeks", "before_end_weeks"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative, not {value}")
        if self.grace_weeks < 0:
            raise ValueError(f"grace_weeks must not be negative, not {self.grace_weeks}")


@dataclass(frozen=True)
class Occasion:
    """One moment at which the schedule asks for a round."""

    kind: str
    opens_on: dt.date
    due_by: dt.date

    def is_due(self, today: dt.date) -> bool:
        return self.opens_on <= today

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_by < today

    @property
    def key(self) -> str:
        """Stable name of this occasion within one trajectory (kind and date)."""
        return f"{self.kind}:{self.opens_on.isoformat()}"


@dataclass(frozen=True)
class DueInfo:
    """What the schedule asks of one trajectory on ``today``."""

    #: The earliest occasion not yet met (due now, overdue or still to come).
    next: Occasion
    due: bool
    overdue: bool

    @property
    def due_date(self) -> dt.date:
        return self.next.due_by


def _weeks(n: int) -> dt.timedelta:
    return dt.timedelta(weeks=n)


def open_occasions(
    rule: ScheduleRule | None,
    *,
    start: dt.date,
    rounds: Iterable[dt.date] = (),
    handovers: Iterable[dt.date] = (),
    planned_end: dt.date | None = None,
    ended: bool = False,
) -> list[Occasion]:
    """Every occasion of ``rule`` not met by one of ``rounds`` (the dates rounds were opened).

    ``handovers`` are the dates of changes of professional. Sorted by ``opens_on``, then
    kind. Empty for no schedule or an ended trajectory.
    """
    if rule is None or ended:
        return []
    round_dates = sorted(rounds)
    latest = round_dates[-1] if round_dates else None

    def met(opens_on: dt.date) -> bool:
        return latest is not None and latest >= opens_on

    occasions: list[Occasion] = []
    if rule.at_start:
        occasions.append(Occasion(START, start, start + _weeks(rule.grace_weeks)))
    if rule.every_weeks:
        anchor = latest if latest is not None else start
        opens_on = anchor + _weeks(rule.every_weeks)
        if planned_end is None or opens_on < planned_end:
            occasions.append(Occasion(INTERVAL, opens_on, opens_on + _weeks(rule.grace_weeks)))
    if rule.after_handover_weeks:
        for day in handovers:
            if day >= start:
                occasions.append(Occasion(HANDOVER, day, day + _weeks(rule.after_handover_weeks)))
    if rule.before_end_weeks and planned_end is not None:
        opens_on = max(start, planned_end - _weeks(rule.before_end_weeks))
        occasions.append(Occasion(BEFORE_END, opens_on, planned_end))
    kinds = {kind: index for index, kind in enumerate(OCCASION_KINDS)}
    return sorted(
        (occasion for occasion in occasions if not met(occasion.opens_on)),
        key=lambda occasion: (occasion.opens_on, kinds[occasion.kind]),
    )


def due_info(
    rule: ScheduleRule | None,
    *,
    today: dt.date,
    start: dt.date,
    rounds: Iterable[dt.date] = (),
    handovers: Iterable[dt.date] = (),
    planned_end: dt.date | None = None,
    ended: bool = False,
) -> DueInfo | None:
    """The next occasion of ``rule`` and whether it is due or overdue on ``today``.

    ``None`` when nothing is scheduled (no schedule, an ended trajectory, every occasion met).
    Of several open occasions the earliest is reported; it is overdue when *any* due one is.
    """
    occasions = open_occasions(
        rule,
        start=start,
        rounds=rounds,
        handovers=handovers,
        planned_end=planned_end,
        ended=ended,
    )
    if not occasions:
        return None
    return DueInfo(
        next=occasions[0],
        due=occasions[0].is_due(today),
        overdue=any(o.is_due(today) and o.is_overdue(today) for o in occasions),
    )
