"""The jobs: each a thin wrapper around an idempotent service of an app below this one.

Periodic jobs take no arguments and work out what is due from the time they run; they return
a count (shown as the job's result in the admin). See docs/worker.md for the list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from alliantiemonitor.imports.services import caseload_uploads_expire
from alliantiemonitor.jobs.registry import periodic, task
from alliantiemonitor.measurements.services import rounds_expire
from alliantiemonitor.monitoring.services import references_estimate, signals_recompute
from alliantiemonitor.research.followup import followup_uploads_expire
from alliantiemonitor.research.models import StudyOutput
from alliantiemonitor.research.outputs import output_build, outputs_expire, outputs_to_build
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
    """Announce the clients past their retention period; erase those announced 14 days ago.

    Research records follow each study's protocol: kept or deleted at the erasure, and kept
    records deleted here once the study's months have passed.
    """
    return retention_run().counts()


@periodic(every=dt.timedelta(minutes=15), name="caseload_imports.expire")
def caseload_imports_expire_job() -> int:
    """Clear the kept files of caseload dry runs too old to be confirmed."""
    return caseload_uploads_expire(now=timezone.now())


@periodic(every=dt.timedelta(hours=1), name="research.followup_expire")
def followup_imports_expire_job() -> int:
    """Clear the kept files of follow-up dry runs too old to be confirmed."""
    return followup_uploads_expire(now=timezone.now())


@task
def study_output_build_job(*, output_id: str) -> str:
    """Build a study's requested export or report (docs/research/exports.md)."""
    return output_build(output_id)


@receiver(post_save, sender=StudyOutput, dispatch_uid="jobs.study_output_requested")
def _study_output_requested(
    sender: Any, instance: StudyOutput, created: bool, **kwargs: Any
) -> None:
    """A new request is built as soon as it is committed (the sweep below catches a lost one)."""
    if created:
        output_id = str(instance.uuid)
        transaction.on_commit(lambda: study_output_build_job.enqueue(output_id=output_id))


@periodic(every=dt.timedelta(minutes=5), name="research.outputs")
def research_outputs_job() -> dict[str, int]:
    """Build requests whose job was lost; delete exports and reports past their date."""
    now = timezone.now()
    waiting = outputs_to_build(now)
    for output_id in waiting:
        study_output_build_job.enqueue(output_id=output_id)
    return {"requeued": len(waiting), "expired": outputs_expire(now)}
