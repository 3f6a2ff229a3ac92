"""The worker loop: django-tasks-db's claim, plus periodic jobs, retries and heartbeats.

django-tasks-db (0.13) claims a job with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (an
exclusive transaction on SQLite), runs it, and records success or failure. It has no retries,
no periodic jobs, and a job whose worker died stays RUNNING for ever. This loop keeps its claim
and adds those three (see services.py and docs/worker.md).
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from alliantiemonitor.jobs.registry import periodic_jobs
from alliantiemonitor.jobs.services import (
    job_fail,
    job_release,
    job_succeed,
    jobs_reclaim,
    periodic_runs_enqueue,
    worker_beat,
    worker_register,
    worker_unregister,
)

logger = logging.getLogger(__name__)


class JobWorker(DatabaseWorker):
    """One worker process. ``periodic=False`` leaves the schedule to the other workers."""

    def __init__(self, *, periodic: bool = True, heartbeat_thread: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.periodic = periodic
        self.heartbeat_thread = heartbeat_thread
        self.beat_every = settings.ALLIANTIEMONITOR_WORKER_LEASE / 4
        self._wake = threading.Event()
        self._stop_beating = threading.Event()
        self._last_slots: dict[str, int] = {}
        self._last_housekeeping = float("-inf")

    # -- stopping --------------------------------------------------------------------------

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.warning("Received %s again: stopping now.", signal.strsignal(signum))
            self.reset_signals()
            raise SystemExit(1)
        logger.warning(
            "Received %s: finishing the current job, then stopping (send it again to stop now).",
            signal.strsignal(signum),
        )
        self.running = False
        # Ends a wait between polls at once; a running job is finished first.
        self._wake.set()

    # -- the loop --------------------------------------------------------------------------

    def run(self) -> None:
        logger.info("Starting worker %s (queues %s)", self.worker_id, ",".join(self.queue_names))
        worker_register(worker_id=self.worker_id)
        beater = None
        if self.heartbeat_thread:
            beater = threading.Thread(target=self._beat, name="worker-heartbeat", daemon=True)
            beater.start()
        try:
            if self.startup_delay and self.interval:
                # Workers started together do not all poll in the same instant.
                self._wake.wait(random.random())  # noqa: S311
            self._loop()
        finally:
            self._stop_beating.set()
            if beater is not None:
                beater.join(timeout=5)
            try:
                worker_unregister(worker_id=self.worker_id)
            except DatabaseError:
                logger.warning("could not remove worker %s from the list", self.worker_id)
            logger.info("Worker %s stopped.", self.worker_id)

    def _loop(self) -> None:
        while self.running:
            close_old_connections()
            self.housekeeping()
            retrieved, row = self.claim_next()
            if row is not None:
                self.run_task(row)
            if self.batch and retrieved and row is None:
                logger.info("No more jobs for worker %s.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Worker %s ran its %d jobs.", self.worker_id, self._run_tasks)
                return
            close_old_connections()
            if self.running and row is None:
                self._wake.wait(self.interval)

    def housekeeping(self, *, force: bool = False) -> None:
        """Enqueue due periodic jobs; now and then beat and take over jobs of dead workers."""
        now = timezone.now()
        try:
            if self.periodic:
                # Only a job whose period changed since the last look costs a database write.
                due = [
                    job
                    for job in periodic_jobs()
                    if self._last_slots.get(job.name) != job.slot_at(now)
                ]
                if due:
                    for name in periodic_runs_enqueue(now=now, jobs=due):
                        logger.info("Enqueued periodic job %s.", name)
                    self._last_slots.update({job.name: job.slot_at(now) for job in due})
            if force or time.monotonic() - self._last_housekeeping >= self.beat_every:
                worker_beat(worker_id=self.worker_id)
                jobs_reclaim(now=now)
                self._last_housekeeping = time.monotonic()
        except OperationalError as exc:
            # SQLite: another process holds the write lock; the next round tries again.
            if not is_locked_database_exception(exc):
                raise

    def claim_next(self) -> tuple[bool, DBTaskResult | None]:
        """Claim the next ready job, as django-tasks-db's own worker does."""
        jobs = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            jobs = jobs.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            jobs = jobs.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(jobs.db):
            try:
                row = jobs.get_locked()
                if row is not None:
                    row.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return False, None
                raise
        return True, row

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed job and record the outcome: success, a retry later, or failure."""
        row = db_task_result
        self.running_task = True
        try:
            task = row.task
            task_result = row.task_result
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            # Inside the try: a return value that is not JSON fails the job like an error does.
            job_succeed(row=row, return_value=value)
        except (KeyboardInterrupt, SystemExit):
            # Stopped from outside, not the job's fault: back to the queue for another worker.
            job_release(row=row)
            raise
        except Exception as exc:
            logger.warning("Job %s (%s) failed: %r", row.pk, row.task_path, exc)
            job_fail(row=row, exc=exc)
        finally:
            self.running_task = False
            self._run_tasks += 1
        try:
            row.refresh_from_db()
            task_finished.send(sender=type(row.task.get_backend()), task_result=row.task_result)
        except Exception:
            logger.exception("Job %s: could not announce its end", row.pk)

    def _beat(self) -> None:
        # Its own thread, so that a long job does not look like a dead worker.
        try:
            while not self._stop_beating.wait(self.beat_every):
                close_old_connections()
                try:
                    worker_beat(worker_id=self.worker_id)
                except DatabaseError as exc:
                    logger.warning("Worker %s: heartbeat failed: %s", self.worker_id, exc)
        finally:
            connection.close()
