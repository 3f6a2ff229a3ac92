"""Making, revoking and checking API tokens (docs/api.md)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.api.constants import (
    BOUND_ONLY_SCOPES,
    LAST_USED_RESOLUTION,
    MAX_LIFETIME,
    MIN_LIFETIME,
    SECRET_PREFIX,
    Scope,
)
from alliantiemonitor.api.exceptions import (
    BoundScopeNeedsProfessional,
    InvalidScopes,
    NotAnOrganisationAdmin,
    NotAProfessionalHere,
    TokenAlreadyRevoked,
)
from alliantiemonitor.api.models import ApiToken
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import clean_text, clean_timedelta
from alliantiemonitor.organisations.models import Membership, Organisation
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm

#: The longest secret :func:`token_authenticate` looks at; anything longer is not ours.
MAX_SECRET_LENGTH = 100


def secret_hash(secret: str) -> str:
    """A keyed hash of a token's secret: what the database stores instead of the secret.

    Keyed with SECRET_KEY like the invitations' secrets: rotating the key ends every token.
    """
    return salted_hmac(
        "alliantiemonitor.api_token", secret.encode("utf-8"), algorithm="sha256"
    ).hexdigest()


def admin_check(by: Any, organisation: Organisation) -> None:
    """Raise :class:`NotAnOrganisationAdmin` unless ``by`` administers ``organisation``."""
    if (
        not policy.organisations(by, Perm.ORGANISATION_CONFIGURE)
        .filter(pk=organisation.pk)
        .exists()
    ):
        raise NotAnOrganisationAdmin()


def _clean_scopes(scopes: Any) -> list[str]:
    if isinstance(scopes, str) or not isinstance(scopes, list | tuple | set | frozenset):
        raise InvalidScopes()
    if not scopes or any(not isinstance(s, str) or s not in Scope.values for s in scopes):
        raise InvalidScopes()
    return sorted(set(scopes))


def _is_professional(user: Any, organisation: Organisation) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and Membership.objects.active()
        .for_user(user)
        .for_organisation(organisation)
        .professionals()
        .exists()
    )


@transaction.atomic
def token_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: Any,
    lifetime: dt.timedelta,
    by: Any,
    acting_for: Any = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``organisation``'s integration; return it with its secret.

    Only the organisation's admin may (:class:`NotAnOrganisationAdmin`). ``scopes`` are
    :class:`~alliantiemonitor.api.constants.Scope` values; ``results:read`` and
    ``signals:read`` need ``acting_for``, an active professional of the organisation whose
    caseload the token then reaches. The secret is returned once and never stored.
    """
    admin_check(by, organisation)
    name = clean_text(name, field=_("Name"), max_length=80, required=True)
    scopes = _clean_scopes(scopes)
    lifetime = clean_timedelta(
        lifetime, field=_("Validity"), minimum=MIN_LIFETIME, maximum=MAX_LIFETIME
    )
    if acting_for is None and BOUND_ONLY_SCOPES.intersection(scopes):
        raise BoundScopeNeedsProfessional()
    if acting_for is not None and not _is_professional(acting_for, organisation):
        raise NotAProfessionalHere()
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        scopes=scopes,
        acting_for=acting_for,
        secret_hash=secret_hash(secret),
        hint=secret[: len(SECRET_PREFIX) + 6],
        created_by=by,
        created_at=now,
        expires_at=now + lifetime,
    )
    audit_record(
        actor=by,
        action=Action.API_TOKEN_CREATE,
        obj=token,
        detail={
            "name": name,
            "scopes": scopes,
            "expires_at": token.expires_at,
            "acting_for": acting_for.uuid if acting_for is not None else None,
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    """Revoke ``token`` at once: the next request with it is refused."""
    token = ApiToken.objects.select_for_update().select_related("organisation").get(pk=token.pk)
    admin_check(by, token.organisation)
    if token.revoked_at is not None:
        raise TokenAlreadyRevoked()
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=by, action=Action.API_TOKEN_REVOKE, obj=token, detail={"name": token.name})
    return token


def token_authenticate(secret: Any, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The usable token whose secret is ``secret``, or ``None`` (unknown, revoked, expired,
    or a professional-bound token whose professional lost the role there)."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        return None
    if len(secret) > MAX_SECRET_LENGTH:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.usable(now)
        .select_related("organisation", "acting_for", "created_by")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
    if token is None:
        return None
    if token.acting_for is not None and not _is_professional(token.acting_for, token.organisation):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def integration_of(token: ApiToken) -> policy.Integration:
    """The principal the permission layer sees for a request made with ``token``."""
    return policy.Integration(
        token_uuid=token.uuid,
        organisation_id=token.organisation_id,
        scopes=frozenset(token.scopes),
        acting_for=token.acting_for,
        accountable=token.created_by,
    )
