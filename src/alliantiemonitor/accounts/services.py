"""Writes of the account app: single sign-on identities and their audit."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliantiemonitor.accounts.constants import SsoRefusal
from alliantiemonitor.accounts.models import SsoIdentity, User
from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.services import audit_record


class SsoRefused(Exception):
    """A single sign-on login that must not go through; ``reason`` is an :class:`SsoRefusal`."""

    def __init__(self, reason: SsoRefusal, *, user: User | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.user = user


def sso_identity_link(*, user: User, issuer: str, subject: str) -> SsoIdentity:
    """Link ``user`` to the provider's ``subject`` and audit it; return the identity.

    Linking what is linked already returns that link (two first logins at once, a double
    click). Raises :class:`SsoRefused` (``OTHER_SUBJECT``) when the account is already linked to
    another subject of the same provider, or the subject to another account.
    """
    try:
        with transaction.atomic():
            identity = SsoIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    except IntegrityError as exc:
        existing = SsoIdentity.objects.filter(user=user, issuer=issuer, subject=subject).first()
        if existing is not None:
            return existing
        raise SsoRefused(SsoRefusal.OTHER_SUBJECT, user=user) from exc
    audit_record(
        actor=user,
        action=AccountAction.SSO_LINK,
        obj=user,
        detail={"issuer": issuer, "subject": subject},
    )
    return identity


def sso_login_record(*, user: User, issuer: str, subject: str) -> None:
    """Note a successful single sign-on login on the identity and in the audit log."""
    SsoIdentity.objects.filter(user=user, issuer=issuer, subject=subject).update(
        last_login_at=timezone.now()
    )
    audit_record(actor=user, action=AccountAction.SSO_LOGIN, obj=user, detail={"issuer": issuer})


def sso_refusal_record(
    *, reason: SsoRefusal, issuer: str, user: User | None = None, **detail: Any
) -> None:
    """Audit a refused single sign-on login (no actor: nobody is logged in)."""
    audit_record(
        actor=None,
        action=AccountAction.SSO_REFUSED,
        obj=user,
        detail={"reason": reason.value, "issuer": issuer, **detail},
    )
