"""The worker's bookkeeping: periodic runs, retries with backoff, and jobs of dead workers.

These are the only writes to the queue table beside django-tasks-db's own enqueue and claim.
Each finishing write is conditional on the row still being the claim this worker made
(status RUNNING, same ``started_at``): a worker that lost its lease (see ``jobs_reclaim``)
cannot overwrite what the worker that took over records.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from alliantiemonitor.jobs.constants import MAX_RETRY_DELAY, PERIODIC_RUNS_KEPT_DAYS
from alliantiemonitor.jobs.exceptions import WorkerLost
from alliantiemonitor.jobs.models import PeriodicRun, Worker
from alliantiemonitor.jobs.registry import PeriodicJob, periodic_jobs

logger = logging.getLogger(__name__)

RUNNING = "RUNNING"
READY = "READY"
FAILED = "FAILED"
SUCCESSFUL = "SUCCESSFUL"


def job_retry_delay(attempt: int) -> dt.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1, 2, …): doubling, capped."""
    base = settings.ALLIANTIEMONITOR_JOB_RETRY_DELAY
    seconds = min(base * 2 ** max(attempt - 1, 0), MAX_RETRY_DELAY)
    return dt.timedelta(seconds=seconds)


def periodic_runs_enqueue(*, now: dt.datetime, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Enqueue each periodic job whose current period has not been enqueued yet.

    Safe with many workers at once: the unique (name, period) row and the job are written in
    one transaction, so only the worker whose insert wins enqueues the job. Periods missed
    while no worker ran are not made up for; the next one runs. Returns the names enqueued.
    """
    enqueued = []
    for job in periodic_jobs() if jobs is None else jobs:
        slot = job.slot_at(now)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(
                    name=job.name, slot=slot, due_at=job.slot_start(slot), enqueued_at=now
                )
                result = job.task.enqueue()
                run.job_id = result.id
                run.save(update_fields=["job_id"])
        except IntegrityError:
            continue  # another worker enqueued this period
        enqueued.append(job.name)
    return enqueued


def _finish(row: DBTaskResult, **fields: Any) -> bool:
    # Only the claim this worker made; see the module docstring.
    updated = DBTaskResult.objects.filter(
        pk=row.pk, status=RUNNING, started_at=row.started_at
    ).update(**fields)
    if not updated:
        logger.warning(
            "job %s was taken over by another worker; its outcome here is dropped", row.pk
        )
    return bool(updated)


def job_succeed(*, row: DBTaskResult, return_value: Any, now: dt.datetime | None = None) -> bool:
    """Record that the claimed job ``row`` finished with ``return_value``."""
    return _finish(
        row,
        status=SUCCESSFUL,
        finished_at=now or timezone.now(),
        return_value=return_value,
        exception_class_path="",
        traceback="",
    )


def job_fail(
    *,
    row: DBTaskResult,
    exc: BaseException,
    now: dt.datetime | None = None,
    delay: dt.timedelta | None = None,
) -> bool:
    """Record that the claimed job ``row`` raised ``exc``: retry later, or fail for good.

    The attempt count is the number of workers that claimed the row. Until
    ``ALLIANTIEMONITOR_JOB_ATTEMPTS`` is reached the job is queued again after ``delay``
    (by default ``job_retry_delay``); the error stays on the row meanwhile, so the admin
    shows why.
    """
    now = now or timezone.now()
    error = {
        "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "traceback": "".join(format_exception(exc)),
        "return_value": None,
    }
    attempts = len(row.worker_ids)
    if attempts < settings.ALLIANTIEMONITOR_JOB_ATTEMPTS:
        if delay is None:
            delay = job_retry_delay(attempts)
        return _finish(row, status=READY, run_after=now + delay, **error)
    return _finish(row, status=FAILED, finished_at=now, **error)


def job_release(*, row: DBTaskResult) -> bool:
    """Put the claimed job ``row`` back in the queue at once (the worker is being stopped)."""
    return _finish(row, status=READY, run_after=get_date_max())


def jobs_reclaim(*, now: dt.datetime | None = None) -> int:
    """Queue again the running jobs whose worker stopped giving signs of life.

    A worker is dead when its last heartbeat is older than ``ALLIANTIEMONITOR_WORKER_LEASE``;
    a live worker beats every quarter of the lease, also during a long job. The job is run
    again at once (the job did not fail; its worker did), unless its attempts are used up:
    then it fails with ``WorkerLost``, so a job that kills its worker cannot take all workers
    down in turn. Returns how many jobs were queued again or failed.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.ALLIANTIEMONITOR_WORKER_LEASE)
    reclaimed = 0
    with transaction.atomic():
        alive = set(Worker.objects.alive(now).values_list("worker_id", flat=True))
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for row in running.order_by("started_at"):
            owner = row.worker_ids[-1] if row.worker_ids else None
            # A claim younger than the lease gets the benefit of the doubt: its worker may not
            # have beaten yet.
            if owner in alive or (row.started_at and row.started_at > now - lease):
                continue
            logger.warning("job %s: worker %s is gone; queueing the job again", row.pk, owner)
            lost = WorkerLost(
                f"worker {owner} gave no sign of life for {lease.total_seconds():.0f} s"
            )
            reclaimed += job_fail(row=row, exc=lost, now=now, delay=dt.timedelta(0))
        # Dead workers' rows are kept a day for the admin, then dropped; periodic runs a month.
        Worker.objects.filter(seen_at__lt=now - max(lease, dt.timedelta(days=1))).delete()
        PeriodicRun.objects.filter(
            due_at__lt=now - dt.timedelta(days=PERIODIC_RUNS_KEPT_DAYS)
        ).delete()
    return reclaimed


def worker_register(*, worker_id: str) -> Worker:
    """Record a starting worker (and its first heartbeat)."""
    now = timezone.now()
    worker, _ = Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "seen_at": now,
        },
    )
    return worker


def worker_beat(*, worker_id: str) -> None:
    """Record a sign of life of a worker."""
    Worker.objects.filter(worker_id=worker_id).update(seen_at=timezone.now())


def worker_unregister(*, worker_id: str) -> None:
    """Forget a worker that stopped cleanly."""
    Worker.objects.filter(worker_id=worker_id).delete()
