"""The hash chain of the audit log: what is hashed, and how.

Each event is hashed in two parts so that a client's personal content can be erased later
without breaking the chain:

* the **personal part** (the client, the detail, the actor's address and browser, and a random
  salt) is hashed into ``personal_digest``. Erasure blanks these columns but keeps the digest;
  with the salt gone, the digest no longer reveals or confirms anything about the client.
* the **content** is every other column plus ``personal_digest``; ``content_hash`` is its hash.
* ``chain_hash`` is the hash of the previous event's ``chain_hash`` and this ``content_hash``, so
  changing, removing or inserting an event breaks every link after it.

Plain Python, no Django, so that the data migration and ``audit verify`` hash exactly alike.
The format is versioned (``FORMAT``): a change here needs a new version, never an edit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

FORMAT = 1
#: The "previous chain hash" of the first event.
GENESIS = "0" * 64


def _normalise(value: Any) -> Any:
    # A whole float comes back from PostgreSQL's jsonb as an integer; hash both alike.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    return value


def canonical(value: Any) -> bytes:
    """``value`` as canonical JSON bytes: sorted keys, no spaces, ASCII only."""
    return json.dumps(
        _normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True
    ).encode("ascii")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def timestamp(at: dt.datetime) -> str:
    """``at`` in UTC with microseconds: the same text whichever database stored it."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def personal_digest(
    *, salt: str, client_id: int | None, detail: Any, ip_address: str, user_agent: str
) -> str:
    """The hash of an event's personal part (the columns that erasure blanks)."""
    return sha256(
        canonical(
            {
                "v": FORMAT,
                "salt": salt,
                "client": client_id,
                "detail": detail,
                "ip": ip_address,
                "ua": user_agent,
            }
        )
    )


def content_hash(
    *,
    seq: int,
    uuid: Any,
    at: dt.datetime,
    actor_id: int | None,
    actor_kind: str,
    action: str,
    organisation_id: int | None,
    object_type: str,
    object_uuid: Any,
    personal_digest: str,
) -> str:
    """The hash of an event's content: its columns that erasure keeps, and the personal digest."""
    return sha256(
        canonical(
            {
                "v": FORMAT,
                "seq": seq,
                "uuid": str(uuid),
                "at": timestamp(at),
                "actor": actor_id,
                "actor_kind": actor_kind,
                "action": action,
                "organisation": organisation_id,
                "object_type": object_type,
                "object_uuid": str(object_uuid) if object_uuid is not None else None,
                "personal": personal_digest,
            }
        )
    )


def personal_digest_of(event: Any) -> str:
    """:func:`personal_digest` of an event (anything with the audit event's attribute names)."""
    return personal_digest(
        salt=event.personal_salt,
        client_id=event.client_id,
        detail=event.detail,
        ip_address=event.ip_address,
        user_agent=event.user_agent,
    )


def content_hash_of(event: Any) -> str:
    """:func:`content_hash` of an event, with the ``seq`` and ``personal_digest`` it holds."""
    return content_hash(
        seq=event.seq,
        uuid=event.uuid,
        at=event.at,
        actor_id=event.actor_id,
        actor_kind=event.actor_kind,
        action=event.action,
        organisation_id=event.organisation_id,
        object_type=event.object_type,
        object_uuid=event.object_uuid,
        personal_digest=event.personal_digest,
    )


def chain_hash(previous: str, content: str) -> str:
    """The link of an event: the previous event's chain hash followed by its content hash."""
    return sha256(f"{previous}{content}".encode("ascii"))


def seq_ranges(seqs: Iterable[int]) -> list[list[int]]:
    """``[1, 2, 3, 7]`` → ``[[1, 3], [7, 7]]``: the redacted events an erasure records."""
    ranges: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if ranges and seq == ranges[-1][1] + 1:
            ranges[-1][1] = seq
        else:
            ranges.append([seq, seq])
    return ranges


def valid_ranges(ranges: Any) -> list[tuple[int, int]]:
    """The well-formed ``[first, last]`` pairs of what :func:`seq_ranges` made."""
    if not isinstance(ranges, list):
        return []
    return [
        (pair[0], pair[1])
        for pair in ranges
        if isinstance(pair, list)
        and len(pair) == 2
        and all(isinstance(bound, int) and not isinstance(bound, bool) for bound in pair)
        and pair[0] <= pair[1]
    ]


def erasure_message(organisation_id: Any, detail: Any) -> bytes:
    """What an erasure event's seal covers: its organisation and its detail (the seal aside)."""
    body = {k: v for k, v in detail.items() if k != "seal"} if isinstance(detail, dict) else detail
    return canonical({"organisation": organisation_id, "detail": body})
