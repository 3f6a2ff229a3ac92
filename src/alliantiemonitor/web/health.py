"""Liveness and readiness of an app process, for load balancers and orchestrators.

``/healthz`` (liveness) only asks the database for ``SELECT 1``: cheap enough to be polled every
few seconds. ``/readyz`` (readiness) also checks that every migration this code knows has been
applied, so that a process started with new code before ``migrate`` ran gets no traffic. The
background worker's heartbeat is reported there as a warning, never as a failure: the pages
work without a worker, and taking every app process out of the pool because the worker stopped
would turn a delay of e-mail into an outage.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from alliantiemonitor.jobs.models import Worker


@functools.cache
def _migrations_on_disk() -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
    """Every migration of this code, with the migrations it replaces (a squash) if any.

    Read once per process: the files do not change under a running process, and reading them
    costs far more than the query for the applied ones.
    """
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return {key: frozenset(graph.nodes[key].replaces or ()) for key in graph.nodes}


def unapplied_migrations() -> list[tuple[str, str]]:
    """The migrations this code has that the database has not recorded as applied."""
    recorder = MigrationRecorder(connection)
    applied = set(recorder.applied_migrations()) if recorder.has_table() else set()
    return sorted(
        key
        for key, replaces in _migrations_on_disk().items()
        if key not in applied and not (replaces and replaces <= applied)
    )


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


@dataclass
class Readiness:
    checks: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": self.checks,
            "warnings": self.warnings,
        }


def readiness() -> Readiness:
    """Whether this process may take traffic: the database answers and is fully migrated."""
    unknown = Readiness({"database": "unavailable", "migrations": "unknown"})
    if not database_answers():
        return unknown
    try:
        missing = unapplied_migrations()
    except DatabaseError:
        return unknown
    if missing:
        return Readiness({"database": "ok", "migrations": f"{len(missing)} unapplied"})
    result = Readiness({"database": "ok", "migrations": "ok"})
    try:
        worker_alive = Worker.objects.alive().exists()
    except DatabaseError:
        worker_alive = False
    if not worker_alive:
        lease = int(settings.ALLIANTIEMONITOR_WORKER_LEASE)
        result.warnings.append(f"worker: no heartbeat in the last {lease} s")
    return result
