"""Several worker processes on PostgreSQL: each job runs once, also when a worker is killed.

These start real ``manage.py worker`` processes against the test database, so the data they
need is committed first (``transactional_db``). SQLite has one writer at a time and runs one
worker (docs/worker.md), so these tests only run on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.jobs.models import PeriodicRun
from tests.jobs import tasks
from tests.jobs.processes import Workers, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers need row locks across processes (PostgreSQL)")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def test_two_workers_run_each_queued_job_once(workers):
    keys = [f"job-{n}" for n in range(30)]
    results = [tasks.record.enqueue(key) for key in keys]
    workers.start("one", "--batch", "--no-periodic")
    workers.start("two", "--batch", "--no-periodic")
    workers.wait()

    rows = DBTaskResult.objects.filter(pk__in=[result.id for result in results])
    assert sorted(set(rows.values_list("status", flat=True))) == ["SUCCESSFUL"]
    assert all(len(row.worker_ids) == 1 for row in rows)
    assert {key: tasks.runs(key) for key in keys} == dict.fromkeys(keys, 1)


def test_two_workers_enqueue_a_periodic_job_once_per_period(workers):
    workers.start("one", "--batch")
    workers.start("two", "--batch")
    workers.wait()

    runs = PeriodicRun.objects.filter(name="rounds.expire")
    assert runs.count() == 1
    jobs = DBTaskResult.objects.filter(task_path="alliantiemonitor.jobs.tasks.rounds_expire_job")
    assert jobs.count() == 1
    assert jobs.get().status == "SUCCESSFUL"


def test_the_job_of_a_killed_worker_is_finished_once_by_another(workers):
    result = tasks.slow_record.enqueue("killed", 4)
    # A short lease, so that the take-over happens within the test.
    for worker_id in ("one", "two"):
        workers.start(worker_id, "--no-periodic", lease=2)

    def claimed() -> bool:
        return DBTaskResult.objects.get(pk=result.id).status == "RUNNING"

    wait_for(claimed, 30, "a worker to claim the job")
    row = DBTaskResult.objects.get(pk=result.id)
    victim = row.worker_ids[0]

    # Past the lease, the busy worker's heartbeat keeps its job from being taken over.
    time.sleep(2.5)
    row.refresh_from_db()
    assert row.status == "RUNNING"
    assert row.worker_ids == [victim]

    os.kill(workers.processes[victim].pid, signal.SIGKILL)
    workers.processes[victim].wait(timeout=10)
    assert tasks.runs("killed") == 0

    def finished() -> bool:
        return DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"

    wait_for(finished, 30, "the other worker to finish the job")
    row.refresh_from_db()
    survivor = "two" if victim == "one" else "one"
    assert row.worker_ids == [victim, survivor]
    assert tasks.runs("killed") == 1

    # The survivor stops cleanly on SIGTERM.
    workers.processes[survivor].send_signal(signal.SIGTERM)
    assert workers.processes[survivor].wait(timeout=10) == 0, workers.log(survivor)
