"""What the worker keeps beside django-tasks-db's queue table.

The queue itself is ``django_tasks_db.DBTaskResult``: one row per job, with its status, the
workers that tried it (``worker_ids``, so the number of attempts), the earliest time it may run
(``run_after``) and the last error. The rows here make periodic jobs run once per period and
let a job whose worker died be run again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class Job(DBTaskResult):
    """The queue table under a translated name, for the admin."""

    class Meta:
        proxy = True
        verbose_name = _("job")
        verbose_name_plural = _("jobs")


class PeriodicRun(models.Model):
    """One period of one periodic job that a worker has enqueued.

    The unique (name, slot) pair is the whole scheduler: every worker tries to insert the row
    for the current period and enqueues the job in the same transaction, so with any number of
    workers only one of them enqueues it.
    """

    name = models.CharField(_("periodic job"), max_length=100)
    slot = models.BigIntegerField(_("period number"))
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    job_id = models.UUIDField(_("job"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")
        ordering = ["-due_at", "name"]
        indexes = [models.Index(fields=["due_at"], name="jobs_periodic_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="jobs_periodic_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"


class WorkerQuerySet(models.QuerySet["Worker"]):
    def alive(self, now: dt.datetime | None = None) -> WorkerQuerySet:
        """Workers that gave a sign of life within the lease."""
        now = now or timezone.now()
        lease = dt.timedelta(seconds=settings.ALLIANTIEMONITOR_WORKER_LEASE)
        return self.filter(seen_at__gte=now - lease)


class Worker(models.Model):
    """A running (or lately running) ``manage.py worker`` and its last sign of life."""

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
