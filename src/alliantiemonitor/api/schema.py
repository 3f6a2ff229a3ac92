"""The OpenAPI description: bearer tokens, the scope of each operation, the error shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "alliantiemonitor.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API token (amt_…), made by its administrator.",
        }


class ScopedAutoSchema(AutoSchema):
    """Names the scope each operation needs (``x-scope``) and in its description."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        scopes = getattr(self.view, "required_scopes", {})
        scope = scopes.get(self.method, scopes.get("*"))
        if scope:
            operation["x-scope"] = str(scope)
            note = f"Needs the scope `{scope}`."
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\n{note}".strip()
        return operation
