"""The ``rounds_expire`` command that cron (or, later, the worker) runs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.management.commands import rounds_expire as command
from alliantiemonitor.measurements.services import round_start

pytestmark = pytest.mark.django_db


def _overdue_round(trajectory, professional):
    # Due three weeks ago: past the week of grace, so the command expires it.
    due = timezone.localdate() - dt.timedelta(days=21)
    return round_start(trajectory=trajectory, by=professional, due_date=due)


def test_command_expires_overdue_rounds_once(trajectory, professional):
    round_ = _overdue_round(trajectory, professional)
    out = StringIO()
    call_command("rounds_expire", stdout=out)
    round_.refresh_from_db()
    assert round_.state == "expired"
    assert "1 round expired" in out.getvalue()

    again = StringIO()
    call_command("rounds_expire", stdout=again)
    assert "0 rounds expired" in again.getvalue()
    assert AuditEvent.objects.filter(action="round.expire").count() == 1


def test_command_leaves_rounds_within_grace(trajectory, professional):
    due = timezone.localdate() - dt.timedelta(days=3)
    round_ = round_start(trajectory=trajectory, by=professional, due_date=due)
    call_command("rounds_expire", stdout=StringIO())
    round_.refresh_from_db()
    assert round_.state == "open"


def test_loop_runs_until_interrupted(trajectory, professional, monkeypatch):
    round_ = _overdue_round(trajectory, professional)
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(command.time, "sleep", fake_sleep)
    # Inside the test's transaction a real close would end the connection the test uses.
    reconnects = []
    monkeypatch.setattr(command, "close_old_connections", lambda: reconnects.append(1))
    out = StringIO()
    call_command("rounds_expire", "--loop", "--interval", "60", stdout=out)
    round_.refresh_from_db()
    assert round_.state == "expired"
    assert sleeps == [60, 60]
    assert reconnects == [1]  # before the run after the first pause
    assert out.getvalue().count("expired") == 2
    assert "stopped" in out.getvalue()


def test_interval_must_be_positive():
    with pytest.raises(Exception, match="at least 1"):
        call_command("rounds_expire", "--loop", "--interval", "0", stdout=StringIO())
