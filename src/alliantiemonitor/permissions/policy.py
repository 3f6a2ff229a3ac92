"""Deciding and fetching: every access helper of the apps asks these functions.

Three answers, kept apart on purpose:

* :func:`require` — may this user use this kind of page at all? No: 403 (the role never may,
  so nothing about any object is revealed).
* :func:`scoped` — which objects of a queryset may this user reach? The rest do not exist for
  them: :func:`get_for` answers 404, so not even an object's existence leaks.
* :func:`get_for` — fetch one object by its public id and, when given an audit action, record
  that the user saw it. A view that fetches through it cannot forget the audit event.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from alliantiemonitor.audit.constants import ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership, Organisation
from alliantiemonitor.permissions.rules import (
    ANY,
    ASSIGNED,
    INTEGRATION_PERMS,
    ORGANISATION,
    ORGANISATION_TOKEN_PERMS,
    PAPER_VERIFIER,
    STUDY_MEMBER,
    TEAM,
    rule,
)


@dataclass(frozen=True)
class Integration:
    """An organisation's integration, acting through one API token (docs/api.md).

    Passed to these functions where a user is passed from a page. It reaches only its own
    organisation's objects: with ``acting_for`` (a professional) what that professional may
    reach there, without it (a token of the whole organisation) the organisation's clients
    and trajectories under ``ORGANISATION_TOKEN_PERMS``, never answers or signals. Which
    endpoint a token may call at all is its scopes' business (the API checks them first).
    """

    token_uuid: uuid_module.UUID
    organisation_id: int
    scopes: frozenset[str]
    #: The professional the token is bound to, or ``None`` for the whole organisation.
    acting_for: Any = None
    #: Who is accountable for what it writes: ``acting_for``, else the admin who made it.
    accountable: Any = None
    is_authenticated = True
    is_active = True
    is_anonymous = False

    @property
    def by(self) -> Any:
        """The user the services record as acting (the audit event names the token too)."""
        return self.acting_for if self.acting_for is not None else self.accountable


def _integration_scoped(
    integration: Integration, perm: str, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    if perm not in INTEGRATION_PERMS:
        return queryset.none()
    scope = rule(perm).scope
    own = {"pk": integration.organisation_id} if scope == ORGANISATION else {}
    if scope in (ASSIGNED, TEAM):
        own = {"organisation_id": integration.organisation_id}
    if integration.acting_for is not None:
        if scope == ANY:
            return queryset if may(integration.acting_for, perm) else queryset.none()
        return scoped(integration.acting_for, perm, queryset).filter(**own)
    if perm not in ORGANISATION_TOKEN_PERMS:
        return queryset.none()
    if scope == ANY:
        return queryset
    return queryset.filter(**own)


def sees_answers(user: Any) -> bool:
    """Whether ``user`` may ever be shown answers, scores or signals of a round it reaches.

    A user (the assigned professional: the rest never reach a round) may, within the blind
    rule. An integration only when bound to a professional and given ``results:read``: a token
    of the whole organisation never, whatever its scopes (trust rule 2).
    """
    if isinstance(user, Integration):
        return user.acting_for is not None and "results:read" in user.scopes
    return is_active_user(user)


def audit_actor(user: Any) -> tuple[Any, str]:
    """Who an audit event names for ``user``, and as what kind of actor."""
    if isinstance(user, Integration):
        return user.by, ActorKind.API_TOKEN
    return user, ActorKind.USER


def is_active_user(user: Any) -> bool:
    """A logged-in, active account (a deactivated account reaches nothing)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def memberships(user: Any, perm: str) -> QuerySet[Membership]:
    """The user's active memberships whose role grants ``perm``."""
    if isinstance(user, Integration):
        if user.acting_for is None or perm not in INTEGRATION_PERMS:
            return Membership.objects.none()
        return memberships(user.acting_for, perm).filter(organisation_id=user.organisation_id)
    if not is_active_user(user):
        return Membership.objects.none()
    return Membership.objects.active().for_user(user).with_role(*rule(perm).roles)


