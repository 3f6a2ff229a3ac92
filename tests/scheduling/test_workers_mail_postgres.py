"""Real worker processes send each invitation and reminder once, also when one is killed.

The tests in ``test_exactly_once.py`` call the services from two threads of the test process;
these start real ``manage.py worker`` processes (``tests/jobs/processes.py``) against the
committed test database, with Django's SMTP backend pointed at the loopback SMTP server of the
``smtp`` fixture. The server holds the first client recipient (the SMTP ``RCPT`` command) until
the test lets it go, so the test knows exactly where a worker is: inside the message's
transaction, with its ``Delivery`` row claimed and nothing delivered yet. PostgreSQL only:
SQLite runs one worker (docs/worker.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.jobs.tasks import reminders_send_job, rounds_open_due_job
from alliantiemonitor.measurements.models import Invitation, MeasurementRound
from alliantiemonitor.scheduling.models import Delivery
from alliantiemonitor.scheduling.services import (
    client_contact_set,
    mail_preference_set,
    organisation_schedule_set,
    rounds_open_due,
)
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory
from tests.jobs.processes import Workers, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

#: Long enough for a slow machine; every wait polls and ends as soon as its condition holds.
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers need row locks across processes (PostgreSQL)")


class FirstRecipientHeld:
    """An aiosmtpd ``RCPT`` hook that holds the first of ``addresses`` until released.

    ``reached`` is set when that recipient arrives; the session then waits (without blocking
    the server's event loop, so other sessions go on) until ``release`` is set. Every later
    recipient is accepted at once.
    """

    def __init__(self, addresses: set[str]) -> None:
        self.addresses = addresses
        self.reached = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.addresses and not self.reached.is_set():
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def hold(smtp: Any) -> Iterator[Any]:
    """Install a :class:`FirstRecipientHeld` on the loopback server; ``hold(addresses)``."""
    holders: list[FirstRecipientHeld] = []

    def install(addresses: set[str]) -> FirstRecipientHeld:
        holder = FirstRecipientHeld(addresses)
        smtp.handle_RCPT = holder.handle_RCPT
        holders.append(holder)
        return holder

    try:
        yield install
    finally:
        for holder in holders:
            holder.release.set()  # so that the server can stop


@pytest.fixture
def workers(tmp_path: Path, smtp: Any) -> Iterator[Any]:
    """Start workers whose mail goes to the loopback server: ``workers.start(id, *args)``."""
    mail_env = {
        "DEBUG": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "ALLIANTIEMONITOR_BASE_URL": settings.ALLIANTIEMONITOR_BASE_URL,
    }
    pool = Workers(tmp_path)
    start = pool.start

    def start_with_mail(worker_id: str, *args: str, lease: float = 120) -> Any:
        return start(worker_id, *args, lease=lease, env=mail_env)

    pool.start = start_with_mail  # type: ignore[method-assign]
    try:
        yield pool
    finally:
        pool.stop_all()


def _address(n: int) -> str:
    return f"client{n}.synthetisch@example.net"


def _clients_invited_days_ago(
    *, smtp: Any, organisation: Any, team: Any, professional: Any, count: int, days: int
) -> list[str]:
    """``count`` clients whose round the schedule opened and who were invited ``days`` ago."""
    addresses = []
    for n in range(count):
        client = ClientFactory(organisation=organisation)
        trajectory_start(
            client=client,
            professional=professional,
            legal_frame="",
            start_date=timezone.localdate() - dt.timedelta(days=30),
            team=team,
        )
        client_contact_set(client=client, by=professional, email=_address(n), consent=True)
        addresses.append(_address(n))
    assert rounds_open_due(now=timezone.now() - dt.timedelta(days=days)) == count
    assert len(smtp.received) == count
    smtp.received.clear()
    return addresses


def _lock_waiters() -> int:
    """Other database sessions now waiting for a lock (a row lock or another's unique key)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _uncommitted_delivery_writers() -> int:
    """Other sessions inside an open transaction that wrote to the deliveries table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT l.pid) FROM pg_locks l "
            "JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted "
            "AND l.pid <> pg_backend_pid() AND a.state LIKE 'idle in transaction%%'",
            [Delivery._meta.db_table],
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def by_mail(organisation: Any, org_admin: Any, professional: Any) -> Any:
    """The organisation invites by e-mail and reminds after 3 days; no digests in the way."""
    organisation_schedule_set(
        organisation=organisation,
        by=org_admin,
        enabled=True,
        channel="email",
        reminder_after_days=3,
        reminder_max=2,
    )
    mail_preference_set(user=professional, weekly_digest=False)
    return organisation


def test_two_worker_processes_send_each_invitation_and_reminder_once(
    smtp, hold, workers, by_mail, team, professional
):
    """Two workers started together, with a job each racing for the same messages.

    The periodic schedule enqueues one job per period (tests/jobs), so to make the two
    processes race for the same message the test also enqueues the reminder and invitation
    jobs twice by hand (as a period boundary or a job taken over after a crash can). The server
    holds the first client message until the other worker waits on that message's lock in the
    database: the contention is real, not left to timing. Then each client gets one message.
    """
    reminded = _clients_invited_days_ago(
        smtp=smtp,
        organisation=by_mail,
        team=team,
        professional=professional,
        count=6,
        days=4,
    )
    invited = []
    for n in range(6, 10):  # new trajectories: their start round is due, not yet opened
        client = ClientFactory(organisation=by_mail)
        trajectory_start(
            client=client,
            professional=professional,
            legal_frame="",
            start_date=timezone.localdate() - dt.timedelta(days=1),
            team=team,
        )
        client_contact_set(client=client, by=professional, email=_address(n), consent=True)
        invited.append(_address(n))
    held = hold(set(reminded) | set(invited))
    jobs = [job.enqueue() for job in (reminders_send_job, reminders_send_job)]
    jobs += [job.enqueue() for job in (rounds_open_due_job, rounds_open_due_job)]

    for worker_id in ("one", "two"):
        workers.start(worker_id, "--batch", "--no-startup-delay")

    assert held.reached.wait(TIMEOUT), workers.log("one") + workers.log("two")
    # One worker is in the middle of a message; the other waits for its claim.
    wait_for(lambda: _lock_waiters() >= 1, TIMEOUT, "the other worker to wait on the claim")
    assert smtp.received == []
    held.release.set()
    workers.wait(timeout=TIMEOUT)

    for address in reminded + invited:
        assert len(smtp.to(address)) == 1, address
    assert len(smtp.received) == len(reminded) + len(invited)
    sent = Delivery.objects.filter(sent_at__isnull=False)
    assert sent.filter(kind="reminder").count() == len(reminded)
    assert sent.filter(kind="invitation").count() == len(reminded) + len(invited)
    rows = DBTaskResult.objects.filter(pk__in=[job.id for job in jobs])
    assert set(rows.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # Both processes ran jobs.
    assert {row.worker_ids[0] for row in DBTaskResult.objects.all()} == {"one", "two"}


def test_a_worker_killed_mid_reminder_leaves_it_to_another_which_sends_it_once(
    smtp, hold, workers, by_mail, team, professional
):
    """SIGKILL between claiming the reminder and the mail server accepting it.

    The worker has claimed the job and, inside the message's transaction, the reminder's
    ``Delivery`` row (and a fresh link) when the server holds its ``RCPT``. It is killed there:
    PostgreSQL rolls its transaction back, so no trace of the reminder is left, and the job
    stays RUNNING. A second worker (lease 2 s) sees no heartbeat from the first for the lease,
    queues the job again at once and runs it (``jobs_reclaim``): the same job, not the next
    period's, ends SUCCESSFUL with both workers in its history and a result of 1. The client
    gets one reminder, with the link made by the second worker.
    """
    [address] = _clients_invited_days_ago(
        smtp=smtp,
        organisation=by_mail,
        team=team,
        professional=professional,
        count=1,
        days=4,
    )
    measurement_round = MeasurementRound.objects.get()
    assert Invitation.objects.filter(round=measurement_round).count() == 1
    held = hold({address})
    job = reminders_send_job.enqueue()

    victim = workers.start("one", "--no-periodic", "--no-startup-delay", lease=2)
    assert held.reached.wait(TIMEOUT), workers.log("one")

    # In the middle of the job: claimed, the delivery written in an open transaction, nothing
    # delivered and nothing committed.
    row = DBTaskResult.objects.get(pk=job.id)
    assert row.status == "RUNNING"
    assert row.worker_ids == ["one"]
    assert _uncommitted_delivery_writers() == 1
    assert not Delivery.objects.filter(kind="reminder").exists()

    os.kill(victim.pid, signal.SIGKILL)
    assert victim.wait(timeout=10) == -signal.SIGKILL
    held.release.set()  # the dead worker's session at the server ends without a message
    wait_for(lambda: _uncommitted_delivery_writers() == 0, TIMEOUT, "PostgreSQL to roll back")
    assert smtp.received == []
    assert not Delivery.objects.filter(kind="reminder").exists()
    assert Invitation.objects.filter(round=measurement_round).count() == 1
    assert DBTaskResult.objects.get(pk=job.id).status == "RUNNING"

    survivor = workers.start("two", "--no-periodic", "--no-startup-delay", lease=2)

    def finished() -> bool:
        return DBTaskResult.objects.get(pk=job.id).status == "SUCCESSFUL"

    wait_for(finished, TIMEOUT, "the second worker to take the job over")
    row.refresh_from_db()
    assert row.worker_ids == ["one", "two"]
    assert row.return_value == 1

    [reminder] = smtp.to(address)
    assert len(smtp.received) == 1
    [delivery] = Delivery.objects.filter(kind="reminder")
    assert delivery.key == f"reminder:{measurement_round.uuid}:1"
    assert delivery.sent_at is not None
    assert AuditEvent.objects.filter(action="schedule.reminder_send").count() == 1
    # The client had not begun, so the reminder carries a new link: the second worker's.
    assert Invitation.objects.filter(round=measurement_round).count() == 2
    assert "/m/" in reminder.body

    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(timeout=TIMEOUT) == 0, workers.log("two")
