"""The worker's webhook jobs (docs/worker.md): send a delivery, retry the due ones.

They live in the api app, not in ``jobs/tasks.py``, because the api app sits above ``jobs``
in the layers: ``jobs`` may not import it. The api app's ``ready()`` imports this module, so
every worker knows the periodic job.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from alliantiemonitor.api.services_webhooks import deliveries_retry_due, delivery_attempt
from alliantiemonitor.jobs.registry import periodic, task


@task
def webhook_deliver_job(*, delivery_id: str) -> str | None:
    """Send one webhook delivery if it is still due (a second run finds nothing to do)."""
    return delivery_attempt(delivery_id=delivery_id)


@periodic(every=dt.timedelta(minutes=1), name="webhooks.retry")
def webhooks_retry_job() -> int:
    """Try the webhook deliveries whose next try is due; return how many were sent."""
    return deliveries_retry_due(now=timezone.now())


def deliveries_send_after_commit(delivery_uuids: Iterable[uuid.UUID]) -> None:
    """Have the worker send each delivery as soon as the current transaction commits."""
    for delivery_uuid in delivery_uuids:
        transaction.on_commit(
            lambda value=str(delivery_uuid): webhook_deliver_job.enqueue(delivery_id=value),
            robust=True,
        )
