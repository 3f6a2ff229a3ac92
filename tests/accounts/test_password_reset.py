"""Password reset by e-mail: the link, its token kept out of addresses, limits, second factor."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

RESET = reverse("password_reset")
NEW_PASSWORD = "a-brand-new-long-password-9"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLIANTIEMONITOR_BASE_URL = "https://monitor.example.org"


def _ask(client, email, address="192.0.2.10"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def _link(message):
    match = re.search(r"https://monitor\.example\.org(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_offers_the_reset(client):
    assert RESET in client.get(reverse("login")).content.decode()


def test_a_reset_link_sets_a_new_password_and_the_second_factor_stays(client, professional):
    TOTPDevice.objects.create(user=professional, name="app", confirmed=True)
    response = _ask(client, professional.email.upper())
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [professional.email]
    link = _link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]

    # The token goes into the session at once: the page is shown at an address without it.
    redirect = client.get(link)
    assert redirect.status_code == 302
    assert token not in redirect["Location"]
    form = client.get(redirect["Location"])
    assert form.status_code == 200
    assert token not in form.content.decode()
    assert form["Referrer-Policy"] == "same-origin"

    done = client.post(
        redirect["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("password_reset_complete")
    professional.refresh_from_db()
    assert professional.check_password(NEW_PASSWORD)
    # The user's own password: no forced change, audited as their own.
    assert not professional.must_change_password
    event = AuditEvent.objects.filter(
        action=AccountAction.PASSWORD_CHANGE, object_uuid=professional.uuid
    ).get()
    assert event.detail["by_self"] is True
    # The link works once.
    assert 'name="new_password1"' not in client.get(link, follow=True).content.decode()
    # Logging in with the new password still asks for the code.
    client.post(reverse("login"), {"username": professional.username, "password": NEW_PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor_verify"))


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, professional):
    known = _ask(client, professional.email)
    unknown = _ask(client, "nobody@example.org", address="192.0.2.11")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_resets_per_account_are_limited_like_logins(client, professional, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        assert _ask(client, professional.email, address=f"192.0.2.{n}").status_code == 302
    refused = _ask(client, professional.email, address="198.51.100.1")
    assert refused.status_code == 429
    assert len(mail.outbox) == settings.AXES_FAILURE_LIMIT
    # The same answer for an address no account has: the limit reveals nothing.
    for n in range(settings.AXES_FAILURE_LIMIT):
        _ask(client, "nobody@example.org", address=f"203.0.113.{n}")
    assert _ask(client, "nobody@example.org", address="198.51.100.2").status_code == 429


def test_resets_per_address_are_limited_like_logins(client, professional, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _ask(client, f"someone{n}@example.org")
    refused = _ask(client, professional.email)
    assert refused.status_code == 429
    assert len(mail.outbox) == 0
    # Another address is not affected.
    assert _ask(client, professional.email, address="192.0.2.99").status_code == 302
    assert len(mail.outbox) == 1


def test_a_bad_link_says_so(client, professional):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "not-a-token"]))
    assert response.status_code == 200
    assert reverse("password_reset") in response.content.decode()
    assert 'name="new_password1"' not in response.content.decode()
