"""SQLite: SQLite's online backup API, in both directions.

The backup API copies the database page by page under SQLite's own locking, so a backup taken
while the app writes is a consistent snapshot, and a restore replaces the target's contents in
one transaction: a restore that fails leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .archive import BackupError, TableState
from .database import Snapshot, migrations_of, quote_name, table_states

#: Seconds a restore or backup waits for a writer in another process to finish.
LOCK_TIMEOUT = 60.0


class _Reader:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def tables(self) -> list[str]:
        return [
            name
            for (name,) in self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]

    def order_columns(self, table: str) -> list[str]:
        info = list(self.connection.execute(f"PRAGMA table_info({quote_name(table)})"))
        keys = sorted((row[5], row[1]) for row in info if row[5])
        return [name for _position, name in keys] or [row[1] for row in info]

    def count(self, table: str) -> int:
        (rows,) = self.connection.execute(f"SELECT count(*) FROM {quote_name(table)}").fetchone()  # noqa: S608
        return int(rows)

    def rows(self, sql: str) -> Iterator[Iterable[Any]]:
        yield from self.connection.execute(sql)


class SQLiteDatabase:
    engine = "sqlite"
    label = "SQLite"
    payload_suffix = ".sqlite3"

    def __init__(self, settings_dict: Mapping[str, Any]) -> None:
        self.name = str(settings_dict["NAME"])

    def describe(self) -> str:
        return f"SQLite database {self.name}"

    @property
    def _path(self) -> Path | None:
        # Django's test databases live in memory under a "file:" URI; everything else is a path.
        return None if self.name.startswith("file:") else Path(self.name)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.name, uri=True, timeout=LOCK_TIMEOUT)

    def dump(self, payload: Path, *, checksums: bool) -> Snapshot:
        if not self.exists():
            raise BackupError(f"The {self.describe()} does not exist.")
        with (
            contextlib.closing(self._connect()) as source,
            contextlib.closing(sqlite3.connect(payload)) as copy,
        ):
            source.backup(copy)
            # One self-contained file, whatever journal mode the live database uses.
            copy.execute("PRAGMA journal_mode=DELETE")
        with contextlib.closing(sqlite3.connect(payload)) as copy:
            reader = _Reader(copy)
            migrations = migrations_of(reader)
            return Snapshot(
                server_version=sqlite3.sqlite_version,
                migrations=migrations,
                tables=table_states(reader, checksums=checksums),
            )

    def check_payload(self, payload: Path) -> None:
        _check_size(payload)
        try:
            with contextlib.closing(sqlite3.connect(payload)) as copy:
                result = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"The database in the backup cannot be read ({exc}).") from None
        if result != ["ok"]:
            raise BackupError(
                "The database in the backup is damaged: " + "; ".join(map(str, result[:5]))
            )

    def exists(self) -> bool:
        return self._path is None or self._path.is_file()

    def is_empty(self) -> bool:
        if not self.exists():
            return True
        with contextlib.closing(self._connect()) as connection:
            return not _Reader(connection).tables()

    def create(self) -> None:
        path = self._path
        if path is None or path.exists():
            return
        if not path.parent.is_dir():
            raise BackupError(f"The folder {path.parent} does not exist.")
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))

    def drop(self) -> None:
        path = self._path
        if path is None:
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def load(self, payload: Path, *, replace: bool) -> None:
        # ``replace`` needs nothing extra: the backup API overwrites every page of the target.
        try:
            with (
                contextlib.closing(sqlite3.connect(payload)) as source,
                contextlib.closing(self._connect()) as target,
            ):
                source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(f"Restoring into the {self.describe()} failed: {exc}") from None
        if self._path is not None:
            with contextlib.suppress(OSError):
                self._path.chmod(0o600)

    def states(self, *, checksums: bool) -> dict[str, TableState]:
        with contextlib.closing(self._connect()) as connection:
            return table_states(_Reader(connection), checksums=checksums)


def _check_size(payload: Path) -> None:
    """Refuse a database file shorter or longer than its header says.

    SQLite reads missing bytes at the end of a file as zeros, so the integrity check can pass on
    a file that lost its tail. The header records the page size and (when it is valid, as in
    every file the backup API writes) the number of pages.
    """
    with payload.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise BackupError("The database in the backup cannot be read (not an SQLite file).")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96] and pages > 0
    if header_valid and payload.stat().st_size != page_size * pages:
        raise BackupError(
            f"The database in the backup is damaged: {payload.stat().st_size} bytes where its "
            f"header says {page_size * pages}."
        )
