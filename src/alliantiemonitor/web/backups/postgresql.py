"""PostgreSQL: ``pg_dump --format=custom`` out, ``pg_restore`` through ``psql`` in.

Connection settings reach the client programs through the environment (``PGHOST``,
``PGPASSWORD``, …), never through their command line, which ``ps`` shows to every user.

The backup reads the migrations and the rows of every table in one REPEATABLE READ transaction
and hands its snapshot to ``pg_dump --snapshot``: the manifest describes exactly what the dump
holds, while the app carries on writing.

The restore turns the dump into SQL (``pg_restore --file=-``) and feeds it to ``psql`` between a
``BEGIN`` and a ``COMMIT`` that is only sent when ``pg_restore`` finished without error: a restore
that fails, or a dump that ends early, rolls back and leaves the target as it was. Rows go in
with ``INSERT``/``COPY`` only; replacing a database (``--force``) drops its ``public`` schema and
creates it again in the same transaction, so no row is ever updated or deleted (the audit table
refuses both).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql

from .archive import BackupError, TableState
from .database import Snapshot, migrations_of, quote_name, table_states

#: Django's database OPTIONS that are libpq connection parameters, with their variables.
_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "options": "PGOPTIONS",
}
#: Where CREATE and DROP DATABASE run from.
MAINTENANCE_DATABASE = "postgres"
#: Seconds that replacing a database (``--force``) waits for a session still using it (the app
#: was not stopped) before the restore fails, rather than waiting for ever.
LOCK_TIMEOUT = 60
#: How much of a failing program's error output a message quotes.
_ERROR_TAIL = 1500


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on the PATH. Install the PostgreSQL client programs of the "
            "server's major version or newer (Debian and Ubuntu: apt install postgresql-client)."
        )
    return path


class _Reader:
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def tables(self) -> list[str]:
        return [
            name
            for (name,) in self.connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            )
        ]

    def order_columns(self, table: str) -> list[str]:
        keys = self.connection.execute(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
            [quote_name(table)],
        ).fetchall()
        if keys:
            return [name for (name,) in keys]
        columns = self.connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [name for (name,) in columns]

    def count(self, table: str) -> int:
        row = self.connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        return int(row[0]) if row else 0

    def rows(self, query: str) -> Iterator[Iterable[Any]]:
        yield from self.connection.cursor().stream(query.encode())


class PostgreSQLDatabase:
    engine = "postgresql"
    label = "PostgreSQL"
    payload_suffix = ".pgdump"

    def __init__(self, settings_dict: Mapping[str, Any]) -> None:
        self.settings = settings_dict
        self.name = str(settings_dict["NAME"])

    def describe(self) -> str:
        return f"PostgreSQL database {self.name}"

    def _parameters(self, database: str | None = None) -> dict[str, str]:
        """libpq parameters from Django's settings; unset ones come from libpq's own defaults."""
        parameters = {
            "dbname": database or self.name,
            "host": self.settings.get("HOST"),
            "port": self.settings.get("PORT"),
            "user": self.settings.get("USER"),
            "password": self.settings.get("PASSWORD"),
        }
        options = self.settings.get("OPTIONS") or {}
        parameters.update({key: options.get(key) for key in _OPTION_VARIABLES})
        return {key: str(value) for key, value in parameters.items() if value not in (None, "")}

    def _environment(self) -> dict[str, str]:
        variables = {
            "dbname": "PGDATABASE",
            "host": "PGHOST",
            "port": "PGPORT",
            "user": "PGUSER",
            "password": "PGPASSWORD",
            **_OPTION_VARIABLES,
        }
        environment = dict(os.environ)
        environment.update({variables[key]: value for key, value in self._parameters().items()})
        return environment

    def _connect(self, database: str | None = None, **kwargs: Any) -> psycopg.Connection[Any]:
        try:
            connection = psycopg.connect(**self._parameters(database), **kwargs)
        except psycopg.Error as exc:
            raise BackupError(
                f"Cannot connect to the PostgreSQL database {database or self.name}: "
                f"{str(exc).strip()}"
            ) from None
        # Both sides of a comparison must read timestamps in the same time zone.
        connection.execute("SET TIME ZONE 'UTC'")
        if not connection.autocommit:
            connection.commit()
        return connection

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection[Any]]:
        with contextlib.closing(self._connect()) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            try:
                yield connection
            finally:
                connection.rollback()

    def dump(self, payload: Path, *, checksums: bool) -> Snapshot:
        pg_dump = _tool("pg_dump")
        with self._snapshot() as connection:
            row = connection.execute(
                "SELECT pg_export_snapshot(), current_setting('server_version')"
            ).fetchone()
            assert row is not None
            snapshot_id, server_version = row
            reader = _Reader(connection)
            snapshot = Snapshot(
                server_version=str(server_version),
                migrations=migrations_of(reader),
                tables=table_states(reader, checksums=checksums),
            )
            # The exported snapshot lives as long as this transaction: dump while it is open.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot_id}",
                    f"--file={payload}",
                ],
                self._environment(),
                f"pg_dump of the {self.describe()} failed",
            )
        return snapshot

    def check_payload(self, payload: Path) -> None:
        _run(
            [_tool("pg_restore"), "--list", str(payload)],
            self._environment(),
            "The dump in the backup cannot be read",
        )

    def exists(self) -> bool:
        try:
            self._connect(autocommit=True).close()
        except BackupError:
            pass  # missing, or not reachable: the server's catalogue tells which
        else:
            return True
        with contextlib.closing(self._connect(MAINTENANCE_DATABASE, autocommit=True)) as server:
            row = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return row.fetchone() is not None

    def is_empty(self) -> bool:
        with contextlib.closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
            ).fetchone()
            return row is None or row[0] == 0

    def create(self) -> None:
        with contextlib.closing(self._connect(MAINTENANCE_DATABASE, autocommit=True)) as server:
            try:
                # template0: a database with nothing in it that the dump does not bring.
                server.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                        sql.Identifier(self.name)
                    )
                )
            except psycopg.Error as exc:
                raise BackupError(
                    f"Cannot create the {self.describe()}: {str(exc).strip()} "
                    "(create it yourself, empty, or give the role CREATEDB)."
                ) from None

    def drop(self) -> None:
        with contextlib.closing(self._connect(MAINTENANCE_DATABASE, autocommit=True)) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )

    def load(self, payload: Path, *, replace: bool) -> None:
        pg_restore, psql = _tool("pg_restore"), _tool("psql")
        environment = self._environment()
        with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
            loader = subprocess.Popen(  # noqa: S603 - fixed programs, no shell
                [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_errors,
                env=environment,
            )
            assert loader.stdin is not None
            committed = False
            try:
                _send(loader.stdin, b"BEGIN;\n" + (_replace_sql() if replace else b""))
                dumper = subprocess.Popen(  # noqa: S603
                    [pg_restore, "--no-owner", "--file=-", str(payload)],
                    stdout=subprocess.PIPE,
                    stderr=restore_errors,
                    env=environment,
                )
                assert dumper.stdout is not None
                with dumper.stdout, contextlib.suppress(BrokenPipeError):
                    shutil.copyfileobj(dumper.stdout, loader.stdin)
                if dumper.wait() == 0 and loader.poll() is None:
                    # Only now: psql rolls back whatever came before if COMMIT never arrives.
                    committed = _send(loader.stdin, b"COMMIT;\n")
            finally:
                with contextlib.suppress(BrokenPipeError):
                    loader.stdin.close()
                loader.wait()
            if loader.returncode != 0 or not committed:
                said = _tail(psql_errors) or _tail(restore_errors)
                raise BackupError(
                    f"Restoring into the {self.describe()} failed and was rolled back; "
                    f"nothing changed. {said}".strip()
                )

    def states(self, *, checksums: bool) -> dict[str, TableState]:
        with self._snapshot() as connection:
            return table_states(_Reader(connection), checksums=checksums)


def _replace_sql() -> bytes:
    # The dump's own SQL sets lock_timeout back to 0 for what follows.
    return (
        f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT)}s';\n"
        "DROP SCHEMA IF EXISTS public CASCADE;\n"
        "CREATE SCHEMA public;\n"
    ).encode()


def _send(stream: IO[bytes], data: bytes) -> bool:
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        return False
    return True


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0)
    text = stream.read().decode(errors="replace").strip()
    return text[-_ERROR_TAIL:]


def _run(command: list[str], environment: dict[str, str], failure: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed programs, no shell
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip()[-_ERROR_TAIL:]
        raise BackupError(f"{failure}: {said}")
