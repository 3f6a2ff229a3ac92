"""Jobs are retried with backoff, fail for good with their error, and survive a dead worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.jobs.models import PeriodicRun, Worker
from alliantiemonitor.jobs.services import (
    job_retry_delay,
    job_succeed,
    jobs_reclaim,
    worker_register,
)
from tests.jobs import tasks

pytestmark = pytest.mark.django_db


def _row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def _make_due(row: DBTaskResult) -> None:
    # Stands in for the wait until the retry is due.
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() - dt.timedelta(1))


def test_backoff_doubles_and_is_capped(settings):
    settings.ALLIANTIEMONITOR_JOB_RETRY_DELAY = 30
    assert [job_retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert job_retry_delay(20) == dt.timedelta(hours=1)


def test_a_job_runs_once_and_keeps_its_result(run_worker):
    result = tasks.record.enqueue("once")
    run_worker()
    row = _row(result)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "once"
    assert row.worker_ids == ["test-worker"]
    assert tasks.runs("once") == 1
    run_worker()
    assert tasks.runs("once") == 1


def test_a_failing_job_is_retried_later_with_the_error_kept(run_worker, settings):
    settings.ALLIANTIEMONITOR_JOB_RETRY_DELAY = 30
    result = tasks.fail_until.enqueue("flaky", 3)
    before = timezone.now()
    run_worker()
    row = _row(result)
    assert row.status == "READY"
    assert row.exception_class_path == "builtins.RuntimeError"
    assert "attempt 1 of flaky fails on purpose" in row.traceback
    assert row.run_after >= before + dt.timedelta(seconds=30)
    assert row.run_after <= timezone.now() + dt.timedelta(seconds=30)
    assert row.finished_at is None

    # Not due yet: a worker leaves it alone.
    run_worker()
    assert len(_row(result).worker_ids) == 1

    _make_due(row)
    second = timezone.now()
    run_worker()
    row = _row(result)
    assert row.status == "READY"
    assert row.run_after >= second + dt.timedelta(seconds=60)

    _make_due(row)
    run_worker()
    row = _row(result)
    assert row.status == "SUCCESSFUL"
    assert row.exception_class_path == ""
    assert row.traceback == ""
    assert len(row.worker_ids) == 3
    assert tasks.runs("flaky") == 1


def test_a_job_that_keeps_failing_stays_failed_with_its_traceback(run_worker, settings):
    settings.ALLIANTIEMONITOR_JOB_RETRY_DELAY = 0
    settings.ALLIANTIEMONITOR_JOB_ATTEMPTS = 3
    result = tasks.fail_until.enqueue("hopeless", 99)
    run_worker()
    row = _row(result)
    assert row.status == "FAILED"
    assert len(row.worker_ids) == 3
    assert row.finished_at is not None
    assert "attempt 3 of hopeless fails on purpose" in row.traceback
    assert tasks.runs("hopeless") == 0


def test_an_unknown_job_fails_without_stopping_the_worker(run_worker, settings):
    settings.ALLIANTIEMONITOR_JOB_ATTEMPTS = 1
    gone = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.jobs.tasks.no_such_job",
        backend_name="default",
    )
    result = tasks.record.enqueue("after")
    run_worker()
    assert _row(gone).status == "FAILED"
    assert "ImportError" in _row(gone).traceback or "AttributeError" in _row(gone).traceback
    assert _row(result).status == "SUCCESSFUL"


def _claimed_by(worker_id: str, *, minutes_ago: int, key: str = "claimed") -> DBTaskResult:
    row = _row(tasks.record.enqueue(key))
    row.claim(worker_id)
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)
    row.refresh_from_db()
    return row


def test_the_job_of_a_dead_worker_runs_again(run_worker, settings):
    settings.ALLIANTIEMONITOR_WORKER_LEASE = 60
    worker_register(worker_id="dead")
    Worker.objects.filter(worker_id="dead").update(seen_at=timezone.now() - dt.timedelta(minutes=2))
    row = _claimed_by("dead", minutes_ago=3)

    assert jobs_reclaim() == 1
    row.refresh_from_db()
    assert row.status == "READY"
    assert row.exception_class_path == "alliantiemonitor.jobs.exceptions.WorkerLost"

    run_worker(worker_id="alive")
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids == ["dead", "alive"]
    assert tasks.runs("claimed") == 1


def test_the_job_of_a_live_worker_is_left_alone(settings):
    settings.ALLIANTIEMONITOR_WORKER_LEASE = 60
    worker_register(worker_id="busy")
    row = _claimed_by("busy", minutes_ago=30)
    assert jobs_reclaim() == 0
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_fresh_claim_gets_the_lease_before_it_is_taken(settings):
    settings.ALLIANTIEMONITOR_WORKER_LEASE = 60
    row = _claimed_by("unknown", minutes_ago=0)
    assert jobs_reclaim() == 0
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_job_that_kills_its_workers_fails_after_its_attempts(settings):
    settings.ALLIANTIEMONITOR_WORKER_LEASE = 60
    settings.ALLIANTIEMONITOR_JOB_ATTEMPTS = 2
    row = _claimed_by("first", minutes_ago=5)
    DBTaskResult.objects.filter(pk=row.pk).update(worker_ids=["zero", "first"])
    assert jobs_reclaim() == 1
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert "gave no sign of life" in row.traceback


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_outcome(settings):
    settings.ALLIANTIEMONITOR_WORKER_LEASE = 60
    stale = _claimed_by("slow", minutes_ago=5)
    assert jobs_reclaim() == 1
    fresh = DBTaskResult.objects.get(pk=stale.pk)
    fresh.claim("other")
    # The slow worker wakes up and reports: its claim is no longer the row's claim.
    assert job_succeed(row=stale, return_value="late") is False
    assert job_succeed(row=fresh, return_value="on time") is True
    fresh.refresh_from_db()
    assert fresh.return_value == "on time"


def test_old_periodic_runs_and_dead_workers_are_forgotten():
    now = timezone.now()
    PeriodicRun.objects.create(name="old", slot=1, due_at=now - dt.timedelta(days=31))
    PeriodicRun.objects.create(name="recent", slot=2, due_at=now - dt.timedelta(days=29))
    worker_register(worker_id="long-gone")
    Worker.objects.update(seen_at=now - dt.timedelta(days=2))
    jobs_reclaim(now=now)
    assert list(PeriodicRun.objects.values_list("name", flat=True)) == ["recent"]
    assert not Worker.objects.exists()
