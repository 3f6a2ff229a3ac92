"""The session engine: Django's database sessions, refusing a session key it could not have made.

A cookie may carry any character, a NUL too (as an octal escape in a quoted cookie value), and
Django's own check only asks for eight characters. PostgreSQL refuses a NUL in a query, so such a
cookie turned every page into a server error. A key that is not made of the characters Django
draws session keys from is treated as no session at all: the visitor gets a fresh one.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key and super()._validate_session_key(key) and set(key) <= _KEY_CHARS)
