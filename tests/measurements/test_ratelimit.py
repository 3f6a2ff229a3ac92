"""Slowing down guessers: refused links and codes per address, counted in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.measurements import ratelimit
from alliantiemonitor.measurements.client_session import SESSION_KEY
from alliantiemonitor.measurements.models import AccessAttempt, Invitation
from alliantiemonitor.measurements.services import invitation_create

pytestmark = pytest.mark.django_db

LIMIT = ratelimit.ENTRY.limit


def browser(address="192.0.2.10"):
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def test_failures_count_within_the_window_only():
    now = timezone.now()
    key = "ip:192.0.2.1"
    for minutes in range(LIMIT - 1):
        ratelimit.record_failure(
            key, scope=ratelimit.ENTRY, now=now - dt.timedelta(minutes=minutes)
        )
    assert not ratelimit.is_blocked(key, scope=ratelimit.ENTRY, now=now)
    ratelimit.record_failure(key, scope=ratelimit.ENTRY, now=now)
    assert ratelimit.is_blocked(key, scope=ratelimit.ENTRY, now=now)
    # Another address and another scope are not affected.
    assert not ratelimit.is_blocked("ip:192.0.2.2", scope=ratelimit.ENTRY, now=now)
    assert not ratelimit.is_blocked(key, scope=ratelimit.HAND_BACK, now=now)
    # Once the window has passed the address may try again.
    later = now + ratelimit.ENTRY.window + dt.timedelta(seconds=1)
    assert not ratelimit.is_blocked(key, scope=ratelimit.ENTRY, now=later)


def test_only_a_keyed_hash_is_stored_and_old_rows_are_cleaned():
    now = timezone.now()
    ratelimit.record_failure(
        "ip:198.51.100.7", scope=ratelimit.ENTRY, now=now - dt.timedelta(days=1)
    )
    assert AccessAttempt.objects.count() == 1
    assert "198.51.100.7" not in AccessAttempt.objects.get().key_hash

    ratelimit.record_failure("ip:198.51.100.8", scope=ratelimit.ENTRY, now=now)
    assert AccessAttempt.objects.count() == 1  # the day-old row went


def test_many_wrong_codes_block_even_a_correct_one(professional, measurement_round):
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    guesser = browser()
    for _ in range(LIMIT):
        assert guesser.post(reverse("client:code"), {"code": "ACDEFGHJ"}).status_code == 400

    blocked = guesser.post(reverse("client:code"), {"code": code})

    assert blocked.status_code == 429
    assert "Wait a few minutes" in blocked.content.decode()
    assert blocked["Retry-After"]
    assert SESSION_KEY not in guesser.session
    assert Invitation.objects.get(pk=invitation.pk).last_used_at is None
    # The code page itself still opens; another address is not affected.
    assert guesser.get(reverse("client:code")).status_code == 200
    other = browser("192.0.2.99")
    assert other.post(reverse("client:code"), {"code": code}).status_code == 302


def test_wrong_links_count_too(professional, measurement_round):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    guesser = browser()
    for n in range(LIMIT):
        assert guesser.get(f"/m/{'z' * 42}{n}/").status_code == 404
    # Blocked: further wrong links and codes get "too many attempts"...
    assert guesser.get(f"/m/{'y' * 43}/").status_code == 429
    assert guesser.post(reverse("client:code"), {"code": "ACDE FGHJ"}).status_code == 429
    assert SESSION_KEY not in guesser.session
    # ...but a real link cannot be guessed, so it still opens (an office shares one address).
    assert guesser.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    assert SESSION_KEY in guesser.session


def test_successful_entries_do_not_count(professional, measurement_round):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    visitor = browser()
    for _ in range(LIMIT + 3):
        assert visitor.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_address_comes_from_the_trusted_proxy_only(settings, professional, measurement_round):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(LIMIT):
        # A client that forges X-Forwarded-For gets nowhere: the proxy appends the real address.
        browser("10.0.0.1").post(
            reverse("client:code"),
            {"code": "ACDEFGHJ"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.50",
        )
    assert ratelimit.is_blocked("ip:192.0.2.50", scope=ratelimit.ENTRY)
    assert not ratelimit.is_blocked("ip:10.0.0.1", scope=ratelimit.ENTRY)
