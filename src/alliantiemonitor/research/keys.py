"""Study keys: how a client is known inside one study, and nowhere else.

A study key is the export's pseudonym of the client (``core.research.pseudonym``): an
HMAC-SHA256 of the client's public id under the study's own secret, in the ``client_id``
namespace, written as 12 characters of Crockford's base 32 in lower case (60 bits). So the key
a professional passes on for an interview, the key in a follow-up file and the ``client_id`` of
every export of the study are one and the same. It is unrelated between studies (each has its
own secret) and holds nothing of the person: without the secret, which is never shown, it
cannot be traced back.
"""

from __future__ import annotations

import re
from typing import Protocol

from alliantiemonitor.core.research.export import CLIENT_COLUMN
from alliantiemonitor.core.research.pseudonym import ALPHABET, KEY_CHARACTERS, Pseudonymiser

#: What people type for a key that is easy to misread: ``i``/``l`` for 1, ``o`` for 0.
_MISREAD = str.maketrans({"i": "1", "l": "1", "o": "0"})
_NOISE = re.compile(r"[\s-]+")
_KEY = re.compile(f"[{ALPHABET}]{{{KEY_CHARACTERS}}}")


class _HasSecret(Protocol):
    secret: str


class _HasUuid(Protocol):
    @property
    def uuid(self) -> object: ...


def study_secret(study: _HasSecret) -> bytes:
    """The secret of ``study``'s keyed hashes, as the export's pseudonymiser takes it."""
    if not study.secret:
        raise ValueError("the study has no secret")
    return study.secret.encode("ascii")


def study_key(study: _HasSecret, client: _HasUuid) -> str:
    """The study key of ``client`` in ``study`` (12 characters of ``0-9a-z`` without i l o u)."""
    return Pseudonymiser(study_secret(study)).key(CLIENT_COLUMN, str(client.uuid))


def normalise_study_key(text: str) -> str | None:
    """A typed study key as it is stored, or ``None`` when it cannot be one.

    Spaces and hyphens are ignored, case too, and the look-alikes ``i``, ``l`` (one) and ``o``
    (zero) are read as the digits they stand for.
    """
    key = _NOISE.sub("", text).casefold().translate(_MISREAD)
    return key if _KEY.fullmatch(key) else None
