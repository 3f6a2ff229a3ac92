"""Two workers at the same moment send each message once (PostgreSQL: real row locks)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.scheduling.models import Delivery
from alliantiemonitor.scheduling.services import (
    client_contact_set,
    digests_send_due,
    organisation_schedule_set,
    reminders_send_due,
    rounds_open_due,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between workers need PostgreSQL"
    ),
]


def _together(job: Callable[[], int], workers: int = 2) -> list[Any]:
    """Run ``job`` in ``workers`` threads released at the same moment; their results."""
    barrier = threading.Barrier(workers)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(job())
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_workers_open_invite_remind_and_digest_once(
    smtp, organisation, org_admin, trajectory, client_record, professional
):
    organisation_schedule_set(
        organisation=organisation, by=org_admin, channel="email", reminder_after_days=3
    )
    client_contact_set(client=client_record, by=professional, email="kv@example.net", consent=True)
    now = timezone.now()

    opened = _together(lambda: rounds_open_due(now=now))
    assert sorted(opened) == [0, 1]
    assert MeasurementRound.objects.filter(trajectory=trajectory).count() == 1
    assert len(smtp.to("kv@example.net")) == 1

    reminded = _together(lambda: reminders_send_due(now=now + dt.timedelta(days=3)))
    assert sorted(reminded) == [0, 1]
    assert len(smtp.to("kv@example.net")) == 2

    monday = timezone.make_aware(dt.datetime(2030, 1, 7, 9, 0))
    digested = _together(lambda: digests_send_due(now=monday))
    assert sorted(digested) == [0, 1]
    assert len(smtp.to(professional.email)) == 1
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 4
