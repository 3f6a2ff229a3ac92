"""Jobs used by the worker tests: each leaves one audit event per run, so runs can be counted.

The worker subprocesses in the PostgreSQL tests import them by path (``tests.jobs.tasks.…``).
"""

from __future__ import annotations

import time

from alliantiemonitor.audit import chain
from alliantiemonitor.audit import services as audit_services
from alliantiemonitor.audit.constants import ActorKind
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.jobs.registry import task

ACTION = "jobs.test_run"


def _count(action: str, key: str) -> None:
    # Appended to the chain as ``audit_record`` does, but with a test-only action name, which
    # ``audit_record`` would refuse.
    event = AuditEvent(
        actor_kind=ActorKind.SYSTEM,
        action=action,
        detail={"key": key},
        personal_salt=chain.new_salt(),
    )
    event.personal_digest = chain.personal_digest_of(event)
    audit_services._append(event)


def runs(key: str) -> int:
    """How often the job with ``key`` ran to its end."""
    return AuditEvent.objects.filter(action=ACTION, detail__key=key).count()


@task
def record(key: str) -> str:
    _count(ACTION, key)
    return key


@task
def slow_record(key: str, seconds: float) -> str:
    # Killed during the pause, a run leaves nothing behind.
    time.sleep(seconds)
    _count(ACTION, key)
    return key


@task
def fail_until(key: str, attempts_needed: int) -> str:
    """Fail on every attempt before ``attempts_needed``; count every attempt."""
    _count("jobs.test_attempt", key)
    tried = AuditEvent.objects.filter(action="jobs.test_attempt", detail__key=key).count()
    if tried < attempts_needed:
        raise RuntimeError(f"attempt {tried} of {key} fails on purpose")
    _count(ACTION, key)
    return key
