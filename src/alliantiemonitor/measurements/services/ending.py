"""Ending a trajectory, and what that does to its rounds: the one place where that is decided.

A round that still collects answers cannot outlive its trajectory: a client's link must stop
working the moment the trajectory ends. Such a round is *closed* when someone submitted
(what was submitted stays, and both parties may see it under the blind rule) and
*cancelled* when nobody did. Either way its invitations are revoked. Rounds that no longer
collect answers (both done, discussed, closed...) are left as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services._common import lock_round, submitted_raters
from alliantiemonitor.measurements.services.invitations import invitations_revoke_for_round
from alliantiemonitor.measurements.services.rounds import round_cancel, round_close
from alliantiemonitor.trajectories.models import Trajectory
from alliantiemonitor.trajectories.services import trajectory_end


@dataclass(frozen=True)
class OpenRounds:
    """What ending a trajectory now would do to its rounds."""

    #: Rounds still collecting answers in which someone submitted: they will be closed.
    to_close: int
    #: Rounds still collecting answers in which nobody submitted: they will be cancelled.
    to_cancel: int

    @property
    def total(self) -> int:
        return self.to_close + self.to_cancel


def _will_close(measurement_round: MeasurementRound) -> bool:
    return bool(submitted_raters(measurement_round))


def trajectory_open_rounds(trajectory: Trajectory) -> OpenRounds:
    """Count the rounds that :func:`trajectory_close` would close and cancel right now."""
    rounds = list(MeasurementRound.objects.for_trajectory(trajectory).collecting())
    closing = sum(1 for r in rounds if _will_close(r))
    return OpenRounds(to_close=closing, to_cancel=len(rounds) - closing)


@transaction.atomic
def trajectory_close(
    *,
    trajectory: Trajectory,
    end_date: dt.date,
    reason_kind: str,
    by: Any,
    note: str = "",
) -> OpenRounds:
    """End ``trajectory`` and stop the rounds that still collect answers, all or nothing.

    Ends it with :func:`~alliantiemonitor.trajectories.services.trajectory_end` (which
    records the end as an outcome event and raises ``TrajectoryEnded``, ``InvalidEndReason``
    or ``InvalidDates``; then nothing changes), then closes each collecting round in which
    someone submitted, cancels the others, and revokes every invitation of those rounds.
    Returns what happened to the rounds. The trajectory's row lock, taken first, keeps a new
    round from starting meanwhile.
    """
    trajectory_end(
        trajectory=trajectory, end_date=end_date, reason_kind=reason_kind, by=by, note=note
    )
    closed = cancelled = 0
    for measurement_round in MeasurementRound.objects.for_trajectory(trajectory).collecting():
        # Decided under the round's lock: a submission arriving now queues up behind it.
        lock_round(measurement_round)
        if _will_close(measurement_round):
            round_close(round=measurement_round, by=by)
            closed += 1
        else:
            round_cancel(round=measurement_round, by=by)
            cancelled += 1
        invitations_revoke_for_round(round=measurement_round, by=by, reason="trajectory_end")
    return OpenRounds(to_close=closed, to_cancel=cancelled)
