"""Slowing down guessers: refused attempts per key (address or user) counted in the database.

Several app processes may serve one installation, so the count lives in the database
(:class:`~alliantiemonitor.measurements.models.AccessAttempt`), never in memory. Only a keyed
hash of the key is stored: an address is personal data and need not be readable. Successful
entries are not counted; old rows are removed lazily when a new attempt is counted.

Usage in a view that checks a guessable secret::

    attempt = attempt_reserve(key, scope=ENTRY)      # None: blocked, look at nothing
    if attempt is None:
        return too_many()
    if secret_is_right:
        attempt_release(attempt)                       # a success is not counted

An attempt is counted *before* the secret is looked at, under a row lock per key, so parallel
guesses from one key can never check more secrets than the limit allows. Only that key's row
is locked: a guesser slows down himself, never the clients at other addresses.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from alliantiemonitor.common.request_ip import client_ip
from alliantiemonitor.measurements.models import AccessAttempt, AccessBucket

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scope:
    """What is being guessed, and how many refusals within ``window`` are tolerated."""

    name: str
    limit: int
    window: dt.timedelta


#: Short codes typed on the entry page (and wrong links), per client address.
ENTRY = Scope(
    "entry",
    limit=settings.ALLIANTIEMONITOR_ENTRY_ATTEMPTS,
    window=dt.timedelta(minutes=settings.ALLIANTIEMONITOR_ENTRY_BLOCK_MINUTES),
)

#: Rows older than this are deleted lazily; longer than every scope's window.
RETENTION = dt.timedelta(hours=1)


def _key_hash(key: str, scope: Scope) -> str:
    return salted_hmac(f"alliantiemonitor.ratelimit.{scope.name}", key).hexdigest()


def address_key(request: HttpRequest) -> str:
    """The rate-limit key of the client's address (trusting proxies only as configured)."""
    return f"ip:{client_ip(request)}"


def failures(key: str, *, scope: Scope, now: dt.datetime | None = None) -> int:
    """How many refused (or still undecided) attempts ``key`` made within ``scope``'s window."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        key_hash=_key_hash(key, scope), created_at__gt=now - scope.window
    ).count()


def is_blocked(key: str, *, scope: Scope, now: dt.datetime | None = None) -> bool:
    """Whether ``key`` has used up its attempts (a read only; see :func:`attempt_reserve`)."""
    return failures(key, scope=scope, now=now) >= scope.limit


def _cleanup(scope: Scope, now: dt.datetime) -> None:
    horizon = now - max(RETENTION, scope.window)
    AccessAttempt.objects.filter(created_at__lt=horizon).delete()
    AccessBucket.objects.filter(touched_at__lt=horizon).delete()


def _lock_bucket(key_hash: str, now: dt.datetime) -> None:
    """Hold the row lock of ``key_hash`` until the surrounding transaction ends."""
    for _attempt in range(2):
        # An UPDATE locks the row until the transaction ends (PostgreSQL); on SQLite the
        # IMMEDIATE transaction already holds the database's write lock.
        updated = AccessBucket.objects.filter(key_hash=key_hash).update(touched_at=now)
        if updated:
            return
        try:
            with transaction.atomic():
                AccessBucket.objects.create(key_hash=key_hash, touched_at=now)
        except IntegrityError:
            # Another request made the row just now: lock theirs on the next pass.
            continue
        # Made it ourselves: the new row stays locked until this transaction ends.
        return


@transaction.atomic
def attempt_reserve(key: str, *, scope: Scope, now: dt.datetime | None = None) -> int | None:
    """Count one attempt of ``key`` before its secret is checked; ``None`` if ``key`` is blocked.

    Returns the attempt's id, to give to :func:`attempt_release` when the secret turned out
    right. Check and count happen under one row lock per key, so ``limit`` parallel requests
    use up the attempts and the next one is refused, however many arrive at once.
    """
    now = now or timezone.now()
    key_hash = _key_hash(key, scope)
    _lock_bucket(key_hash, now)
    _cleanup(scope, now)
    if failures(key, scope=scope, now=now) >= scope.limit:
        return None
    attempt = AccessAttempt.objects.create(key_hash=key_hash, scope=scope.name, created_at=now)
    return attempt.pk


def attempt_release(attempt: int | None) -> None:
    """The secret was right: the reserved attempt does not count."""
    if attempt is not None:
        AccessAttempt.objects.filter(pk=attempt).delete()


@dataclass(frozen=True)
class Wave:
    """Refused attempts of one scope in its window, across all keys (never which keys)."""

    refused: int
    keys: int


def wave(scope: Scope, *, now: dt.datetime | None = None) -> Wave:
    """How many attempts were refused lately in ``scope``, and from how many keys."""
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(scope=scope.name, created_at__gt=now - scope.window)
    return Wave(refused=recent.count(), keys=recent.values("key_hash").distinct().count())


def wave_report(scope: Scope, *, now: dt.datetime | None = None) -> Wave | None:
    """Log a warning for the system admin when many attempts are refused across addresses.

    A wave of wrong codes from many addresses is invisible per address (each stays under its
    own limit). This counts, it never blocks: a global block would let an attacker shut out
    every client. The warning is written each time the count reaches another multiple of
    ``ALLIANTIEMONITOR_ENTRY_WAVE_THRESHOLD``, so a long wave keeps showing in the log without
    flooding it. Returns the wave when a warning was written.
    """
    threshold = settings.ALLIANTIEMONITOR_ENTRY_WAVE_THRESHOLD
    current = wave(scope, now=now)
    if threshold <= 0 or current.refused == 0 or current.refused % threshold:
        return None
    logger.warning(
        "wave of refused client entries: %d refused %s attempts from %d addresses in the last "
        "%d minutes",
        current.refused,
        scope.name,
        current.keys,
        int(scope.window.total_seconds() // 60),
    )
    return current
