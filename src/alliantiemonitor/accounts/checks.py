"""System checks of the single sign-on configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

#: Settings that single sign-on cannot work without.
_REQUIRED = (
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
#: Addresses the browser or the app uses to reach the provider.
_ADDRESSES = ("OIDC_OP_ISSUER", *_REQUIRED[2:], "OIDC_OP_LOGOUT_ENDPOINT")


@register()
def check_sso_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse a half-configured single sign-on: a client id without what it needs."""
    if not settings.ALLIANTIEMONITOR_SSO_ENABLED:
        return []
    required = _REQUIRED
    if not settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
        # A shared-secret signature (HS256) is checked with the client secret, not a JWKS.
        required = tuple(name for name in _REQUIRED if name != "OIDC_OP_JWKS_ENDPOINT")
    missing = [name for name in required if not getattr(settings, name)]
    if not missing:
        return []
    return [
        Error(
            "Single sign-on is on (OIDC_RP_CLIENT_ID is set), but these are not: "
            + ", ".join(missing),
            hint="Take the addresses from the provider's /.well-known/openid-configuration; "
            "see docs/sso.md.",
            id="alliantiemonitor.E201",
        )
    ]


@register(deploy=True)
def check_sso_https(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse provider addresses without TLS in production: tokens and codes travel there."""
    if not settings.ALLIANTIEMONITOR_SSO_ENABLED:
        return []
    plain = [
        name
        for name in _ADDRESSES
        if getattr(settings, name) and not getattr(settings, name).startswith("https://")
    ]
    if not plain:
        return []
    return [
        Error(
            "Single sign-on addresses must use https: " + ", ".join(plain),
            hint="Codes, tokens and signing keys would travel unprotected otherwise.",
            id="alliantiemonitor.E202",
        )
    ]
