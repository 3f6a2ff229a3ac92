"""Backups and restore: every table comes back, and a bad file or target changes nothing.

The tests run on whichever engine the suite runs on (SQLite, or PostgreSQL with DATABASE_URL).
The backup reads the database through its own connections, so the tests that back up data
commit it (``transaction=True``). The comparison here uses Django's own connections and
introspection, not the backup code's readers, so that a fault in those cannot hide itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import stat
import tarfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.utils import load_backend

from alliantiemonitor.web.backups import BackupError, backup_create, backup_restore, database_for
from alliantiemonitor.web.backups.archive import MANIFEST_NAME, archive_read, archive_write
from alliantiemonitor.web.demo import demo_load
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RESTORED = "restored"
OTHER_ENGINE = {"sqlite": "postgresql", "postgresql": "sqlite"}


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fresh_target(tmp_path: Path) -> Any:
    """Settings of a database that does not exist yet (a file, or a PostgreSQL database)."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        settings_dict["NAME"] = f"{settings_dict['NAME']}_restored"[:63]
    target = database_for(settings_dict)
    target.drop()  # left over from an interrupted run
    yield settings_dict
    target.drop()


@contextlib.contextmanager
def connected(settings_dict: dict[str, Any]) -> Iterator[Any]:
    """A Django connection to the restored database, under an alias of its own.

    Not in ``DATABASES`` (the test runner would guard it), but reachable as ``connections[…]``
    for Django's own look-ups of the alias (``transaction.atomic(alias)``).
    """
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    connections[RESTORED] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[RESTORED]


def fingerprint(wrapper: Any) -> dict[str, tuple[int, str]]:
    """Rows and a SHA-256 over the rows in primary-key order, of every table in the database."""
    quote = wrapper.ops.quote_name
    result = {}
    with wrapper.cursor() as cursor:
        for table in wrapper.introspection.table_names(cursor):
            order = wrapper.introspection.get_primary_key_columns(cursor, table) or [
                column.name for column in wrapper.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(
                f"SELECT * FROM {quote(table)} ORDER BY {', '.join(map(quote, order))}"  # noqa: S608
            )
            rows = cursor.fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        if wrapper.vendor == "postgresql":
            # Where the id counters stand: a restored database must not hand out used ids.
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() ORDER BY sequencename"
            )
            rows = cursor.fetchall()
            result["(sequences)"] = (len(rows), repr(rows))
    return result


def _backup(out: Path, *args: str) -> Path:
    call_command("backup", str(out), *args, stdout=StringIO())
    return out


def _rewrite(source: Path, out: Path, tmp_path: Path, **changes: Any) -> Path:
    """A copy of the backup ``source`` with manifest fields changed (and its checksum redone)."""
    workdir = tmp_path / f"rewrite-{out.name}"
    workdir.mkdir()
    manifest, payload = archive_read(source, workdir)
    cut = changes.pop("cut_payload_end", 0)
    if cut:
        payload.write_bytes(payload.read_bytes()[:-cut])
    for key, value in changes.items():
        setattr(manifest, key, value)
    archive_write(out, manifest, payload)
    return out


@pytest.fixture
def some_data(fast_hashing: None) -> None:
    UserFactory.create_batch(3)


# -- the round trip --------------------------------------------------------------------------


def test_restore_into_a_fresh_database_gives_back_every_table(
    fast_hashing: None, fresh_target: dict[str, Any], tmp_path: Path
) -> None:
    demo_load(trajectories=16)
    out = _backup(tmp_path / "demo.backup")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["demo.backup"]  # no temporary files left

    result = backup_restore(database=fresh_target, source=out)
    assert result.created
    assert result.pending_migrations == []

    with connected(fresh_target) as restored:
        before, after = fingerprint(connection), fingerprint(restored)
    # Every model's table (many-to-many tables included) and Django's own tables.
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert tables | {"django_migrations"} <= before.keys()
    assert after == before
    if connection.vendor == "postgresql":
        assert before["(sequences)"][0] > 10
    filled = {table for table, (rows, _hash) in before.items() if rows}
    for table in (
        "accounts_user",
        "organisations_organisation",
        "trajectories_trajectory",
        "measurements_measurementround",
        "measurements_response",
        "conversations_agreement",
        "audit_auditevent",
        "monitoring_signal",
        "django_migrations",
        "django_content_type",
    ):
        assert table in filled, table


