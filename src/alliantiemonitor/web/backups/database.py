"""What a backup needs from a database, whatever its engine: tables, rows, checksums.

Each engine (``sqlite.py``, ``postgresql.py``) opens its own connections with the DB-API driver
rather than Django's: a backup reads one consistent snapshot, and a restore writes into a
database that Django may not be connected to (a new one, or a scratch copy for a restore test).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .archive import BackupError, TableState


class Reader(Protocol):
    """One open, consistent view of a database (the backup's snapshot, or a restored copy)."""

    def tables(self) -> list[str]: ...

    def order_columns(self, table: str) -> list[str]: ...

    def count(self, table: str) -> int: ...

    def rows(self, sql: str) -> Iterator[Iterable[Any]]: ...


@dataclass
class Snapshot:
    """What a dump holds, read from the dump's own snapshot: schema state and tables."""

    server_version: str
    migrations: list[tuple[str, str]]
    tables: dict[str, TableState]


def quote_name(name: str) -> str:
    """An identifier quoted the standard SQL way (both engines accept it)."""
    return '"' + name.replace('"', '""') + '"'


def table_states(reader: Reader, *, checksums: bool) -> dict[str, TableState]:
    """Rows of every table, and with ``checksums`` a SHA-256 over its rows in key order."""
    states = {}
    for table in reader.tables():
        if not checksums:
            states[table] = TableState(rows=reader.count(table))
            continue
        digest = hashlib.sha256()
        rows = 0
        order = ", ".join(quote_name(column) for column in reader.order_columns(table))
        for row in reader.rows(f"SELECT * FROM {quote_name(table)} ORDER BY {order}"):  # noqa: S608
            # repr() tells 1 from '1' and None from 'None'; both sides use the same driver.
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
            rows += 1
        states[table] = TableState(rows=rows, sha256=digest.hexdigest())
    return states


def table_differences(
    expected: Mapping[str, TableState], actual: Mapping[str, TableState]
) -> list[str]:
    """Readable lines for every table that is missing, extra or different."""
    problems = []
    for table in sorted(expected.keys() | actual.keys()):
        if table not in actual:
            problems.append(f"table {table} is missing")
        elif table not in expected:
            problems.append(f"table {table} is not in the backup")
        elif expected[table].rows != actual[table].rows:
            problems.append(
                f"table {table} has {actual[table].rows} rows, the backup {expected[table].rows}"
            )
        elif (
            expected[table].sha256
            and actual[table].sha256
            and expected[table].sha256 != actual[table].sha256
        ):
            problems.append(f"table {table} has the same number of rows but different contents")
    return problems


def migrations_of(reader: Reader) -> list[tuple[str, str]]:
    if "django_migrations" not in reader.tables():
        raise BackupError(
            "The database has no Django tables yet: there is nothing to back up "
            "(run `alliantiemonitor manage migrate` first)."
        )
    return sorted(
        (str(app), str(name))
        for app, name in reader.rows("SELECT app, name FROM django_migrations")
    )


class Database(Protocol):
    """One engine's way to dump, check, load and read a database."""

    engine: str
    label: str
    payload_suffix: str

    def describe(self) -> str: ...

    def dump(self, payload: Path, *, checksums: bool) -> Snapshot: ...

    def check_payload(self, payload: Path) -> None: ...

    def exists(self) -> bool: ...

    def is_empty(self) -> bool: ...

    def create(self) -> None: ...

    def drop(self) -> None: ...

    def load(self, payload: Path, *, replace: bool) -> None: ...

    def states(self, *, checksums: bool) -> dict[str, TableState]: ...
