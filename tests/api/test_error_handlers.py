"""JSON errors for everything under /api/, also where no DRF view answers (docs/api.md)."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.context import current_api_token
from tests.api.conftest import api, make_token

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["error"]


@pytest.fixture
def secret(organisation, org_admin):
    return make_token(organisation, org_admin)[1]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(RuntimeError("boom 12345"), 500, "server_error"), (OperationalError, 503, "unavailable")],
)
def test_an_unexpected_error_in_an_api_view_is_json(secret, error, status, code):
    caller = api(secret)
    caller.raise_request_exception = False
    with mock.patch("alliantiemonitor.api.views.trajectories_for", side_effect=error):
        response = caller.get(reverse("api:trajectories"))
    assert response.status_code == status
    body = _error(response)
    assert body["code"] == code
    assert "boom" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    if status == 503:
        assert response["Retry-After"] == "30"


def test_an_api_request_that_fails_leaves_no_token_as_the_actor_of_later_work(secret):
    """A thread serves many requests: what comes after a failed API call is not the token's."""
    caller = api(secret)
    caller.raise_request_exception = False
    with mock.patch("alliantiemonitor.api.views.trajectories_for", side_effect=RuntimeError):
        assert caller.get(reverse("api:trajectories")).status_code == 500
    assert current_api_token() is None


def test_a_server_error_outside_the_api_is_still_the_sites_page(client, professional):
    client.force_login(professional)
    client.raise_request_exception = False
    with mock.patch(
        "alliantiemonitor.web.views.Membership.objects.active", side_effect=RuntimeError
    ):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_api_address_is_json_and_an_unknown_page_is_html(client):
    api_response = client.get("/api/v1/no-such-thing/")
    assert api_response.status_code == 404
    assert _error(api_response)["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_disallowed_host_under_the_api_is_json(settings):
    settings.ALLOWED_HOSTS = ["monitor.example.org"]
    response = Client(raise_request_exception=False).get(
        "/api/v1/trajectories/", HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_permission_denied_raised_outside_a_drf_view_is_json(rf):
    from django.core.exceptions import PermissionDenied

    from alliantiemonitor import handlers

    response = handlers.permission_denied(rf.get("/api/v1/docs/"), PermissionDenied())
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"
    page = handlers.permission_denied(rf.get("/clienten/"), PermissionDenied())
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def test_a_wrong_method_on_the_api_docs_page_is_json_with_allow(client):
    response = client.post(reverse("api:docs"))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert _error(response)["code"] == "method_not_allowed"


def test_a_wrong_method_on_a_site_page_keeps_the_friendly_page(client):
    response = client.post(reverse("healthz"))
    assert response.status_code == 405
    assert response["Content-Type"].startswith("text/html")
