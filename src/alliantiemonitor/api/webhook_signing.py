"""Signing webhook calls, and checking a signature as a receiver should (docs/api.md).

The header is ``Alliantiemonitor-Signature: t=<unix seconds>,v1=<hex>``, where the hex is the
HMAC-SHA256, under the endpoint's secret, of the timestamp, a full stop and the body exactly as
sent. The timestamp is signed with the body so that a captured call cannot be sent again later
with a fresh time: a receiver refuses calls older than :data:`TOLERANCE_SECONDS`.

Only the standard library is used, so that a receiver can copy :func:`verify_signature`.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Alliantiemonitor-Signature"
#: A call signed longer ago than this (or this far in the future) is refused as a replay.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float, *, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Whether ``header`` is a valid signature of ``body`` under ``secret`` at time ``now``.

    ``now`` is Unix seconds. False for a malformed header, a wrong signature, or a timestamp
    more than ``tolerance`` seconds from ``now`` either way (a replayed or forged old call).
    Several ``v1`` values are accepted, so that a sender can sign with two secrets at once.
    """
    if not isinstance(header, str) or not isinstance(body, bytes | bytearray):
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, bytes(body))
    # Bytes, since compare_digest refuses text that is not ASCII.
    return any(
        hmac.compare_digest(expected.encode("ascii"), candidate.encode("utf-8", "replace"))
        for candidate in candidates
    )
