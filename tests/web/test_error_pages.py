"""Friendly error pages: the light layout, plain words, nothing of anyone's data."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_not_found_is_friendly_and_dutch(client):
    response = client.get("/bestaat-niet/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nl"' in html
    assert html.count("<h1") == 1
    assert "nieuwe link" in html


def test_forbidden_for_a_team_lead_on_the_caseload(client, team_lead):
    client.force_login(team_lead)
    response = client.get(reverse("trajectories:caseload"))
    assert response.status_code == 403
    assert "utrecht-heading-1" in response.content.decode()


def test_a_post_without_csrf_token_gets_a_friendly_page():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("client:code"), {"code": "ACDEFGHJ"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<style" not in html  # Django's technical page would be blocked by the CSP
    assert "utrecht-heading-1" in html


def test_server_error_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "utrecht-heading-1" in response.content.decode()


def test_personal_link_tokens_are_masked_in_logs():
    import logging

    from alliantiemonitor.web.logging import MaskInvitationTokens

    token = "Qx3-abcdefghijklmnopqrstuvwxyz_0123456789AB"
    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"GET %s HTTP/1.1" 302', (f"/m/{token}/",), None
    )
    assert MaskInvitationTokens().filter(record)
    assert token not in record.getMessage()
    assert "/m/…/" in record.getMessage()


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/m/ACDE3469/", None),  # a short code opened as a link
        ("/m/acde%203469/", None),
        ("/m/code/?code=ACDE3469", "/m/code/?…"),
        ("/m/start/", "/m/start/"),
        ("/m/terug/", "/m/terug/"),
    ],
)
def test_short_codes_are_masked_in_logs_too(path, kept):
    import logging

    from alliantiemonitor.web.logging import MaskInvitationTokens

    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", (path,), None
    )
    assert MaskInvitationTokens().filter(record)
    message = record.getMessage()
    assert "3469" not in message
    assert kept in message if kept else "/m/…/" in message


def test_a_login_without_csrf_token_is_refused(professional):
    """The login form is no exception to the CSRF check (a browser test once suggested it was)."""
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    response = browser.post(reverse("login"), {"username": professional.username, "password": "x"})
    assert response.status_code == 403
    assert "utrecht-heading-1" in response.content.decode()
