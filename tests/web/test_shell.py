"""The base layout: login, home, language switch, security headers, health check."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliantiemonitor.common.request_ip import client_ip
from tests.conftest import current_code

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_dutch_by_default_with_one_h1(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl"' in html
    assert html.count("<h1") == 1
    assert "Inloggen" in html
    assert 'href="#main"' in html  # skip link


def test_language_switch_to_english(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html


@pytest.mark.real_second_factor
def test_login_with_password_and_code_reaches_home(client, professional):
    professional.set_password("a-long-demo-password")
    professional.must_change_password = False  # their own password, not one handed out
    professional.save()
    device = TOTPDevice.objects.create(user=professional, name="app", confirmed=True)
    response = client.post(
        reverse("login"),
        {"username": professional.username, "password": "a-long-demo-password"},
        follow=True,
    )
    # The second step first (tests/accounts/test_second_factor.py has the details) ...
    step = reverse("second_factor_verify") + "?next=%2F"
    assert [url for url, _ in response.redirect_chain] == [reverse("home"), step]
    response = client.post(step, {"code": current_code(device)}, follow=True)
    # ... then a professional's home is their caseload.
    assert [url for url, _ in response.redirect_chain] == [
        reverse("home"),
        reverse("trajectories:caseload"),
    ]
    assert professional.username in response.content.decode() or response.context["user"] == (
        professional
    )


def test_home_lists_the_users_organisations(client, team_lead, organisation):
    client.force_login(team_lead)
    html = client.get(reverse("home")).content.decode()
    assert organisation.name in html


def test_home_of_a_professional_is_the_caseload(client, professional):
    client.force_login(professional)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("trajectories:caseload")


def test_passwords_are_hashed_with_argon2(professional):
    professional.set_password("another-long-password")
    assert professional.password.startswith("argon2")


def test_strict_content_security_policy_everywhere(client, admin_user):
    for url in (reverse("login"), reverse("admin:login")):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_pages_load_nothing_from_other_hosts(client):
    html = client.get(reverse("login")).content.decode()
    assert "http://" not in html.replace('xmlns="http://', "")
    assert "https://" not in html
    assert "//" not in html.split("<body", 1)[0].replace("<!DOCTYPE html>", "")


def test_healthz_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_repeated_failed_logins_lock_the_account(client, professional):
    professional.set_password("the-right-long-password")
    professional.save()
    for _ in range(5):
        client.post(reverse("login"), {"username": professional.username, "password": "wrong"})
    response = client.post(
        reverse("login"),
        {"username": professional.username, "password": "the-right-long-password"},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # header ignored without trusted proxies
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # left part can be forged
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer hops than proxies: fall back
    ],
)
def test_client_ip_trusts_only_configured_proxies(count, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected
