"""Single sign-on with OpenID Connect: which account a provider's login opens, if any.

mozilla-django-oidc runs the authorization code flow (state, nonce, PKCE, token request,
signature and expiry of the id token). This backend adds what it leaves open and what the
product needs:

- the id token's ``iss`` and ``aud`` are checked (the library checks neither);
- an account is found by the provider's subject (``iss`` + ``sub``, :class:`SsoIdentity`), or,
  at its first login only, by an e-mail address that the provider says it verified; it is then
  linked to the subject for good;
- a login never makes an account or a membership: the account must exist, be active and have
  an active membership, otherwise the login is refused with a reason
  (:class:`~alliantiemonitor.accounts.services.SsoRefused`) that the callback view shows and
  audits.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from alliantiemonitor.accounts.constants import SSO_SESSION_KEY, SsoRefusal
from alliantiemonitor.accounts.models import SsoIdentity, User
from alliantiemonitor.accounts.services import SsoRefused, sso_identity_link
from alliantiemonitor.organisations.models import Membership


def sso_enabled() -> bool:
    return bool(settings.ALLIANTIEMONITOR_SSO_ENABLED)


def sso_provider_name() -> str:
    """The provider's name for the login page: configured, or the issuer's host name."""
    return settings.ALLIANTIEMONITOR_SSO_PROVIDER_NAME or urlsplit(settings.OIDC_OP_ISSUER).netloc


def _is_true(value: Any) -> bool:
    # Some providers send the boolean claim as a string.
    return value is True or (isinstance(value, str) and value.lower() == "true")


class SsoBackend(OIDCAuthenticationBackend):
    """Log in through the organisation's identity provider (only when SSO is configured)."""

    def get_user(self, user_id: Any) -> User | None:
        # The library's get_user skips ``is_active``: a deactivated user would stay logged in
        # with the session they have. Django's own rule applies instead.
        return ModelBackend.get_user(self, user_id)  # type: ignore[return-value]

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library's checks (signature, expiry, nonce), then issuer, audience and subject."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        if str(payload.get("iss") or "").rstrip("/") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The id token's issuer is not the configured one.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The id token is not meant for this client.")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The id token's authorized party is not this client.")
        if not payload.get("sub"):
            raise SuspiciousOperation("The id token has no subject.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """The account of the token's subject; raises :class:`SsoRefused` when there is none."""
        issuer, subject = settings.OIDC_OP_ISSUER, str(payload["sub"])
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != subject:
            # OpenID Connect Core 5.3.2: the userinfo of another subject must not be used.
            raise SuspiciousOperation("The userinfo's subject differs from the id token's.")
        claims = {**userinfo, **payload}
        identity = (
            SsoIdentity.objects.filter(issuer=issuer, subject=subject)
            .select_related("user")
            .first()
        )
        user = identity.user if identity is not None else self._user_by_email(claims)
        if not user.is_active:
            raise SsoRefused(SsoRefusal.DEACTIVATED, user=user)
        if not Membership.objects.active().filter(user=user).exists():
            raise SsoRefused(SsoRefusal.NO_MEMBERSHIP, user=user)
        if identity is None:
            sso_identity_link(user=user, issuer=issuer, subject=subject)
        self.request.sso_subject = subject  # type: ignore[attr-defined]
        return user

    def _user_by_email(self, claims: dict[str, Any]) -> User:
        """The one account with the claims' verified e-mail address (for a first login)."""
        email = claims.get(settings.ALLIANTIEMONITOR_SSO_EMAIL_CLAIM)
        verified = _is_true(claims.get(settings.ALLIANTIEMONITOR_SSO_EMAIL_VERIFIED_CLAIM))
        if not (settings.ALLIANTIEMONITOR_SSO_LINK_BY_EMAIL and verified and email):
            raise SsoRefused(SsoRefusal.NOT_LINKED)
        users = list(User.objects.filter(email__iexact=str(email))[:2])
        if not users:
            raise SsoRefused(SsoRefusal.NOT_LINKED)
        if len(users) > 1:
            raise SsoRefused(SsoRefusal.AMBIGUOUS)
        if SsoIdentity.objects.filter(user=users[0], issuer=settings.OIDC_OP_ISSUER).exists():
            # Linked to another subject already: the address has changed hands, or the person
            # has a second identity at the provider. An administrator decides which one counts.
            raise SsoRefused(SsoRefusal.OTHER_SUBJECT, user=users[0])
        return users[0]


def sso_logout_url(request: HttpRequest) -> str | None:
    """Where to send a single sign-on session after the local logout: the provider's logout.

    ``None`` when the session did not come from the provider or the provider has no logout
    endpoint configured. Read before the local logout, which empties the session.
    """
    if not (request.session.get(SSO_SESSION_KEY) and settings.OIDC_OP_LOGOUT_ENDPOINT):
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(
            reverse(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"
