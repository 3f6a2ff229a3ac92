"""Adding a job is one small function.

A one-off job is a plain task, enqueued by whoever needs it::

    from alliantiemonitor.jobs.registry import task

    @task
    def export_build(*, export_id: str) -> None: ...

    export_build.enqueue(export_id=str(export.uuid))

A periodic job is a task that the workers enqueue once per period (docs/worker.md)::

    from alliantiemonitor.jobs.registry import periodic

    @periodic(every=datetime.timedelta(minutes=5), name="rounds.expire")
    def rounds_expire_job() -> int: ...

Both are Django's tasks (the ``django-tasks`` backport until Django 6, then ``django.tasks``):
arguments and return values must be JSON, and a job must be safe to run twice, since a job whose
worker died is run again. Job functions live in ``alliantiemonitor/jobs/`` (the app above the
others) as thin wrappers around an idempotent service of the app below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

try:  # Django 6 has the tasks framework built in; until then, its backport.
    from django.tasks import Task, task  # type: ignore[import-not-found]
except ImportError:
    from django_tasks import task
    from django_tasks.base import Task

__all__ = ["PeriodicJob", "periodic", "periodic_jobs", "task"]


@dataclass(frozen=True)
class PeriodicJob:
    """A task that is due once in every period of ``every``, counted from the Unix epoch."""

    name: str
    every: dt.timedelta
    task: Task

    def slot_at(self, moment: dt.datetime) -> int:
        """Number the period that ``moment`` falls in (the same number on every machine)."""
        return int(moment.timestamp() // self.every.total_seconds())

    def slot_start(self, slot: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(slot * self.every.total_seconds(), tz=dt.UTC)


_PERIODIC: dict[str, PeriodicJob] = {}


def periodic(
    *, every: dt.timedelta, name: str, priority: int = 0
) -> Callable[[Callable[[], Any]], Task]:
    """Make ``func`` a task that the workers enqueue once per ``every``; ``name`` must be unique.

    The function takes no arguments (it works out what is due itself, from the time it runs).
    """
    if every < dt.timedelta(seconds=1):
        raise ValueError(f"periodic job {name!r}: every must be at least one second")

    def decorator(func: Callable[[], Any]) -> Task:
        if name in _PERIODIC:
            raise ValueError(f"periodic job {name!r} is registered twice")
        job_task = task(func, priority=priority)
        _PERIODIC[name] = PeriodicJob(name=name, every=every, task=job_task)
        return job_task

    return decorator


def periodic_jobs() -> list[PeriodicJob]:
    """Return the registered periodic jobs, by name."""
    return [_PERIODIC[name] for name in sorted(_PERIODIC)]


def periodic_job(name: str) -> PeriodicJob | None:
    return _PERIODIC.get(name)
