"""The audit log is hash-chained, and ``audit verify`` catches a tampered row.

The tamper tests write with raw SQL, as someone with direct access to the database would. On
PostgreSQL they first disable the append-only trigger, as the table's owner can: the point is
that ``verify`` still catches what the trigger no longer stops.
"""

from __future__ import annotations

import importlib
import uuid
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from alliantiemonitor import cli
from alliantiemonitor.audit import chain, verify
from alliantiemonitor.audit.constants import PrivacyAction
from alliantiemonitor.audit.models import AuditChainHead, AuditEvent
from alliantiemonitor.audit.services import audit_record, erasure_record, redact_client_events
from alliantiemonitor.audit.verify import verify_chain
from alliantiemonitor.trajectories.services import erase_client_data
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


def _triggers(cursor, switch: str) -> None:
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks pending in the test's transaction block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE audit_auditevent {switch} TRIGGER USER")
        cursor.execute(f"ALTER TABLE audit_auditchainhead {switch} TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        _triggers(cursor, "DISABLE")
        cursor.execute(statement, params or [])
        _triggers(cursor, "ENABLE")


@pytest.fixture
def events(trajectory, professional):
    """Five events in order, the first ones from the fixtures' services."""
    for page in ("overview", "hand_over", "schedule"):
        audit_record(
            actor=professional, action="trajectory.view", obj=trajectory, detail={"page": page}
        )
    return list(AuditEvent.objects.order_by("seq"))


def _run_verify(capsys) -> tuple[int, str, str]:
    code = cli.main(["audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_events_are_numbered_and_linked_in_order(events):
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    previous = chain.GENESIS
    for event in events:
        assert event.chain_hash == chain.chain_hash(previous, event.content_hash)
        previous = event.chain_hash
    head = AuditChainHead.objects.get()
    assert (head.seq, head.chain_hash) == (events[-1].seq, events[-1].chain_hash)


def test_verify_reports_an_intact_chain(events, capsys):
    code, out, err = _run_verify(capsys)
    assert code == 0, err
    assert f"Audit chain intact: {len(events)} events (0 redacted)" in out
    assert events[-1].chain_hash in out


def test_verify_of_an_empty_log_is_intact(db, capsys):
    assert _run_verify(capsys)[0] == 0


def test_verify_reads_in_pages(events):
    result = verify_chain(page_size=2)
    assert result.intact
    assert result.events == len(events)


def _assert_broken_at(capsys, seq: int, uuid_: object, words: str) -> None:
    code, _, err = _run_verify(capsys)
    assert code == 1
    assert f"Audit chain broken at event {seq}" in err
    if uuid_ is not None:
        assert str(uuid_) in err
    assert words in err


def test_changed_action_is_caught(events, capsys):
    _sql("UPDATE audit_auditevent SET action = %s WHERE seq = 3", ["trajectory.create"])
    _assert_broken_at(capsys, 3, events[2].uuid, "content differs")


def test_changed_detail_is_caught(events, capsys):
    _sql("UPDATE audit_auditevent SET detail = %s WHERE seq = 4", ['{"page": "other"}'])
    _assert_broken_at(capsys, 4, events[3].uuid, "detail or source differs")


def test_changed_actor_is_caught(events, superuser, capsys):
    _sql("UPDATE audit_auditevent SET actor_id = %s WHERE seq = 2", [superuser.pk])
    _assert_broken_at(capsys, 2, events[1].uuid, "content differs")


def test_removed_event_in_the_middle_is_caught(events, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = 3")
    _assert_broken_at(capsys, 4, events[3].uuid, "event 3 is missing before it")


def test_removed_last_event_is_caught(events, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = %s", [events[-1].seq])
    _assert_broken_at(capsys, events[-1].seq, None, "the last events were removed")


def test_renumbered_events_after_a_removal_are_caught(events, capsys):
    _sql("DELETE FROM audit_auditevent WHERE seq = 3")
    _sql("UPDATE audit_auditevent SET seq = -seq WHERE seq > 3")
    _sql("UPDATE audit_auditevent SET seq = -seq - 1 WHERE seq < 0")
    _assert_broken_at(capsys, 3, events[3].uuid, "content differs")


def _make_room_at(seq: int) -> None:
    # Two steps, so that no moment has two events with one number (the column is unique).
    _sql("UPDATE audit_auditevent SET seq = -seq WHERE seq >= %s", [seq])
    _sql("UPDATE audit_auditevent SET seq = -seq + 1 WHERE seq < 0")


def _uuid_param(value: uuid.UUID) -> str:
    return value.hex if connection.vendor == "sqlite" else str(value)


def _insert_copy(of_seq: int, *, seq: int, forged: uuid.UUID, **values: object) -> None:
    columns = (
        "at, actor_id, actor_kind, action, organisation_id, client_id, object_type, "
        "object_uuid, detail, ip_address, user_agent, personal_salt, personal_digest, "
        "content_hash, chain_hash"
    )
    names = [name.strip() for name in columns.split(",")]
    select = ", ".join("%s" if name in values else name for name in names)
    _sql(
        f"INSERT INTO audit_auditevent (uuid, seq, {columns}) "  # noqa: S608 (fixed names)
        f"SELECT %s, %s, {select} FROM audit_auditevent WHERE seq = %s",
        [_uuid_param(forged), seq, *[values[name] for name in names if name in values], of_seq],
    )


def test_forged_event_inserted_in_the_middle_is_caught(events, capsys):
    _make_room_at(3)
    forged = uuid.uuid4()
    _insert_copy(2, seq=3, forged=forged)
    _assert_broken_at(capsys, 3, forged, "content differs")


def test_forged_event_with_correct_hashes_breaks_the_next_link(events, capsys):
    """A forger who computes the forged row's hashes still cannot fix the events after it."""
    before = events[1]
    _make_room_at(3)
    forged = uuid.uuid4()
    content = chain.content_hash(
        seq=3,
        uuid=forged,
        at=before.at,
        actor_id=before.actor_id,
        actor_kind=before.actor_kind,
        action=before.action,
        organisation_id=before.organisation_id,
        object_type=before.object_type,
        object_uuid=before.object_uuid,
        personal_digest=before.personal_digest,
    )
    _insert_copy(
        2,
        seq=3,
        forged=forged,
        content_hash=content,
        chain_hash=chain.chain_hash(before.chain_hash, content),
    )
    # The forged row itself holds; the event it was pushed in front of no longer does.
    _assert_broken_at(capsys, 4, events[2].uuid, "content differs")


def test_changed_chain_hash_is_caught(events, capsys):
    _sql("UPDATE audit_auditevent SET chain_hash = %s WHERE seq = 2", ["f" * 64])
    _assert_broken_at(capsys, 2, events[1].uuid, "chain hash does not follow")


def test_event_marked_redacted_without_being_blanked_is_caught(events, capsys):
    _sql("UPDATE audit_auditevent SET redacted_at = at WHERE seq = 4")
    _assert_broken_at(capsys, 4, events[3].uuid, "still holds personal content")


def test_redacted_events_still_verify(events, client_record, capsys):
    summary = erase_client_data(client_record, actor=None, reason="request")
    redacted = summary["events_redacted"]
    assert redacted == AuditEvent.objects.filter(redacted_at__isnull=False).count() > 0
    event = AuditEvent.objects.get(seq=events[-1].seq)
    assert (event.client_id, event.detail, event.ip_address, event.user_agent) == (None, {}, "", "")
    assert event.personal_salt == ""
    erase = AuditEvent.objects.get(action=PrivacyAction.CLIENT_ERASE)
    assert erase.detail["redacted_seqs"] == chain.seq_ranges(
        AuditEvent.objects.filter(redacted_at__isnull=False).values_list("seq", flat=True)
    )
    code, out, _ = _run_verify(capsys)
    assert code == 0
    assert f"({redacted} redacted)" in out


def test_blanking_one_event_of_a_living_client_is_caught(events, client_record, capsys):
    """The one UPDATE the trigger lets through, used outside an erasure: verify names it."""
    target = AuditEvent.objects.filter(client=client_record).order_by("seq").last()
    AuditEvent.objects.filter(pk=target.pk).redact(at=target.at)
    _assert_broken_at(capsys, target.seq, target.uuid, "no erasure of its client lists it")


def test_an_erasure_does_not_cover_a_redaction_it_does_not_list(
    events, client_record, organisation, capsys
):
    other = ClientFactory(organisation=organisation)
    audit_record(actor=None, action="trajectory.view", client=other, detail={"page": "x"})
    target = AuditEvent.objects.get(client=other)
    AuditEvent.objects.filter(pk=target.pk).redact(at=target.at)
    erase_client_data(client_record, actor=None, reason="request")  # lists its own only
    _assert_broken_at(capsys, target.seq, target.uuid, "no erasure of its client lists it")


def _blank_one_view(client_record):
    target = AuditEvent.objects.filter(client=client_record).order_by("seq").last()
    AuditEvent.objects.filter(pk=target.pk).redact(at=target.at)
    return target


def _assert_erasure_refused(capsys, blanked, erasure, words: str) -> None:
    """The blanking stays uncovered (verify names it), because the erasure does not hold."""
    _assert_broken_at(capsys, blanked.seq, blanked.uuid, "no erasure of its client lists it")
    row = SimpleNamespace(**AuditEvent.objects.filter(pk=erasure.pk).values(*verify._COLUMNS)[0])
    assert words in verify._erasure_problem(row)


def test_an_appended_erasure_without_the_key_does_not_cover_a_blanking(
    events, client_record, capsys
):
    """Someone with database access blanks a view and appends an erasure listing it; the
    hashes are right (anyone can compute them), but the seal needs the field key."""
    target = _blank_one_view(client_record)
    forged = audit_record(
        actor=None,
        action=PrivacyAction.CLIENT_ERASE,
        organisation=client_record.organisation,
        detail={
            "client": str(uuid.uuid4()),
            "reason": "retention",
            "deleted": {},
            "events_redacted": 1,
            "redacted_seqs": [[target.seq, target.seq]],
            "seal": "0" * 8 + ":" + "0" * 64,
        },
    )
    _assert_erasure_refused(capsys, target, forged, "seal does not hold")


def test_an_erasure_sealed_with_another_key_does_not_hold(events, client_record, settings, capsys):
    target = _blank_one_view(client_record)
    original = settings.ALLIANTIEMONITOR_FIELD_KEYS
    settings.ALLIANTIEMONITOR_FIELD_KEYS = ["A" * 43 + "="]  # the attacker's own key
    forged = erasure_record(
        actor=None,
        organisation=client_record.organisation,
        client_uuid=uuid.uuid4(),
        reason="retention",
        deleted={},
        redacted=[[target.seq, target.seq]],
    )
    settings.ALLIANTIEMONITOR_FIELD_KEYS = original
    _assert_erasure_refused(capsys, target, forged, "seal does not hold")


def test_a_sealed_erasure_of_a_living_client_does_not_hold(events, client_record, capsys):
    target = _blank_one_view(client_record)
    erasure = erasure_record(
        actor=None,
        organisation=client_record.organisation,
        client_uuid=client_record.uuid,
        reason="retention",
        deleted={},
        redacted=[[target.seq, target.seq]],
    )
    _assert_erasure_refused(capsys, target, erasure, "client that still exists")


def test_an_erasure_listing_everything_does_not_hold(events, client_record, capsys):
    target = _blank_one_view(client_record)
    erasure = erasure_record(
        actor=None,
        organisation=client_record.organisation,
        client_uuid=uuid.uuid4(),
        reason="retention",
        deleted={},
        redacted=[[-(10**30), 10**30]],
    )
    _assert_erasure_refused(capsys, target, erasure, "not before it")


def test_a_row_outside_the_chain_is_caught(events, capsys):
    new_uuid = uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4())
    _sql(
        "INSERT INTO audit_auditevent (uuid, seq, at, actor_id, actor_kind, action, "
        "organisation_id, client_id, object_type, object_uuid, detail, ip_address, "
        "user_agent, personal_salt, personal_digest, content_hash, chain_hash) "
        "SELECT %s, -1, at, actor_id, actor_kind, action, organisation_id, client_id, "
        "object_type, object_uuid, detail, ip_address, user_agent, personal_salt, 'x', 'y', 'z' "
        "FROM audit_auditevent WHERE seq = %s",
        [new_uuid, events[1].seq],
    )
    forged = AuditEvent.objects.get(seq=-1)
    _assert_broken_at(capsys, -1, forged.uuid, "not a place in the chain")


def test_seq_ranges_read_back_only_when_well_formed():
    assert chain.valid_ranges([[1, 2], [5, 5]]) == [(1, 2), (5, 5)]
    for malformed in ("1-9", None, [[3, 1]], [[True, 9]], [[1, 2, 3]], [["1", "2"]], {"a": 1}):
        assert chain.valid_ranges(malformed) == [], malformed


def test_seq_ranges_are_compact():
    assert chain.seq_ranges([7, 1, 3, 2, 2]) == [[1, 3], [7, 7]]
    assert chain.seq_ranges([]) == []


def test_staff_events_record_where_they_came_from(client, trajectory, professional):
    client.force_login(professional)
    response = client.get(
        f"/clienten/{trajectory.uuid}/overdragen/",
        HTTP_USER_AGENT="Testbrowser/1.0",
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.ip_address, event.user_agent) == (
        "trajectory.view",
        "192.0.2.7",
        "Testbrowser/1.0",
    )
    assert verify_chain().intact


def test_client_events_keep_no_address(client_record):
    from alliantiemonitor.audit.context import _source

    token = _source.set(("192.0.2.8", "Clientbrowser"))
    try:
        event = audit_record(
            actor=None, actor_kind="client", action="trajectory.view", client=client_record
        )
    finally:
        _source.reset(token)
    assert (event.ip_address, event.user_agent) == ("", "")


def test_detail_is_stored_as_it_reads_back(professional):
    """Dates, UUIDs and whole floats hash alike before and after the database."""
    import datetime as dt

    event = audit_record(
        actor=professional,
        action="trajectory.view",
        detail={"on": dt.date(2026, 1, 2), "id": uuid.UUID(int=5), "n": 2.0, "f": 0.1},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.detail["on"] == "2026-01-02"
    assert verify_chain().intact


def test_migration_chains_existing_events(events):
    """0003 numbers and hashes the events that existed before the chain, by (at, pk)."""
    _sql(
        "UPDATE audit_auditevent SET seq = -seq, personal_salt = '', personal_digest = '', "
        "content_hash = '', chain_hash = ''"
    )
    _sql("DELETE FROM audit_auditchainhead")
    migration = importlib.import_module("alliantiemonitor.audit.migrations.0003_compute_chain")
    with connection.cursor() as cursor:
        _triggers(cursor, "DISABLE")
    state = MigrationLoader(connection).project_state(("audit", "0002_hash_chain_fields"))
    migration.compute_chain(state.apps, None)
    with connection.cursor() as cursor:
        _triggers(cursor, "ENABLE")
    result = verify_chain()
    assert result.intact, result.broken
    assert result.events == len(events)
    assert list(AuditEvent.objects.order_by("seq").values_list("uuid", flat=True)) == [
        event.uuid for event in events
    ]


@on_postgresql
def test_trigger_refuses_update_and_delete(events):
    event = events[-1]
    for statement in (
        "UPDATE audit_auditevent SET action = 'x' WHERE seq = %s",
        "UPDATE audit_auditevent SET client_id = NULL, detail = '{}', ip_address = '', "
        "user_agent = '', personal_salt = '', redacted_at = now(), action = 'x' WHERE seq = %s",
        "DELETE FROM audit_auditevent WHERE seq = %s",
        "UPDATE audit_auditchainhead SET seq = seq - 1 WHERE %s > 0",
        "DELETE FROM audit_auditchainhead WHERE %s > 0",
    ):
        with (
            pytest.raises(DatabaseError, match=r"append-only|only moves forward"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.seq])
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
    assert verify_chain().intact


@on_postgresql
def test_trigger_allows_only_the_redaction_of_a_clients_event(events, client_record):
    without_client = audit_record(actor=None, action="round.expire")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET detail = '{}', personal_salt = '', "
            "redacted_at = now() WHERE id = %s",
            [without_client.pk],
        )
    assert redact_client_events(client_record.pk)
    # Allowed by the trigger, but only an erasure event that lists the events makes it whole.
    assert not verify_chain().intact


@on_postgresql
def test_operator_can_see_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
        )
        assert cursor.fetchall() == [("audit_auditevent_append_only", "O")]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(professional):
    """Eight connections appending at once still make one unbroken chain."""
    import threading

    from django.db import connections

    workers, per_worker = 8, 25
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(per_worker):
                with transaction.atomic():
                    audit_record(
                        actor=professional, action="course.view", detail={"w": worker, "n": n}
                    )
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    result = verify_chain()
    assert result.intact, result.broken
    written = AuditEvent.objects.filter(action="course.view")
    assert written.count() == workers * per_worker
    assert result.events == AuditEvent.objects.count()
    assert sorted(written.values_list("detail__w", flat=True)) == sorted(
        worker for worker in range(workers) for _ in range(per_worker)
    )


def test_factory_events_join_the_chain(db):
    from tests.factories import AuditEventFactory

    AuditEventFactory(action="round.view")
    AuditEventFactory(action="course.view", detail={"n": 1})
    assert verify_chain().intact
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))[-2:] == [
        "round.view",
        "course.view",
    ]


def test_events_appended_while_verifying_are_no_false_alarm(events, professional, monkeypatch):
    """An event written after the walk's last page but before it reads the head is walked too."""
    from alliantiemonitor.audit import verify

    original = verify._rows
    appended = []

    def rows_then_append(page_size, after):
        yield from original(page_size, after)
        if not appended:
            appended.append(audit_record(actor=professional, action="timeline.view"))

    monkeypatch.setattr(verify, "_rows", rows_then_append)
    result = verify.verify_chain(page_size=2)
    assert result.intact, result.broken
    assert result.events == len(events) + 1
