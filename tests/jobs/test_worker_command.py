"""``manage.py worker``: the first periodic job end to end, and a clean stop."""

from __future__ import annotations

import datetime as dt
import signal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.jobs import worker as worker_module
from alliantiemonitor.jobs.models import PeriodicRun, Worker
from alliantiemonitor.measurements.services import round_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)


def test_a_batch_run_expires_overdue_rounds_through_the_periodic_job(trajectory, professional):
    due = timezone.localdate() - dt.timedelta(days=21)
    overdue = round_start(trajectory=trajectory, by=professional, due_date=due)
    sigterm_before = signal.getsignal(signal.SIGTERM)

    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO())

    overdue.refresh_from_db()
    assert overdue.state == "expired"
    run = PeriodicRun.objects.get(name="rounds.expire")
    job = DBTaskResult.objects.get(pk=run.job_id)
    assert job.status == "SUCCESSFUL"
    assert job.return_value == 1
    assert AuditEvent.objects.filter(action="round.expire").count() == 1
    # A stopped worker leaves no entry in the list of workers, nor its signal handlers.
    assert not Worker.objects.exists()
    assert signal.getsignal(signal.SIGTERM) is sigterm_before

    # Every periodic job ran once; within the same period a second run enqueues nothing new.
    names = set(PeriodicRun.objects.values_list("name", flat=True))
    assert {
        "rounds.expire",
        "rounds.open_due",
        "reminders.send",
        "signals.recompute",
        "references.estimate",
    } <= names
    runs = PeriodicRun.objects.count()
    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert PeriodicRun.objects.count() == runs


def test_no_periodic_leaves_the_schedule_to_others():
    call_command("worker", "--batch", "--no-startup-delay", "--no-periodic", stdout=StringIO())
    assert not PeriodicRun.objects.exists()


def test_sigterm_finishes_the_job_then_stops():
    worker = worker_module.JobWorker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w",
        excluded_queue_names=[],
    )
    worker.running_task = True
    worker.shutdown(signal.SIGTERM, None)
    assert worker.running is False
    # A second signal stops at once.
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit):
            worker.shutdown(signal.SIGTERM, None)
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)
