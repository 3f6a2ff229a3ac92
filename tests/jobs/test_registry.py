"""Adding a periodic job, and the schedule that enqueues it once per period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.jobs import registry
from alliantiemonitor.jobs.models import PeriodicRun
from alliantiemonitor.jobs.registry import PeriodicJob, periodic, periodic_jobs
from alliantiemonitor.jobs.services import periodic_runs_enqueue
from tests.jobs import tasks

FIVE_MINUTES = dt.timedelta(minutes=5)


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "_PERIODIC", {})


def test_the_first_jobs_are_registered():
    names = [job.name for job in periodic_jobs()]
    assert "rounds.expire" in names
    job = registry.periodic_job("rounds.expire")
    assert job is not None
    assert job.every == FIVE_MINUTES
    assert job.task.module_path == "alliantiemonitor.jobs.tasks.rounds_expire_job"


def _tidy() -> int:
    return 3


def test_periodic_makes_a_task_and_registers_it(clean_registry):
    job_task = periodic(every=FIVE_MINUTES, name="test.tidy")(_tidy)
    assert job_task.call() == 3
    assert [job.name for job in periodic_jobs()] == ["test.tidy"]
    assert periodic_jobs()[0].task is job_task


def test_a_name_is_registered_once(clean_registry):
    periodic(every=FIVE_MINUTES, name="test.twice")(_tidy)
    with pytest.raises(ValueError, match="registered twice"):
        periodic(every=FIVE_MINUTES, name="test.twice")(_ping.func)


def test_a_period_is_at_least_a_second():
    with pytest.raises(ValueError, match="at least one second"):
        periodic(every=dt.timedelta(0), name="test.never")


def test_periods_are_counted_from_the_epoch_the_same_everywhere():
    job = PeriodicJob(name="x", every=FIVE_MINUTES, task=tasks.record)
    moment = dt.datetime(2026, 3, 2, 10, 7, 30, tzinfo=dt.UTC)
    slot = job.slot_at(moment)
    assert job.slot_start(slot) == dt.datetime(2026, 3, 2, 10, 5, tzinfo=dt.UTC)
    assert job.slot_at(moment + dt.timedelta(minutes=2, seconds=29)) == slot
    assert job.slot_at(moment + dt.timedelta(minutes=2, seconds=30)) == slot + 1
    # The same instant in another time zone is the same period.
    amsterdam = moment.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert job.slot_at(amsterdam) == slot


@pytest.mark.django_db
def test_each_period_is_enqueued_once():
    job = PeriodicJob(name="test.ping", every=FIVE_MINUTES, task=_ping)
    now = timezone.now()
    assert periodic_runs_enqueue(now=now, jobs=[job]) == ["test.ping"]
    # A second worker, or the same one a moment later, finds the period taken.
    assert periodic_runs_enqueue(now=now + dt.timedelta(seconds=1), jobs=[job]) == []
    assert PeriodicRun.objects.filter(name="test.ping").count() == 1
    run = PeriodicRun.objects.get(name="test.ping")
    assert DBTaskResult.objects.filter(pk=run.job_id, task_path=_ping.module_path).count() == 1
    assert run.due_at == job.slot_start(job.slot_at(now))
    # The next period is enqueued again.
    assert periodic_runs_enqueue(now=now + FIVE_MINUTES, jobs=[job]) == ["test.ping"]
    assert DBTaskResult.objects.filter(task_path=_ping.module_path).count() == 2


@registry.task
def _ping() -> str:
    return "pong"