def test_force_replaces_a_database_that_is_not_empty(
    some_data: None, fresh_target: dict[str, Any], tmp_path: Path
) -> None:
    out = _backup(tmp_path / "one.backup")
    backup_restore(database=fresh_target, source=out)
    with connected(fresh_target) as restored:
        with restored.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_user")
            cursor.execute("CREATE TABLE stray (id integer)")
        changed = fingerprint(restored)
        with pytest.raises(BackupError, match="is not empty; nothing was restored"):
            backup_restore(database=fresh_target, source=out)
        assert fingerprint(restored) == changed

        result = backup_restore(database=fresh_target, source=out, force=True)
        assert not result.created
        assert fingerprint(restored) == fingerprint(connection)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's locks")
def test_force_fails_rather_than_waits_while_the_database_is_in_use(
    some_data: None, fresh_target: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _backup(tmp_path / "one.backup")
    backup_restore(database=fresh_target, source=out)
    monkeypatch.setattr("alliantiemonitor.web.backups.postgresql.LOCK_TIMEOUT", 1)
    with connected(fresh_target) as restored:
        before = fingerprint(restored)
        with transaction.atomic(using=RESTORED), restored.cursor() as cursor:
            # An app that was not stopped: a transaction that has read a table.
            cursor.execute("SELECT count(*) FROM accounts_user")
            with pytest.raises(BackupError, match="lock timeout"):
                backup_restore(database=fresh_target, source=out, force=True)
        assert fingerprint(restored) == before


def test_restore_test_command(some_data: None) -> None:
    stdout = StringIO()
    call_command("restore_test", stdout=stdout)
    assert "Restore test passed" in stdout.getvalue()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
                [connection.settings_dict["NAME"][:40] + "_restore_test_"],
            )
            assert cursor.fetchall() == []  # the scratch database is gone


def test_table_checksums_are_checked(
    some_data: None, fresh_target: dict[str, Any], tmp_path: Path
) -> None:
    out = _backup(tmp_path / "sums.backup", "--table-checksums")
    manifest, _payload = archive_read(out, _mkdir(tmp_path / "read"))
    assert manifest.tables["accounts_user"].rows == 3
    assert manifest.tables["accounts_user"].sha256
    # A manifest whose checksum does not match what the dump holds is caught after the load.
    tables = dict(manifest.tables)
    tables["accounts_user"] = type(tables["accounts_user"])(rows=3, sha256="0" * 64)
    wrong = _rewrite(out, tmp_path / "wrong.backup", tmp_path, tables=tables)
    with pytest.raises(BackupError, match="accounts_user has the same number of rows"):
        backup_restore(database=fresh_target, source=wrong)


def test_older_backup_says_migrations_are_pending(
    some_data: None, fresh_target: dict[str, Any], tmp_path: Path
) -> None:
    out = _backup(tmp_path / "old.backup")
    manifest, _payload = archive_read(out, _mkdir(tmp_path / "read"))
    last = manifest.migrations[-1]
    older = _rewrite(out, tmp_path / "older.backup", tmp_path, migrations=manifest.migrations[:-1])
    result = backup_restore(database=fresh_target, source=older)
    assert result.pending_migrations == [last]


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


# -- refused: the target stays as it was -------------------------------------------------------


def _refused(source: Path, message: str) -> None:
    """Restore with --force into the test database: refused with ``message``, nothing changed."""
    before = fingerprint(connection)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(source), "--force", stdout=StringIO())
    assert fingerprint(connection) == before


def test_truncated_file_is_refused(some_data: None, tmp_path: Path) -> None:
    out = _backup(tmp_path / "full.backup")
    cut = tmp_path / "cut.backup"
    cut.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    _refused(cut, "damaged or incomplete")


