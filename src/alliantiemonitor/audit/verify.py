"""Walking the audit chain: is every event still what was recorded, in the order it was?

The walk reads the events in ``seq`` order in keyset pages, so a log of millions of events
needs the memory of one page. It stops at the first broken event: after a break, every later
link is suspect anyway, and the first one is where an investigation starts.

A redacted event (a client's personal content blanked) holds only when a later ``client.erase``
event lists it: the PostgreSQL trigger lets that one UPDATE through, so without this check
someone with the application's database role could blank a living client's event unseen. And
an erasure event holds only when it is sealed with the field key (which is not in the
database), names an organisation, lists only events before it, counts them right, and names a
client that no longer exists: appending a made-up erasure does not cover a blanked event.

Every row must be on the walk: one with a sequence number outside it (zero or negative) is
a break too.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from alliantiemonitor.audit import chain
from alliantiemonitor.audit.constants import PrivacyAction
from alliantiemonitor.audit.models import AuditChainHead, AuditEvent
from alliantiemonitor.common.encryption import keyring

#: Events read per query.
PAGE_SIZE = 2000

_COLUMNS = (
    "seq",
    "uuid",
    "at",
    "actor_id",
    "actor_kind",
    "action",
    "organisation_id",
    "object_type",
    "object_uuid",
    "client_id",
    "detail",
    "ip_address",
    "user_agent",
    "personal_salt",
    "personal_digest",
    "content_hash",
    "chain_hash",
    "redacted_at",
)


@dataclass(frozen=True)
class Break:
    """The first event at which the chain does not hold."""

    seq: int
    uuid: uuid_module.UUID | None
    problem: str

    def __str__(self) -> str:
        who = f"event {self.seq}" + (f" ({self.uuid})" if self.uuid else "")
        return f"{who}: {self.problem}"


@dataclass(frozen=True)
class Result:
    events: int
    redacted: int
    head_seq: int
    head_hash: str
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _erasure_problem(row: SimpleNamespace) -> str | None:
    """Why an erasure event cannot be the application's own, or None when it holds."""
    detail = row.detail if isinstance(row.detail, dict) else {}
    if row.organisation_id is None:
        return "an erasure event without an organisation (not written by the application)"
    if not keyring().seal_valid(
        chain.erasure_message(row.organisation_id, detail), detail.get("seal")
    ):
        return (
            "an erasure event whose seal does not hold (not written by the application, or "
            "changed; or its key is no longer in ALLIANTIEMONITOR_FIELD_KEYS)"
        )
    ranges = chain.valid_ranges(detail.get("redacted_seqs"))
    if any(first < 1 or last >= row.seq for first, last in ranges):
        return "an erasure event that lists events that are not before it"
    if detail.get("events_redacted") != sum(last - first + 1 for first, last in ranges):
        return "an erasure event whose count differs from the events it lists"
    clients = AuditEvent._meta.get_field("client").related_model._default_manager
    if clients.filter(uuid=detail.get("client")).exists():
        return "an erasure event of a client that still exists"
    return None


def _rows(page_size: int, after: int) -> Iterator[SimpleNamespace]:
    last = after
    while True:
        page = AuditEvent.objects.order_by("seq").filter(seq__gt=last)
        rows = [SimpleNamespace(**row) for row in page.values(*_COLUMNS)[:page_size]]
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _problem(row: SimpleNamespace, expected_seq: int, previous: str) -> str | None:
    if row.seq != expected_seq:
        if row.seq > expected_seq:
            missing = (
                f"event {expected_seq} is"
                if row.seq == expected_seq + 1
                else f"events {expected_seq} to {row.seq - 1} are"
            )
            return f"{missing} missing before it (removed)"
        return f"its sequence number is out of order (expected {expected_seq})"
    if row.redacted_at is None:
        if chain.personal_digest_of(row) != row.personal_digest:
            return "its client, detail or source differs from what was recorded (changed)"
    elif any(
        (row.client_id is not None, row.detail, row.ip_address, row.user_agent, row.personal_salt)
    ):
        return "it is marked as redacted but still holds personal content"
    content = chain.content_hash_of(row)
    if content != row.content_hash:
        return "its content differs from what was recorded (changed or forged)"
    if chain.chain_hash(previous, content) != row.chain_hash:
        return (
            "its chain hash does not follow from the event before it "
            "(an event was inserted or removed, or the hash was changed)"
        )
    return None


