"""Slowing down guessers: refused attempts per key (address or user) counted in the database.

Several app processes may serve one installation, so the count lives in the database
(:class:`~alliantiemonitor.measurements.models.AccessAttempt`), never in memory. Only a keyed
hash of the key is stored: an address is personal data and need not be readable. Successful
entries are not counted; old rows are removed lazily when a new failure is written.

Usage in a view: ``if is_blocked(key, scope=ENTRY): …429…`` *before* checking a secret, and
``record_failure(key, scope=ENTRY)`` after a refused one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from alliantiemonitor.measurements.models import AccessAttempt
from alliantiemonitor.web.request_ip import client_ip


@dataclass(frozen=True)
class Scope:
    """What is being guessed, and how many refusals within ``window`` are tolerated."""

    name: str
    limit: int
    window: dt.timedelta


#: Links and short codes typed on the entry page, per client address.
ENTRY = Scope(
    "entry",
    limit=settings.ALLIANTIEMONITOR_ENTRY_ATTEMPTS,
    window=dt.timedelta(minutes=15),
)
#: The professional's password when a handed-over device is given back, per user.
HAND_BACK = Scope("hand_back", limit=5, window=dt.timedelta(minutes=15))

#: Rows older than this are deleted lazily; longer than every scope's window.
RETENTION = dt.timedelta(hours=1)


def _key_hash(key: str, scope: Scope) -> str:
    return salted_hmac(f"alliantiemonitor.ratelimit.{scope.name}", key).hexdigest()


def address_key(request: HttpRequest) -> str:
    """The rate-limit key of the client's address (trusting proxies only as configured)."""
    return f"ip:{client_ip(request)}"


def failures(key: str, *, scope: Scope, now: dt.datetime | None = None) -> int:
    """How many refused attempts ``key`` made within ``scope``'s window."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        key_hash=_key_hash(key, scope), created_at__gt=now - scope.window
    ).count()


def is_blocked(key: str, *, scope: Scope, now: dt.datetime | None = None) -> bool:
    """Whether ``key`` has used up its attempts; check this before looking at a secret."""
    return failures(key, scope=scope, now=now) >= scope.limit


def record_failure(key: str, *, scope: Scope, now: dt.datetime | None = None) -> None:
    """Count one refused attempt of ``key``, and forget attempts that no longer matter."""
    now = now or timezone.now()
    AccessAttempt.objects.filter(created_at__lt=now - max(RETENTION, scope.window)).delete()
    AccessAttempt.objects.create(key_hash=_key_hash(key, scope), created_at=now)