def test_changed_byte_is_refused(some_data: None, tmp_path: Path) -> None:
    out = _backup(tmp_path / "full.backup")
    data = bytearray(out.read_bytes())
    with tarfile.open(out) as archive:
        payload = archive.getmembers()[1]
    data[payload.offset_data + 100] ^= 0xFF
    flipped = tmp_path / "flipped.backup"
    flipped.write_bytes(bytes(data))
    _refused(flipped, "damaged or incomplete")


def test_damaged_dump_with_a_matching_checksum_is_refused(some_data: None, tmp_path: Path) -> None:
    out = _backup(tmp_path / "full.backup")
    cut = _rewrite(out, tmp_path / "cut.backup", tmp_path, cut_payload_end=300)
    # SQLite's integrity check refuses the copy before the load; a PostgreSQL dump cut off
    # after its table of contents fails during the load, which --force started by dropping
    # the schema: all of it rolls back.
    message = {"sqlite": "is damaged|cannot be read", "postgresql": "failed and was rolled back"}
    _refused(cut, message[connection.vendor])


def test_other_files_are_refused(tmp_path: Path, db: None) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    _refused(text, "damaged or incomplete")
    _refused(tmp_path / "missing.backup", "does not exist")
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as archive:
        archive.add(text, arcname="notes.txt")
    _refused(foreign, "not an Alliantiemonitor backup")


def test_wrong_engine_is_refused(some_data: None, tmp_path: Path) -> None:
    out = _backup(tmp_path / "full.backup")
    other = _rewrite(
        out, tmp_path / "other.backup", tmp_path, engine=OTHER_ENGINE[connection.vendor]
    )
    _refused(other, "can only be restored into the engine it came from")


def test_newer_schema_is_refused(some_data: None, tmp_path: Path) -> None:
    out = _backup(tmp_path / "full.backup")
    manifest, _payload = archive_read(out, _mkdir(tmp_path / "read"))
    newer = _rewrite(
        out,
        tmp_path / "newer.backup",
        tmp_path,
        app_version="9.0.0",
        migrations=[*manifest.migrations, ("audit", "9999_from_the_future")],
    )
    _refused(newer, r"newer version of Alliantiemonitor \(9.0.0\).*audit.9999_from_the_future")


def test_newer_format_is_refused(some_data: None, tmp_path: Path) -> None:
    out = _backup(tmp_path / "full.backup")
    newer = _rewrite(out, tmp_path / "newer.backup", tmp_path, format_version=2)
    _refused(newer, "format version 2")


def test_database_that_is_not_empty_is_refused_without_force(
    some_data: None, tmp_path: Path
) -> None:
    out = _backup(tmp_path / "full.backup")
    before = fingerprint(connection)
    with pytest.raises(CommandError, match="is not empty; nothing was restored"):
        call_command("restore", str(out), stdout=StringIO())
    assert fingerprint(connection) == before


# -- writing the file ----------------------------------------------------------------------------


def test_backup_does_not_overwrite_without_force(some_data: None, tmp_path: Path) -> None:
    out = tmp_path / "daily.backup"
    out.write_text("yesterday")
    with pytest.raises(CommandError, match="already exists"):
        _backup(out)
    assert out.read_text() == "yesterday"
    _backup(out, "--force")
    with tarfile.open(out) as archive:
        assert archive.getnames()[0] == MANIFEST_NAME


def test_backup_into_a_missing_folder_is_refused(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        _backup(tmp_path / "no" / "such.backup")


def test_failed_backup_leaves_no_file(tmp_path: Path, db: None) -> None:
    settings_dict = dict(connection.settings_dict)
    settings_dict["NAME"] = (
        str(tmp_path / "absent.sqlite3")
        if connection.vendor == "sqlite"
        else "am_backup_no_such_database"
    )
    with pytest.raises(BackupError, match="does not exist"):
        backup_create(database=settings_dict, out=tmp_path / "x.backup")
    assert list(tmp_path.iterdir()) == []
