"""Study-specific pseudonyms: a keyed hash (HMAC-SHA256) turns every identifier into a short key.

The secret belongs to one study; the same identifier therefore gets the same key throughout a
study and an unrelated key in any other study. Nothing that maps keys back to identifiers is
stored anywhere: without the secret a key cannot be linked to its identifier, and even with the
secret only by hashing candidate identifiers.

Each identifier column hashes in its own namespace (the column name), so client ``12`` and
professional ``12`` get different keys. The date shift of a client comes from the same secret
in a namespace of its own, so it is stable per study and client and says nothing about the key.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

#: At least 256 bits, the size of the HMAC-SHA256 block's useful key.
MINIMUM_SECRET_BYTES = 32
#: Characters per key; 5 bits each, so 60 bits: collisions are unlikely below ~10⁸ identifiers.
KEY_CHARACTERS = 12
KEY_BITS = 5 * KEY_CHARACTERS
METHOD = "HMAC-SHA256"
#: Crockford's base 32 in lower case: no i, l, o or u to misread, and lower case so that a key
#: never spells out an upper-case identifier such as ``P001``.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_DATE_SHIFT_NAMESPACE = "date-shift:client"


class SecretError(ValueError):
    """The study secret is missing or too short."""


def check_secret(secret: bytes) -> bytes:
    """Return ``secret`` when it is long enough; raise :class:`SecretError` naming the problem."""
    if not isinstance(secret, bytes):
        raise SecretError("the study secret must be bytes")
    if len(secret) < MINIMUM_SECRET_BYTES:
        raise SecretError(
            f"the study secret has {len(secret)} byte(s); it needs at least "
            f"{MINIMUM_SECRET_BYTES} (for example: head -c 32 /dev/urandom > study.key)"
        )
    return secret


@dataclass(frozen=True)
class Pseudonymiser:
    """Keys and date shifts of one study, derived from its secret."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_secret(self.secret)

    def _digest(self, namespace: str, value: str) -> bytes:
        message = f"{namespace}\x00{value}".encode()
        return hmac.digest(self.secret, message, "sha256")

    def key(self, namespace: str, value: str) -> str:
        """The study key of ``value`` (an identifier from column ``namespace``)."""
        return str(self._encode([self._digest(namespace, value)])[0])

    @staticmethod
    def _encode(digests: list[bytes]) -> npt.NDArray[np.str_]:
        """The first 60 bits of each digest as 12 base-32 characters (vectorised)."""
        heads = np.frombuffer(b"".join(d[:8] for d in digests), dtype=">u8").astype(np.uint64)
        bits = heads >> np.uint64(64 - KEY_BITS)
        shifts = np.arange(KEY_CHARACTERS - 1, -1, -1, dtype=np.uint64) * np.uint64(5)
        groups = (bits[:, None] >> shifts[None, :]) & np.uint64(31)
        letters = _ALPHABET_BYTES[groups.astype(np.intp)]
        return np.ascontiguousarray(letters).view(f"S{KEY_CHARACTERS}").ravel().astype(str)

    def keys(self, namespace: str, values: pd.Series) -> pd.Series:
        """Keys for a column of identifiers (text); missing stays missing.

        Each distinct identifier is hashed once per call, so a column with few distinct values
        (clients, professionals) costs little however long it is.
        """
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        digests = [self._digest(namespace, str(value)) for value in uniques]
        hashed = self._encode(digests).astype(object) if digests else np.array([], dtype=object)
        result = np.full(len(values), None, dtype=object)
        present = codes >= 0
        result[present] = hashed[codes[present]]
        return pd.Series(result, index=values.index, dtype=object)

    def shift_days(self, client: str, limit: int) -> int:
        """Days (−``limit``…``limit``) by which every date of ``client`` moves in this study."""
        digest = self._digest(_DATE_SHIFT_NAMESPACE, client)
        span = 2 * limit + 1
        return int.from_bytes(digest[:8], "big") % span - limit

    def shifts(self, clients: pd.Series, limit: int) -> pd.Series:
        """Per row the shift in days of its client; rows without a client get ``<NA>``."""
        codes, uniques = pd.factorize(clients, use_na_sentinel=True)
        per_client = np.array([self.shift_days(str(c), limit) for c in uniques], dtype=np.int64)
        result = pd.array(np.zeros(len(clients), dtype=np.int64), dtype="Int64")
        present = codes >= 0
        result[present] = per_client[codes[present]]
        result[~present] = pd.NA
        return pd.Series(result, index=clients.index)
