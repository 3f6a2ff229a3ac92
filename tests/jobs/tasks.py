"""Jobs used by the worker tests: each leaves one audit event per run, so runs can be counted.

The worker subprocesses in the PostgreSQL tests import them by path (``tests.jobs.tasks.…``).
"""

from __future__ import annotations

import time

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.jobs.registry import task

ACTION = "jobs.test_run"


def runs(key: str) -> int:
    """How often the job with ``key`` ran to its end."""
    return AuditEvent.objects.filter(action=ACTION, detail__key=key).count()


@task
def record(key: str) -> str:
    audit_record(actor=None, action=ACTION, detail={"key": key})
    return key


@task
def slow_record(key: str, seconds: float) -> str:
    # Killed during the pause, a run leaves nothing behind.
    time.sleep(seconds)
    audit_record(actor=None, action=ACTION, detail={"key": key})
    return key


@task
def fail_until(key: str, attempts_needed: int) -> str:
    """Fail on every attempt before ``attempts_needed``; count every attempt."""
    audit_record(actor=None, action="jobs.test_attempt", detail={"key": key})
    tried = AuditEvent.objects.filter(action="jobs.test_attempt", detail__key=key).count()
    if tried < attempts_needed:
        raise RuntimeError(f"attempt {tried} of {key} fails on purpose")
    audit_record(actor=None, action=ACTION, detail={"key": key})
    return key
