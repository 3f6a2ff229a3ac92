"""Study keys: how a client is known inside one study, and nowhere else.

``study_key(study, client)`` is an HMAC-SHA256 of the client's public id under the study's own
secret, written as the first 12 characters of its base32 form (60 bits). It is the same for
the same client in the same study, unrelated between studies (each has its own secret), and
holds nothing of the person: without the secret, which is never shown, it cannot be traced back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Protocol

from alliantiemonitor.research.constants import STUDY_KEY_LENGTH


class _HasSecret(Protocol):
    secret: str


class _HasUuid(Protocol):
    @property
    def uuid(self) -> object: ...


def study_key(study: _HasSecret, client: _HasUuid) -> str:
    """The study key of ``client`` in ``study`` (12 characters, A–Z and 2–7)."""
    if not study.secret:
        raise ValueError("the study has no secret")
    digest = hmac.new(
        study.secret.encode("ascii"), str(client.uuid).encode("ascii"), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode("ascii")[:STUDY_KEY_LENGTH]
