"""Which endpoints a token may call: its scopes. Which objects: the permission layer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from alliantiemonitor.permissions.policy import Integration


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"
    default_detail = _("This token lacks the scope for this call.")


class HasScope(permissions.BasePermission):
    """The view's ``required_scopes[method]`` (or ``required_scopes["*"]``) must be held."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, Integration):
            raise exceptions.NotAuthenticated()
        required = getattr(view, "required_scopes", {})
        needed = required.get(request.method, required.get("*"))
        if needed is None:
            # A method without a declared scope is never allowed (fail closed).
            raise MissingScope()
        if needed not in user.scopes:
            raise MissingScope(_("This token lacks the scope %(scope)s.") % {"scope": needed})
        return True
