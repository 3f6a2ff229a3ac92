"""The API's browsable description: a page of its operations, rendered from the OpenAPI
description itself (no external scripts or styles: the product serves everything itself)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            security = operation.get("x-scope", "")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "scope": security,
                    "request": _ref_name(body.get("schema", {})),
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return operations


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """The operations of ``/api/v1/`` with the scope each needs; no login (no data shown)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return render(
        request,
        "api/docs.html",
        {
            "operations": _operations(schema),
            "schema_url": reverse("api:schema"),
            "version": schema.get("info", {}).get("version", ""),
        },
    )


class SchemaView(SpectacularAPIView):
    """The OpenAPI description (YAML, or JSON with ``?format=json``); its errors are JSON
    like every other error of the API, whatever format was asked for."""

    def handle_exception(self, exc: Exception) -> Any:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
