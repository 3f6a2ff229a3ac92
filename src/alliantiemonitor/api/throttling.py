"""Rate limits per token (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from alliantiemonitor.permissions.policy import Integration


class TokenRateThrottle(SimpleRateThrottle):
    """``ALLIANTIEMONITOR_API_RATE`` requests per token (e.g. ``600/min``), in the cache.

    Requests without a valid token are refused before this runs (authentication comes first).
    """

    scope = "api_token"

    def get_rate(self) -> str | None:
        return settings.ALLIANTIEMONITOR_API_RATE or None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.user, Integration):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.token_uuid.hex}
