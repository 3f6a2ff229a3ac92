"""The jobs: each a thin wrapper around an idempotent service of an app below this one.

Periodic jobs take no arguments and work out what is due from the time they run; they return
a count (shown as the job's result in the admin). See docs/worker.md for the list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from alliantiemonitor.jobs.registry import periodic
from alliantiemonitor.measurements.services import rounds_expire
from alliantiemonitor.monitoring.services import references_estimate, signals_recompute
from alliantiemonitor.scheduling.services import (
    digests_send_due,
    reminders_send_due,
    rounds_open_due,
)
from alliantiemonitor.trajectories.retention import retention_run


@periodic(every=dt.timedelta(minutes=5), name="rounds.expire")
def rounds_expire_job() -> int:
    """Expire rounds whose due date plus the grace period has passed."""
    return rounds_expire()


@periodic(every=dt.timedelta(minutes=5), name="rounds.open_due")
def rounds_open_due_job() -> int:
    """Open the rounds the schedules ask for and invite the clients by their channel."""
    return rounds_open_due(now=timezone.now())


@periodic(every=dt.timedelta(minutes=5), name="reminders.send")
def reminders_send_job() -> int:
    """Remind clients who were invited by e-mail and did not finish."""
    return reminders_send_due(now=timezone.now())


@periodic(every=dt.timedelta(hours=1), name="digests.send")
def digests_send_job() -> int:
    """Send each professional this week's digest of due rounds and new signals, once."""
    return digests_send_due(now=timezone.now())


@periodic(every=dt.timedelta(minutes=15), name="signals.recompute")
def signals_recompute_job() -> dict[str, Any]:
    """Bring the stored signals of every organisation in line with the rules."""
    return dataclasses.asdict(signals_recompute(today=timezone.localdate()))


@periodic(every=dt.timedelta(hours=24), name="references.estimate")
def references_estimate_job() -> int:
    """Recompute each organisation's own reference values from its submitted responses."""
    return references_estimate()


@periodic(every=dt.timedelta(hours=24), name="retention.apply")
def retention_apply_job() -> dict[str, int]:
    """Announce the clients past their retention period; erase those announced 14 days ago."""
    report = retention_run()
    return {
        "due": len(report.due),
        "announced": report.announced,
        "erased": report.erased,
        "withdrawn": report.withdrawn,
    }
