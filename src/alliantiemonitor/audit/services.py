"""Writing to the audit log: the one function every service calls after a write."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from alliantiemonitor.audit import chain
from alliantiemonitor.audit.constants import Action, ActorKind, PrivacyAction
from alliantiemonitor.audit.context import current_api_token, current_source
from alliantiemonitor.audit.models import AuditChainHead, AuditEvent
from alliantiemonitor.common.encryption import keyring
from alliantiemonitor.common.queries import unique_or_none


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    client: Any = None,
    organisation: Any = None,
    detail: dict[str, Any] | None = None,
    actor_kind: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` is the user who acted, or ``None`` for the system or a client without an account
    (pass ``actor_kind="client"`` then). ``action`` is one of the fixed names in
    :class:`~alliantiemonitor.audit.constants.Action` (or ``AccountAction``); any other name
    raises ``ValueError``, before anything is written.
    ``obj`` is the model instance acted on; when it has an ``audit_context()`` method, the
    organisation and client it concerns are taken from there unless given explicitly.
    ``detail`` must be JSON-serialisable (UUIDs, dates and decimals are fine) and must never
    hold answers or free text about a client.
    """
    Action.check(action)
    api_token = current_api_token()
    if api_token is not None and actor_kind in (None, ActorKind.USER, ActorKind.API_TOKEN):
        # Inside an API request every event is the integration's, with the token named.
        actor_kind = ActorKind.API_TOKEN
        detail = {**(detail or {}), "api_token": str(api_token)}
    if actor_kind is None:
        actor_kind = ActorKind.USER if actor is not None else ActorKind.SYSTEM
    if actor_kind not in ActorKind.values:
        raise ValueError(f"unknown actor kind {actor_kind!r}")
    object_type = ""
    object_uuid = None
    if obj is not None:
        object_type = obj._meta.label_lower
        object_uuid = getattr(obj, "uuid", None)
        context = getattr(obj, "audit_context", None)
        if context is not None:
            obj_organisation, obj_client = context()
            organisation = organisation if organisation is not None else obj_organisation
            client = client if client is not None else obj_client
    if client is not None and organisation is None:
        organisation = client.organisation
    # A client's address is not kept (data minimisation); a staff member's is, for "who saw".
    staff = actor_kind in (ActorKind.USER, ActorKind.API_TOKEN)
    ip_address, user_agent = current_source() if staff else ("", "")
    event = AuditEvent(
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        organisation=organisation,
        client=client,
        object_type=object_type,
        object_uuid=object_uuid,
        # Stored as it reads back from the database, so that the digest is computed alike.
        detail=json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder)),
        ip_address=ip_address,
        user_agent=user_agent,
        personal_salt=chain.new_salt(),
    )
    event.personal_digest = chain.personal_digest_of(event)
    _append(event)
    return event


#: Attempts of an append that is a transaction of its own (see :func:`_append`).
APPEND_ATTEMPTS = 5


def _append(event: AuditEvent) -> None:
    # The head's row lock serialises appends (on SQLite the write transaction does), so each
    # event builds on the one before it; the unique sequence number is the last safeguard.
    # No savepoint inside a caller's transaction: an event that cannot be written fails the
    # whole write it belongs to, and the page's query count stays three (lock, insert, move).
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic(savepoint=False):
            _append_locked(event)
        return
    # An append that is its own transaction (a page's view event) starts again from the head
    # when it lost a race for a sequence number. PostgreSQL's row lock and SQLite's immediate
    # transactions on a database file never let that happen; SQLite's shared in-memory database
    # (the test server's) does not serialise its writers, and there two pages loading at once
    # collided. Nothing was written by the attempt that lost.
    for attempt in range(APPEND_ATTEMPTS):
        try:
            with transaction.atomic(savepoint=False):
                _append_locked(event)
            return
        except (IntegrityError, OperationalError):
            if attempt == APPEND_ATTEMPTS - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


def _append_locked(event: AuditEvent) -> None:
    head = _locked_head()
    event.seq = head.seq + 1
    event.content_hash = chain.content_hash_of(event)
    event.chain_hash = chain.chain_hash(head.chain_hash, event.content_hash)
    event.save(force_insert=True)
    head.seq = event.seq
    head.chain_hash = event.chain_hash
    head.save(update_fields=["seq", "chain_hash"])


def _locked_head() -> AuditChainHead:
    head = unique_or_none(AuditChainHead.objects.select_for_update().filter(pk=1))
    if head is not None:
        return head
    # No head yet (a new or flushed database): start it after the newest event, if any.
    last = AuditEvent.objects.order_by("-seq").values("seq", "chain_hash").first()
    AuditChainHead.objects.get_or_create(
        pk=1,
        defaults={
            "seq": last["seq"] if last else 0,
            "chain_hash": last["chain_hash"] if last else chain.GENESIS,
        },
    )
    return AuditChainHead.objects.select_for_update().get(pk=1)


@transaction.atomic
def redact_client_events(client_id: int) -> list[list[int]]:
    """Blank the personal content of every event about the client ``client_id``.

    The events stay in the chain: their content hash covers the digest of the personal part,
    not the part itself. Returns the redacted events' sequence numbers as ranges
    (:func:`~alliantiemonitor.audit.chain.seq_ranges`), which the caller must record in the
    erasure's own event in the same transaction: ``audit verify`` accepts a redacted event
    only when a later ``client.erase`` event lists it, so blanking one event of a living
    client (the one UPDATE the PostgreSQL trigger lets through) does not go unnoticed.
    Irreversible.
    """
    events = AuditEvent.objects.filter(client_id=client_id)
    seqs = list(events.order_by("seq").values_list("seq", flat=True))
    events.redact(at=timezone.now())
    return chain.seq_ranges(seqs)


def erasure_record(
    *,
    actor: Any,
    organisation: Any,
    client_uuid: Any,
    reason: str,
    deleted: dict[str, int],
    redacted: list[list[int]],
    kept: dict[str, int] | None = None,
) -> AuditEvent:
    """Append the ``client.erase`` event that accounts for ``redacted`` (from
    :func:`redact_client_events`), sealed with the field key.

    ``deleted`` and ``kept`` count rows per model label (``kept``: pseudonymised research
    records that outlive the client for a while, left out when there are none).

    ``audit verify`` accepts a redacted event only when a sealed erasure lists it: the seal
    (an HMAC under a key outside the database) shows that the application wrote the erasure,
    so someone with only database access cannot blank a living client's event and append an
    erasure to cover it.
    """
    detail: dict[str, Any] = {
        "client": str(client_uuid),
        "reason": reason,
        "deleted": deleted,
        **({"kept": kept} if kept else {}),
        "events_redacted": sum(last - first + 1 for first, last in redacted),
        "redacted_seqs": redacted,
    }
    # Seal the detail exactly as it will read back from the database.
    detail = json.loads(json.dumps(detail, cls=DjangoJSONEncoder))
    detail["seal"] = keyring().seal(chain.erasure_message(organisation.pk, detail))
    return audit_record(
        actor=actor, action=PrivacyAction.CLIENT_ERASE, organisation=organisation, detail=detail
    )
