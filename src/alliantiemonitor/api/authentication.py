"""``Authorization: Bearer amt_…``: the token of an organisation's integration."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from alliantiemonitor.api.services import integration_of, token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """The request acts as the token's :class:`~alliantiemonitor.permissions.policy.Integration`.

    A missing header leaves the request unauthenticated (401 from the permission check); a
    header with an unknown, revoked or expired token is refused at once with the same answer,
    so that nobody learns which of these it was.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Bearer."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from exc
        token = token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        return integration_of(token), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
