"""Read models of schedules: which rounds are due or overdue, for many trajectories at once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from alliantiemonitor.core.schedule import DueInfo, ScheduleRule, due_info
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.scheduling.models import OrganisationSchedule, TrajectorySchedule
from alliantiemonitor.trajectories.constants import TrajectoryStatus
from alliantiemonitor.trajectories.models import Assignment, Trajectory

__all__ = ["DueInfo", "due_rounds", "rules_for"]


def rules_for(trajectories: Iterable[Trajectory]) -> dict[int, tuple[ScheduleRule | None, Any]]:
    """The rule and planned end date that apply to each trajectory (two queries)."""
    trajectories = list(trajectories)
    organisation_ids = {t.organisation_id for t in trajectories}
    organisation_schedules = {
        s.organisation_id: s
        for s in OrganisationSchedule.objects.filter(organisation_id__in=organisation_ids)
    }
    own = {
        s.trajectory_id: s
        for s in TrajectorySchedule.objects.filter(trajectory__in=[t.pk for t in trajectories])
    }
    result: dict[int, tuple[ScheduleRule | None, Any]] = {}
    for trajectory in trajectories:
        organisation_schedule = organisation_schedules.get(trajectory.organisation_id)
        schedule = own.get(trajectory.pk)
        if schedule is None:
            rule = organisation_schedule.rule() if organisation_schedule is not None else None
            result[trajectory.pk] = (rule, None)
        else:
            result[trajectory.pk] = (
                schedule.rule(organisation_schedule),
                schedule.planned_end_date,
            )
    return result


def due_rounds(
    trajectories: Iterable[Trajectory], today: dt.date | None = None
) -> dict[int, DueInfo]:
    """What the schedule asks of each trajectory on ``today``, by trajectory primary key.

    Trajectories without a schedule, ended ones and those whose occasions are all met are
    left out. A fixed number of queries whatever the number of trajectories (the caseload
    and the worker pass a page or a batch at a time).
    """
    today = today or timezone.localdate()
    trajectories = list(trajectories)
    rules = rules_for(trajectories)
    scheduled = [t for t in trajectories if rules[t.pk][0] is not None]
    if not scheduled:
        return {}
    ids = [t.pk for t in scheduled]
    rounds: dict[int, list[dt.date]] = defaultdict(list)
    for trajectory_id, opened_at in MeasurementRound.objects.filter(
        trajectory_id__in=ids
    ).values_list("trajectory_id", "opened_at"):
        rounds[trajectory_id].append(timezone.localdate(opened_at))
    handovers: dict[int, list[dt.date]] = defaultdict(list)
    for trajectory_id, start in (
        Assignment.objects.handovers()
        .filter(trajectory_id__in=ids)
        .values_list("trajectory_id", "start")
    ):
        handovers[trajectory_id].append(timezone.localdate(start))
    result: dict[int, DueInfo] = {}
    for trajectory in scheduled:
        rule, planned_end = rules[trajectory.pk]
        info = due_info(
            rule,
            today=today,
            start=trajectory.start_date,
            rounds=rounds[trajectory.pk],
            handovers=handovers[trajectory.pk],
            planned_end=planned_end,
            ended=trajectory.status != TrajectoryStatus.ACTIVE,
        )
        if info is not None:
            result[trajectory.pk] = info
    return result