def may(user: Any, perm: str) -> bool:
    """Whether ``user`` holds a role that grants ``perm`` anywhere (the role-level answer)."""
    if isinstance(user, Integration) and user.acting_for is None:
        return perm in ORGANISATION_TOKEN_PERMS
    return memberships(user, perm).exists()


def require(user: Any, perm: str) -> None:
    """Refuse (403) a user whose roles never grant ``perm``."""
    if not may(user, perm):
        raise PermissionDenied


def organisations(user: Any, perm: str) -> QuerySet[Organisation]:
    """The organisations in which ``user`` holds a role that grants ``perm``."""
    if isinstance(user, Integration) and user.acting_for is None:
        if perm not in ORGANISATION_TOKEN_PERMS:
            return Organisation.objects.none()
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.filter(pk__in=memberships(user, perm).values("organisation"))


def scoped(user: Any, perm: str, queryset: QuerySet[Any], *, through: str = "") -> QuerySet[Any]:
    """The objects of ``queryset`` that ``user`` may reach with ``perm``.

    ``queryset`` holds the objects the permission's scope is about (trajectories for
    ``ASSIGNED``, teams for ``TEAM``, organisations for ``ORGANISATION``, studies for
    ``STUDY_MEMBER``, paper entries for ``PAPER_VERIFIER``), or objects that
    belong to one: ``through`` then names the foreign key to it (a round's ``trajectory``).
    """
    if through:
        target = queryset.model._meta.get_field(through).related_model
        reachable = scoped(user, perm, target._default_manager.all())
        return queryset.filter(**{f"{through}__in": reachable.values("pk")})
    if isinstance(user, Integration):
        return _integration_scoped(user, perm, queryset)
    if not is_active_user(user):
        return queryset.none()
    scope = rule(perm).scope
    if scope == ASSIGNED:
        # The latest assignee only, and only while their role there stands.
        return queryset.assigned_to(user).filter(organisation__in=organisations(user, perm))
    if scope == TEAM:
        roles = rule(perm).roles
        led = queryset.filter(
            pk__in=memberships(user, perm).filter(role=Role.TEAM_LEAD).values("teams")
        )
        whole = memberships(user, perm).filter(role__in=roles - {Role.TEAM_LEAD})
        return led | queryset.filter(organisation__in=whole.values("organisation"))
    if scope == ORGANISATION:
        return queryset.filter(pk__in=organisations(user, perm).values("pk"))
    if scope == ANY:
        return queryset if may(user, perm) else queryset.none()
    if scope == STUDY_MEMBER:
        # A researcher whose role lapsed everywhere keeps the study row but loses the pages.
        return queryset.with_researcher(user) if may(user, perm) else queryset.none()
    if scope == PAPER_VERIFIER:
        # Named by name, and only while the role in that organisation stands.
        return queryset.awaiting_check_by(user, organisations(user, perm))
    raise ValueError(f"unknown scope {scope!r}")


def parse_uuid(value: Any) -> uuid_module.UUID:
    """``value`` as a UUID, or ``Http404`` for anything that is not one."""
    if isinstance(value, uuid_module.UUID):
        return value
    try:
        return uuid_module.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def get_for(
    user: Any,
    perm: str,
    queryset: QuerySet[Any],
    uuid: Any,
    *,
    through: str = "",
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Any:
    """The object with public id ``uuid`` if ``user`` may reach it with ``perm``; else 404.

    With ``action`` (an :class:`~alliantiemonitor.audit.constants.Action`), the fetch is
    recorded in the audit log as ``user`` seeing the object, with ``detail``.
    """
    try:
        found: Model = scoped(user, perm, queryset, through=through).get(uuid=parse_uuid(uuid))
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if action is not None:
        actor, kind = audit_actor(user)
        audit_record(actor=actor, actor_kind=kind, action=action, obj=found, detail=detail)
    return found
