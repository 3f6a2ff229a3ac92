"""Writing to the audit log: the one function every service calls after a write."""

from __future__ import annotations

from typing import Any

from alliantiemonitor.audit.constants import ActorKind
from alliantiemonitor.audit.models import AuditEvent


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
    (pass ``actor_kind="client"`` then). ``action`` is a dotted name such as ``response.submit``.
    ``obj`` is the model instance acted on; when it has an ``audit_context()`` method, the
    organisation and client it concerns are taken from there unless given explicitly.
    ``detail`` must be JSON-serialisable (UUIDs, dates and decimals are fine) and must never
    hold answers or free text about a client.
    """
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
    return AuditEvent.objects.create(
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        organisation=organisation,
        client=client,
        object_type=object_type,
        object_uuid=object_uuid,
        detail=detail or {},
    )