class _Walk:
    """Where the walk is: how far it got and what the last link was."""

    def __init__(self) -> None:
        self.count = self.redacted = self.last_seq = 0
        self.previous = chain.GENESIS
        #: Redacted events that no erasure has listed yet: seq → uuid.
        self.unaccounted: dict[int, uuid_module.UUID] = {}

    def account(self, row: SimpleNamespace) -> str | None:
        """Note a redaction, or strike the ones a genuine erasure event lists.

        Returns the problem of an erasure event that does not hold, if any.
        """
        if row.redacted_at is not None:
            self.unaccounted[row.seq] = row.uuid
            return None
        if row.action != PrivacyAction.CLIENT_ERASE:
            return None
        problem = _erasure_problem(row)
        if problem is not None:
            return problem
        for first, last in chain.valid_ranges(row.detail.get("redacted_seqs")):
            for seq in range(first, last + 1):
                self.unaccounted.pop(seq, None)
        return None

    def unaccounted_redaction(self) -> Break | None:
        if not self.unaccounted:
            return None
        seq = min(self.unaccounted)
        return Break(
            seq,
            self.unaccounted[seq],
            "its personal content was removed, but no erasure of its client lists it "
            "(redacted outside an erasure)",
        )

    def result(self, broken: Break | None = None) -> Result:
        return Result(self.count, self.redacted, self.last_seq, self.previous, broken)

    def on(self, page_size: int) -> Break | None:
        """Check the events after the last one checked; the first broken one, if any."""
        for row in _rows(page_size, self.last_seq):
            problem = _problem(row, self.last_seq + 1, self.previous)
            if problem is not None:
                return Break(row.seq, row.uuid, problem)
            problem = self.account(row)
            if problem is not None:
                return Break(row.seq, row.uuid, problem)
            self.count += 1
            self.redacted += row.redacted_at is not None
            self.previous = row.chain_hash
            self.last_seq = row.seq
        return None


def _earliest(broken: Break, other: Break | None) -> Break:
    return other if other is not None and other.seq < broken.seq else broken


def verify_chain(*, page_size: int = PAGE_SIZE) -> Result:
    """Walk the whole chain; the result names the first broken event, if any.

    The app may append while the walk runs: events written meanwhile are walked too, until
    the walk has reached the chain head (an event and the head move in one transaction).
    """
    walk = _Walk()
    outside = AuditEvent.objects.filter(seq__lte=0).order_by("seq").values("seq", "uuid").first()
    if outside is not None:
        return walk.result(
            Break(
                outside["seq"],
                outside["uuid"],
                "its sequence number is not a place in the chain (inserted outside it)",
            )
        )
    while True:
        walked = walk.last_seq
        broken = walk.on(page_size)
        if broken is not None:
            return walk.result(_earliest(broken, walk.unaccounted_redaction()))
        head = AuditChainHead.objects.filter(pk=1).first()
        head_seq = head.seq if head is not None else 0
        if head_seq > walk.last_seq and walk.last_seq > walked:
            continue  # appended while walking: walk on
        break
    if head is None:
        if walk.last_seq:
            return walk.result(Break(walk.last_seq, None, "the chain head is missing (removed)"))
        return walk.result()
    if head.seq > walk.last_seq:
        return walk.result(
            Break(
                walk.last_seq + 1,
                None,
                f"the chain head records {head.seq} events but the chain ends at "
                f"{walk.last_seq}: the last events were removed",
            )
        )
    if head.seq < walk.last_seq:
        return walk.result(
            Break(
                head.seq + 1,
                None,
                f"the chain head records only {head.seq} events: events were added past it",
            )
        )
    if head.chain_hash != walk.previous:
        return walk.result(
            Break(walk.last_seq, None, "the chain head's hash differs from the last event's")
        )
    return walk.result(walk.unaccounted_redaction())
