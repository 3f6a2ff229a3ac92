"""Webhooks: endpoints managed by the organisation admin, deliveries recorded and sent.

A delivery is recorded in the same transaction as its event (a round reaching both_done, a new
signal; see :mod:`alliantiemonitor.api.receivers`), so an event that is rolled back leaves no
delivery, and a committed one always has its delivery. It is sent after the commit by the
worker, and tried again with a doubling wait until it is sent or has used
``WEBHOOK_MAX_ATTEMPTS`` tries. Unique per endpoint, event and object: an event is delivered
once, however often its save is seen.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.api import webhook_outbound
from alliantiemonitor.api.constants import (
    WEBHOOK_FIRST_RETRY,
    WEBHOOK_MAX_ATTEMPTS,
    WEBHOOK_RESPONSE_KEPT,
    WEBHOOK_RETRY_BATCH,
    WEBHOOK_SECRET_PREFIX,
    DeliveryEvent,
    DeliveryState,
    WebhookEvent,
)
from alliantiemonitor.api.exceptions import (
    InvalidWebhookEvents,
    TooManyWebhooks,
    WebhookInactive,
    WebhookTestPending,
)
from alliantiemonitor.api.models import WebhookDelivery, WebhookEndpoint
from alliantiemonitor.api.services import admin_check
from alliantiemonitor.api.webhook_signing import SIGNATURE_HEADER, signature_header
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import clean_text
from alliantiemonitor.organisations.models import Organisation

logger = logging.getLogger(__name__)

#: Webhooks per organisation: each is a call the shared worker makes for every event.
MAX_WEBHOOKS = 10


def _clean_events(events: Any) -> list[str]:
    if isinstance(events, str) or not isinstance(events, list | tuple | set | frozenset):
        raise InvalidWebhookEvents()
    if not events or any(not isinstance(e, str) or e not in WebhookEvent.values for e in events):
        raise InvalidWebhookEvents()
    return sorted(set(events))


@transaction.atomic
def webhook_create(
    *, organisation: Organisation, name: str, url: str, events: Any, by: Any
) -> tuple[WebhookEndpoint, str]:
    """Make an endpoint of ``organisation`` for ``events``; return it with its secret.

    Only the organisation's admin may (:class:`NotAnOrganisationAdmin`). ``url`` must be
    ``https`` and must not name an internal address (:class:`UnsafeWebhookUrl`); a name is
    checked again each time it is called. ``events`` are
    :class:`~alliantiemonitor.api.constants.WebhookEvent` values (:class:`InvalidWebhookEvents`).
    The secret is returned to be shown once; it is kept encrypted, to sign the calls.
    """
    admin_check(by, organisation)
    if WebhookEndpoint.objects.filter(organisation=organisation).count() >= MAX_WEBHOOKS:
        raise TooManyWebhooks(TooManyWebhooks.default_message % {"limit": MAX_WEBHOOKS})
    name = clean_text(name, field=_("Name"), max_length=80, required=True)
    url = clean_text(url, field=_("Address"), max_length=500, required=True)
    webhook_outbound.url_check(url)
    events = _clean_events(events)
    secret = WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        name=name,
        url=url,
        events=events,
        secret=secret,
        created_by=by,
    )
    audit_record(
        actor=by,
        action=Action.WEBHOOK_CREATE,
        obj=endpoint,
        detail={"name": name, "url": url, "events": events},
    )
    return endpoint, secret


def _locked(endpoint: WebhookEndpoint, by: Any) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.select_for_update()
        .select_related("organisation")
        .get(pk=endpoint.pk)
    )
    admin_check(by, endpoint.organisation)
    return endpoint


@transaction.atomic
def webhook_deactivate(*, endpoint: WebhookEndpoint, by: Any) -> WebhookEndpoint:
    """Switch ``endpoint`` off: nothing more is recorded or sent; waiting deliveries fail."""
    endpoint = _locked(endpoint, by)
    if not endpoint.active:
        raise WebhookInactive()
    now = timezone.now()
    endpoint.active = False
    endpoint.deactivated_at = now
    endpoint.save(update_fields=["active", "deactivated_at"])
    endpoint.deliveries.filter(state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, next_attempt_at=None, last_error="endpoint switched off"
    )
    audit_record(
        actor=by, action=Action.WEBHOOK_DEACTIVATE, obj=endpoint, detail={"name": endpoint.name}
    )
    return endpoint


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint, by: Any) -> None:
    """Delete ``endpoint`` with its deliveries (the audit log keeps that it existed)."""
    endpoint = _locked(endpoint, by)
    audit_record(
        actor=by,
        action=Action.WEBHOOK_DELETE,
        obj=endpoint,
        detail={"name": endpoint.name, "url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def webhook_test(*, endpoint: WebhookEndpoint, by: Any) -> WebhookDelivery:
    """Record a test event for ``endpoint``, to be sent by the worker like any other."""
    endpoint = _locked(endpoint, by)
    if not endpoint.active:
        raise WebhookInactive()
    # One test at a time: each is a call the shared worker makes (up to 15 s, tried again on
    # failure), so a pile of tests would hold up everyone's jobs.
    if endpoint.deliveries.filter(event=DeliveryEvent.TEST, state=DeliveryState.PENDING).exists():
        raise WebhookTestPending()
    object_uuid = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=DeliveryEvent.TEST,
        object_uuid=object_uuid,
        payload={"organisation": endpoint.organisation.slug, "test": True},
        next_attempt_at=timezone.now(),
    )
    audit_record(
        actor=by, action=Action.WEBHOOK_TEST, obj=endpoint, detail={"delivery": delivery.uuid}
    )
    return delivery


def deliveries_record(
    *, organisation_id: int, event: str, object_uuid: uuid.UUID, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Record ``event`` about ``object_uuid`` for each active endpoint that asked for it.

    Called inside the event's own transaction; the caller has the worker send them after the
    commit (``api.tasks.deliveries_send_after_commit``; the periodic job ``webhooks.retry``
    catches any whose job was lost). An event already recorded for an endpoint is not
    recorded again. ``payload`` holds identifiers and states only. Returns the deliveries
    made now.
    """
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.active().filter(organisation_id=organisation_id)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    recorded = WebhookDelivery.objects.filter(
        endpoint__in=endpoints, event=event, object_uuid=object_uuid
    ).values_list("endpoint_id", flat=True)
    already = set(recorded)
    made = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            object_uuid=object_uuid,
            payload=payload,
            created_at=now,
            next_attempt_at=now,
        )
        for endpoint in endpoints
        if endpoint.pk not in already
    ]
    return made


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after try number ``attempts`` (1, 2, …): a minute, doubling each time."""
    return dt.timedelta(seconds=WEBHOOK_FIRST_RETRY * 2 ** max(attempts - 1, 0))


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The JSON body of ``delivery``: its payload with the event, its id and its time."""
    document = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        **delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _claim(delivery_id: Any, now: dt.datetime) -> WebhookDelivery | None:
    """Take ``delivery_id`` for one try, if it is due; its next try is booked already.

    Booking the next try before calling means that a worker that dies during the call leaves
    the delivery to be tried again later, and that a second worker skips it meanwhile.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(uuid=delivery_id)
            .due(now)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return (
        WebhookDelivery.objects.select_related("endpoint__organisation").filter(pk=delivery.pk)
    ).first()


def delivery_attempt(*, delivery_id: Any, now: dt.datetime | None = None) -> str | None:
    """Try to send the delivery ``delivery_id`` once, if it is due; return its state after.

    ``None`` when there was nothing to do (sent, failed, not due, taken by another worker, or
    its endpoint switched off). A 2xx answer is success; any other answer or none at all is
    tried again after :func:`retry_delay`, until ``WEBHOOK_MAX_ATTEMPTS`` tries failed.
    """
    try:
        delivery_id = uuid.UUID(str(delivery_id))
    except ValueError:
        return None
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = delivery_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Alliantiemonitor-Webhooks/1",
        "Alliantiemonitor-Event": delivery.event,
        "Alliantiemonitor-Delivery": str(delivery.uuid),
        # Signed with the clock of this very try (``now`` may be a batch's start), so that
        # the receiver's five minutes hold.
        SIGNATURE_HEADER: signature_header(endpoint.secret, int(timezone.now().timestamp()), body),
    }
    status: int | None = None
    try:
        answer = webhook_outbound.post(endpoint.url, body, headers)
    except (webhook_outbound.WebhookCallFailed, webhook_outbound.UnsafeWebhookUrl) as exc:
        error = str(getattr(exc, "message", exc))
    else:
        status = answer.status
        error = "" if 200 <= status < 300 else answer.text
    return _record_outcome(delivery, status=status, error=error)


def _record_outcome(delivery: WebhookDelivery, *, status: int | None, error: str) -> str:
    sent = status is not None and 200 <= status < 300
    fields: dict[str, Any] = {
        "last_status_code": status,
        "last_error": error[:WEBHOOK_RESPONSE_KEPT],
    }
    if sent:
        fields.update(state=DeliveryState.SENT, sent_at=timezone.now(), next_attempt_at=None)
    elif delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
        fields.update(state=DeliveryState.FAILED, next_attempt_at=None)
    else:
        fields["state"] = DeliveryState.PENDING
    with transaction.atomic():
        # Only while it is still this try's (an admin may have switched the endpoint off).
        WebhookDelivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.PENDING, attempts=delivery.attempts
        ).update(**fields)
        if sent:
            audit_record(
                actor=None,
                action=Action.WEBHOOK_DELIVER,
                obj=delivery,
                detail={
                    "endpoint": delivery.endpoint.uuid,
                    "event": delivery.event,
                    "object": delivery.object_uuid,
                    "status": status,
                },
            )
    if not sent:
        logger.info(
            "webhook delivery %s try %s failed: %s", delivery.uuid, delivery.attempts, status
        )
    return str(fields["state"])


def deliveries_retry_due(*, now: dt.datetime | None = None) -> int:
    """Try every due delivery once (at most ``WEBHOOK_RETRY_BATCH``); return how many were sent."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.due(now)
        .order_by("next_attempt_at", "pk")
        .values_list("uuid", flat=True)[:WEBHOOK_RETRY_BATCH]
    )
    return sum(delivery_attempt(delivery_id=d, now=now) == DeliveryState.SENT for d in due)


def deliveries_erase_for(*, trajectory_uuids: list[str]) -> int:
    """Delete the deliveries about these trajectories (their client is being erased).

    Identifiers of an erased client's trajectory are not kept, not even in a record of what
    was sent; a call still waiting is not sent. Returns how many were deleted.
    """
    if not trajectory_uuids:
        return 0
    found = WebhookDelivery.objects.filter(payload__trajectory__in=trajectory_uuids)
    return found.delete()[1].get(WebhookDelivery._meta.label, 0)
