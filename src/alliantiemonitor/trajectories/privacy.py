"""What the privacy officer sees of a client's audit trail: one row per event, page and CSV."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.audit.constants import ActorKind
from alliantiemonitor.audit.models import AuditEvent, AuditEventQuerySet
from alliantiemonitor.trajectories.models import Client


@dataclass(frozen=True)
class TrailRow:
    at: Any
    who: str
    kind: str
    action: str
    subject: str
    detail: str
    address: str
    browser: str


def trail_events(client: Client) -> AuditEventQuerySet:
    """The audit events about ``client``, newest first."""
    return AuditEvent.objects.for_client(client).select_related("actor").order_by("-seq")


def _who(event: AuditEvent) -> str:
    if event.actor is not None:
        name = event.actor.get_full_name()
        username = event.actor.get_username()
        return f"{name} ({username})" if name else username
    if event.actor_kind == ActorKind.CLIENT:
        return _("The client")
    return _("The system")


def _subject(object_type: str) -> str:
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _detail(detail: dict[str, Any]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in sorted(detail.items()))


def trail_rows(events: Iterable[AuditEvent]) -> Iterator[TrailRow]:
    for event in events:
        yield TrailRow(
            at=timezone.localtime(event.at),
            who=_who(event),
            kind=str(ActorKind(event.actor_kind).label),
            action=event.action,
            subject=_subject(event.object_type),
            detail=_detail(event.detail),
            address=event.ip_address,
            browser=event.user_agent,
        )


def csv_header() -> list[str]:
    return [
        _("When"),
        _("Who"),
        _("Kind of actor"),
        _("Action"),
        _("About"),
        _("Details"),
        _("IP address"),
        _("Browser"),
    ]


def csv_row(row: TrailRow) -> list[str]:
    return [
        row.at.isoformat(timespec="seconds"),
        row.who,
        row.kind,
        row.action,
        row.subject,
        row.detail,
        row.address,
        row.browser,
    ]
