"""Slowing down guessers: refused links and codes per address, counted in the database."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.db import connection, connections
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
        ratelimit.attempt_reserve(
            key, scope=ratelimit.ENTRY, now=now - dt.timedelta(minutes=minutes)
        )
    assert not ratelimit.is_blocked(key, scope=ratelimit.ENTRY, now=now)
    ratelimit.attempt_reserve(key, scope=ratelimit.ENTRY, now=now)
    assert ratelimit.is_blocked(key, scope=ratelimit.ENTRY, now=now)
    # Another address and another scope are not affected.
    assert not ratelimit.is_blocked("ip:192.0.2.2", scope=ratelimit.ENTRY, now=now)
    other_scope = ratelimit.Scope("other", limit=LIMIT, window=ratelimit.ENTRY.window)
    assert not ratelimit.is_blocked(key, scope=other_scope, now=now)
    # Once the window has passed the address may try again.
    later = now + ratelimit.ENTRY.window + dt.timedelta(seconds=1)
    assert not ratelimit.is_blocked(key, scope=ratelimit.ENTRY, now=later)


def test_only_a_keyed_hash_is_stored_and_old_rows_are_cleaned():
    now = timezone.now()
    ratelimit.attempt_reserve(
        "ip:198.51.100.7", scope=ratelimit.ENTRY, now=now - dt.timedelta(days=1)
    )
    assert AccessAttempt.objects.count() == 1
    assert "198.51.100.7" not in AccessAttempt.objects.get().key_hash

    ratelimit.attempt_reserve("ip:198.51.100.8", scope=ratelimit.ENTRY, now=now)
    assert AccessAttempt.objects.count() == 1  # the day-old row went


def test_many_wrong_codes_block_even_a_correct_one(professional, measurement_round):
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    guesser = browser()
    for _ in range(LIMIT):
        assert guesser.post(reverse("client:code"), {"code": "ACDEFGHJ"}).status_code == 400

    blocked = guesser.post(reverse("client:code"), {"code": code})

    assert blocked.status_code == 429
    page = blocked.content.decode()
    # The real time, and what else the client can do.
    assert "15 minutes" in page
    assert "Wait a few minutes" not in page
    assert "new code or a personal link" in page
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


# --- Review fixes: no way around the block ----------------------------------------------------


def test_a_short_code_does_not_open_through_the_link_route(professional, measurement_round):
    """Codes are typed into the code form only; as a link they are wrong links."""
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    visitor = browser()
    for shape in (code, code.lower(), f"{code[:4]}-{code[4:]}"):
        response = visitor.get(reverse("client:link", kwargs={"token": shape}))
        assert response.status_code == 404
    assert SESSION_KEY not in visitor.session
    assert Invitation.objects.get(pk=invitation.pk).last_used_at is None
    assert ratelimit.failures("ip:192.0.2.10", scope=ratelimit.ENTRY) == 3


def test_a_blocked_address_cannot_use_a_valid_code_through_the_link_route(
    professional, measurement_round
):
    _, code = invitation_create(round=measurement_round, kind="code", by=professional)
    guesser = browser()
    for _ in range(LIMIT):
        guesser.post(reverse("client:code"), {"code": "ACDEFGHJ"})
    assert guesser.get(reverse("client:link", kwargs={"token": code})).status_code == 429
    assert SESSION_KEY not in guesser.session


def test_the_block_is_checked_before_the_code_is_looked_at(
    professional, measurement_round, monkeypatch
):
    from alliantiemonitor.measurements.views import client_entry

    looked_up = []
    real = client_entry.invitation_resolve

    def counting(**kwargs):
        looked_up.append(kwargs.get("kind"))
        return real(**kwargs)

    monkeypatch.setattr(client_entry, "invitation_resolve", counting)
    guesser = browser()
    for _ in range(LIMIT + 10):
        guesser.post(reverse("client:code"), {"code": "ACDEFGHJ"})
    assert len(looked_up) == LIMIT


def test_a_reserved_attempt_counts_until_it_is_released():
    key = "ip:192.0.2.77"
    attempts = [ratelimit.attempt_reserve(key, scope=ratelimit.ENTRY) for _ in range(LIMIT)]
    assert all(attempts)
    assert ratelimit.attempt_reserve(key, scope=ratelimit.ENTRY) is None
    ratelimit.attempt_release(attempts[0])
    assert ratelimit.attempt_reserve(key, scope=ratelimit.ENTRY) is not None


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_are_bounded_by_the_limit():
    """40 guesses at once from one address: exactly the limit gets a look at a code."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    key = "ip:192.0.2.88"
    granted: list[int | None] = []
    start = threading.Barrier(40)

    def guess() -> None:
        try:
            start.wait()
            granted.append(ratelimit.attempt_reserve(key, scope=ratelimit.ENTRY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(granted) == 40
    assert sum(1 for attempt in granted if attempt is not None) == LIMIT
    assert ratelimit.failures(key, scope=ratelimit.ENTRY) == LIMIT


def test_a_wave_from_many_addresses_is_logged_without_blocking_anyone(
    settings, professional, measurement_round, caplog
):
    settings.ALLIANTIEMONITOR_ENTRY_WAVE_THRESHOLD = 6
    _, code = invitation_create(round=measurement_round, kind="code", by=professional)
    with caplog.at_level(logging.WARNING, logger="alliantiemonitor.measurements.ratelimit"):
        for n in range(6):
            response = browser(f"198.51.100.{n}").post(reverse("client:code"), {"code": "ACDEFGHJ"})
            assert response.status_code == 400
    warnings = [r.getMessage() for r in caplog.records if "wave" in r.getMessage()]
    assert warnings == [
        "wave of refused client entries: 6 refused entry attempts from 6 addresses in the "
        "last 15 minutes"
    ]
    assert "198.51.100" not in warnings[0]
    # No address is blocked by the wave: a client elsewhere gets in with the right code.
    assert browser("203.0.113.5").post(reverse("client:code"), {"code": code}).status_code == 302
