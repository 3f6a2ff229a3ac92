"""Encryption at rest of free text about clients (docs/encryption.md).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under
the keys in ``settings.ALLIANTIEMONITOR_FIELD_KEYS``: the first key encrypts, every key
decrypts, so that a new key can be put in front before the old one is retired.

A stored value reads ``enc1$<key id>$<token>``. The key id is the start of a hash of the key:
it names the key without revealing it, so a value made with a key that is not configured gives
a clear error instead of a failed guess through every key, and ``rotate_field_keys`` finds the
rows still under an old key from the prefix alone. An empty value stays empty: the column then
shows that nothing was written, never what.

The same keys also **seal** what must be provably written by the application, not by someone
with only database access: the audit log's erasure events (docs/audit.md). A seal is an
HMAC-SHA256 under a key derived from a field key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1$"
#: What the seal key is derived for (a field key is never used as an HMAC key itself).
SEAL_LABEL = b"alliantiemonitor audit erasure seal v1"
SEPARATOR = "$"
GENERATE_HINT = (
    'python3 -c "import base64, secrets; '
    'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
)


class DecryptionError(Exception):
    """A stored value cannot be read: unknown key, damaged value or not encrypted at all."""


def key_id(key: str) -> str:
    """The public name of ``key``: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()[:8]


@dataclass(frozen=True)
class KeyRing:
    """The configured keys by id; ``current`` encrypts."""

    current: str
    fernets: dict[str, Fernet]
    #: Per key id, a key for seals (HMAC), derived from the field key; never the key itself.
    seal_keys: dict[str, bytes] = field(default_factory=dict, repr=False)

    def seal(self, message: bytes) -> str:
        """``<key id>:<HMAC-SHA256>`` of ``message`` with the current key: proof that whoever
        wrote it held a key that is not in the database."""
        digest = hmac.new(self.seal_keys[self.current], message, hashlib.sha256).hexdigest()
        return f"{self.current}:{digest}"

    def seal_valid(self, message: bytes, sealed: object) -> bool:
        """Whether ``sealed`` is a seal of ``message`` by any configured key."""
        if not isinstance(sealed, str) or ":" not in sealed:
            return False
        kid, digest = sealed.split(":", 1)
        key = self.seal_keys.get(kid)
        if key is None:
            return False
        expected = hmac.new(key, message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, digest)

    def encrypt(self, plaintext: str) -> str:
        token = self.fernets[self.current].encrypt(plaintext.encode("utf-8")).decode("ascii")
        return f"{PREFIX}{self.current}{SEPARATOR}{token}"

    def decrypt(self, stored: str) -> str:
        kid, token = split(stored)
        fernet = self.fernets.get(kid)
        if fernet is None:
            raise DecryptionError(
                f"This value was encrypted with key {kid}, which is not in "
                f"ALLIANTIEMONITOR_FIELD_KEYS (configured: {', '.join(self.fernets)}). "
                "Add that key again (after the current one) to read it."
            )
        try:
            return fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise DecryptionError(
                f"A value encrypted with key {kid} is damaged: its authentication failed."
            ) from exc


def split(stored: str) -> tuple[str, str]:
    """The key id and the token of a stored value; :class:`DecryptionError` if it is none."""
    if not stored.startswith(PREFIX):
        raise DecryptionError(
            "This value is not encrypted (it lacks the enc1$ prefix). Run `manage.py migrate`, "
            "then `manage.py rotate_field_keys` to encrypt what was written around the app."
        )
    kid, separator, token = stored[len(PREFIX) :].partition(SEPARATOR)
    if not separator or not kid or not token:
        raise DecryptionError("An encrypted value is damaged: it has no key id or no token.")
    return kid, token


def is_current(stored: str, ring: KeyRing) -> bool:
    """Whether ``stored`` is empty or already encrypted with the current key."""
    return not stored or stored.startswith(f"{PREFIX}{ring.current}{SEPARATOR}")


def parse_keys(keys: Iterable[str]) -> KeyRing:
    """A key ring from configured keys, first = current; ImproperlyConfigured if one is bad."""
    fernets: dict[str, Fernet] = {}
    seal_keys: dict[str, bytes] = {}
    for number, key in enumerate(keys, start=1):
        try:
            fernet = Fernet(key.encode("ascii"))
        except (ValueError, UnicodeError) as exc:
            raise ImproperlyConfigured(
                f"ALLIANTIEMONITOR_FIELD_KEYS: key number {number} is not a valid key "
                f"(32 random bytes in URL-safe base64, 44 characters). Make one with: "
                f"{GENERATE_HINT}"
            ) from exc
        kid = key_id(key)
        if kid in fernets:
            raise ImproperlyConfigured(
                f"ALLIANTIEMONITOR_FIELD_KEYS: key number {number} is listed twice."
            )
        fernets[kid] = fernet
        seal_keys[kid] = hmac.new(
            base64.urlsafe_b64decode(key.encode("ascii")), SEAL_LABEL, hashlib.sha256
        ).digest()
    if not fernets:
        raise ImproperlyConfigured(
            "ALLIANTIEMONITOR_FIELD_KEYS is not set: free text about clients cannot be "
            f"encrypted or read without it (docs/encryption.md). Make a key with: {GENERATE_HINT}"
        )
    return KeyRing(current=next(iter(fernets)), fernets=fernets, seal_keys=seal_keys)


@lru_cache(maxsize=4)
def _ring(keys: tuple[str, ...]) -> KeyRing:
    return parse_keys(keys)


def keyring() -> KeyRing:
    """The key ring of the current settings (cached per set of keys)."""
    return _ring(tuple(settings.ALLIANTIEMONITOR_FIELD_KEYS))


def encrypt(plaintext: str) -> str:
    """``plaintext`` encrypted with the current key; empty stays empty."""
    return keyring().encrypt(plaintext) if plaintext else ""


def decrypt(stored: str) -> str:
    """The plaintext of a stored value; empty stays empty."""
    return keyring().decrypt(stored) if stored else ""
