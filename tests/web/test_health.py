"""Liveness (/healthz) and readiness (/readyz) of an app process."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.jobs.models import Worker
from alliantiemonitor.web import health

pytestmark = pytest.mark.django_db


def _database_away(*args, **kwargs):
    raise OperationalError("connection refused")


def test_a_migrated_database_with_a_live_worker_is_ready_without_warnings(client):
    Worker.objects.create(worker_id="w-1", hostname="worker-host", pid=4242)
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
        "warnings": [],
    }


def test_a_missing_worker_heartbeat_is_a_warning_not_a_failure(client, settings):
    settings.ALLIANTIEMONITOR_WORKER_LEASE = 120.0
    stale = timezone.now() - dt.timedelta(minutes=10)
    Worker.objects.create(worker_id="w-old", hostname="worker-host", pid=1, seen_at=stale)
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["warnings"] == ["worker: no heartbeat in the last 120 s"]


def test_an_unapplied_migration_makes_the_process_not_ready(client):
    """New code started before ``migrate`` ran: no traffic until it has."""
    MigrationRecorder.Migration.objects.filter(app="jobs", name="0001_initial").delete()
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"] == {"database": "ok", "migrations": "1 unapplied"}
    assert health.unapplied_migrations() == [("jobs", "0001_initial")]


def test_a_squashed_migration_counts_as_applied_when_everything_it_replaces_is():
    on_disk = {("app", "0001_squashed_0002"): frozenset({("app", "0001"), ("app", "0002")})}
    with (
        mock.patch.object(health, "_migrations_on_disk", return_value=on_disk),
        mock.patch.object(
            MigrationRecorder, "applied_migrations", return_value={("app", "0001"): None}
        ),
    ):
        assert health.unapplied_migrations() == [("app", "0001_squashed_0002")]
    with (
        mock.patch.object(health, "_migrations_on_disk", return_value=on_disk),
        mock.patch.object(
            MigrationRecorder,
            "applied_migrations",
            return_value={("app", "0001"): None, ("app", "0002"): None},
        ),
    ):
        assert health.unapplied_migrations() == []


def test_readiness_is_503_while_the_database_is_away():
    with mock.patch.object(BaseDatabaseWrapper, "cursor", _database_away):
        response = Client(raise_request_exception=False).get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "unavailable", "migrations": "unknown"},
        "warnings": [],
    }


@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_probes_over_plain_http_are_not_redirected_to_https(client, settings, name):
    """A load balancer probes the app process directly, without TLS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_the_readiness_probe_takes_only_get(client):
    assert client.post(reverse("readyz")).status_code == 405
