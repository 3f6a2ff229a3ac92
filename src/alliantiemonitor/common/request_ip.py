"""The client's address, trusting X-Forwarded-For only as far as the configured proxies reach."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client that sent ``request``.

    With ``TRUSTED_PROXY_COUNT = n`` the n-th address from the right in X-Forwarded-For is the
    client as our own proxies saw it; anything further left was written by the client and can be
    forged. With 0 (the default) the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
