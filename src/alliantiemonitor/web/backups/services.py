"""Back up, restore, and prove that a restore gives back every row (docs/backups.md)."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from alliantiemonitor import __version__

from .archive import BackupError, Manifest, archive_read, archive_write, payload_file
from .database import Database, table_differences
from .postgresql import PostgreSQLDatabase
from .sqlite import SQLiteDatabase

ENGINES = {
    "django.db.backends.sqlite3": SQLiteDatabase,
    "django.db.backends.postgresql": PostgreSQLDatabase,
}
ENGINE_LABELS = {"sqlite": SQLiteDatabase.label, "postgresql": PostgreSQLDatabase.label}


def database_for(settings_dict: Mapping[str, Any]) -> Database:
    """The backup engine for one of Django's ``DATABASES`` entries."""
    try:
        engine = ENGINES[settings_dict["ENGINE"]]
    except KeyError:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL, not {settings_dict['ENGINE']}."
        ) from None
    database: Database = engine(settings_dict)
    return database


def backup_create(
    *, database: Mapping[str, Any], out: Path, replace: bool = False, checksums: bool = False
) -> Manifest:
    """Write a backup of ``database`` to ``out`` (mode 0600, atomically).

    ``checksums`` also records a SHA-256 over the rows of every table, which a restore checks;
    it reads all data once more. Raises ``BackupError`` when ``out`` exists (unless ``replace``)
    or its folder does not, when the database has no tables, or when the dump fails.
    """
    source = database_for(database)
    if out.is_dir():
        raise BackupError(f"{out} is a folder; give the name of the backup file to write.")
    if not out.parent.is_dir():
        raise BackupError(f"{out}: the folder {out.parent} does not exist.")
    if out.exists() and not replace:
        raise BackupError(f"{out} already exists; choose another name or use --force.")
    with payload_file(out, source.payload_suffix) as payload:
        snapshot = source.dump(payload, checksums=checksums)
        manifest = Manifest(
            engine=source.engine,
            created_at=timezone.now().isoformat(),
            app_version=__version__,
            server_version=snapshot.server_version,
            migrations=snapshot.migrations,
            tables=snapshot.tables,
            payload_name="database" + source.payload_suffix,
        )
        archive_write(out, manifest, payload)
    return manifest


@dataclass
class RestoreResult:
    manifest: Manifest
    #: The restore made the database (it did not exist).
    created: bool
    #: Migrations this version has that the backup had not applied: run ``migrate`` next.
    pending_migrations: list[tuple[str, str]] = field(default_factory=list)


def backup_restore(
    *, database: Mapping[str, Any], source: Path, force: bool = False
) -> RestoreResult:
    """Restore the backup file ``source`` into ``database``, creating it when it does not exist.

    Everything is checked before the target is touched: the file (checksum), the engine, the
    schema (a backup made by a newer version is refused). A database that already has tables is
    replaced only with ``force``. A failed load leaves the target as it was (one transaction);
    a database that the restore created is dropped again. Afterwards the rows of every table
    (and their checksums, when the backup has them) are compared with the manifest.
    """
    target = database_for(database)
    with tempfile.TemporaryDirectory(prefix="alliantiemonitor-restore-") as workdir:
        manifest, payload = archive_read(source, Path(workdir))
        if manifest.engine != target.engine:
            raise BackupError(
                f"This is a backup of a {ENGINE_LABELS.get(manifest.engine, manifest.engine)} "
                f"database; the database to restore into is {target.label}. A backup can only "
                "be restored into the engine it came from; nothing was restored."
            )
        known = _known_migrations()
        unknown = [pair for pair in manifest.migrations if pair not in known]
        if unknown:
            listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
            raise BackupError(
                f"The backup was made by a newer version of Alliantiemonitor "
                f"({manifest.app_version}); this version does not know its migrations "
                f"{listed}{' …' if len(unknown) > 5 else ''}. Restore it with that version or "
                "a newer one; nothing was restored."
            )
        target.check_payload(payload)
        created = not target.exists()
        replace = not created and not target.is_empty()
        if replace and not force:
            raise BackupError(
                f"The {target.describe()} is not empty; nothing was restored. Restore into "
                "a new, empty database, or use --force to replace everything in it."
            )
        if created:
            target.create()
        try:
            target.load(payload, replace=replace)
        except BaseException:
            if created:
                target.drop()
            raise
    checksums = any(state.sha256 for state in manifest.tables.values())
    problems = table_differences(manifest.tables, target.states(checksums=checksums))
    if problems:
        raise BackupError(
            f"The restore into the {target.describe()} finished, but it does not match the "
            "backup: " + "; ".join(problems)
        )
    applied = set(manifest.migrations)
    return RestoreResult(
        manifest=manifest,
        created=created,
        pending_migrations=sorted(known - applied),
    )


def _known_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.disk_migrations)


def restore_test(*, database: Mapping[str, Any]) -> RestoreResult:
    """Back up ``database``, restore it into a scratch database, compare every table, clean up.

    The backup records a checksum of every table from the same snapshot that it dumps, so the
    comparison holds while the app keeps writing. The scratch database is a file in a private
    temporary folder (SQLite) or a new database beside the live one (PostgreSQL; the role needs
    CREATEDB); it is removed afterwards, also on failure.
    """
    with tempfile.TemporaryDirectory(prefix="alliantiemonitor-restore-test-") as workdir:
        scratch_settings = dict(database)
        if scratch_settings["ENGINE"] == "django.db.backends.sqlite3":
            scratch_settings["NAME"] = str(Path(workdir) / "restore-test.sqlite3")
        else:
            # PostgreSQL names are at most 63 bytes.
            base = str(database["NAME"])[:40]
            scratch_settings["NAME"] = f"{base}_restore_test_{secrets.token_hex(4)}"
        out = Path(workdir) / "restore-test.backup"
        backup_create(database=database, out=out, checksums=True)
        scratch = database_for(scratch_settings)
        try:
            return backup_restore(database=scratch_settings, source=out)
        finally:
            scratch.drop()
