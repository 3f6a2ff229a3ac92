"""PostgreSQL's client programs: found on the PATH, given the connection through the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from alliantiemonitor.web.backups import BackupError
from alliantiemonitor.web.backups.postgresql import PostgreSQLDatabase

PG_SETTINGS = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "am_backup_example",
    "USER": "alliantie",
    "PASSWORD": "s3cret-password",
    "HOST": "db.example.org",
    "PORT": "5433",
    "OPTIONS": {"sslmode": "require", "pool": True},
}


def test_connection_settings_reach_the_programs_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    class Done:
        returncode = 0
        stderr = b""

    def run(command: list[str], *, env: dict[str, str], **kwargs: Any) -> Done:
        calls.append((command, env))
        return Done()

    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("subprocess.run", run)
    PostgreSQLDatabase(PG_SETTINGS).check_payload(tmp_path / "x.pgdump")
    ((command, env),) = calls
    assert "s3cret-password" not in " ".join(command)  # ps shows the command line
    assert env["PGPASSWORD"] == "s3cret-password"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.example.org",
        "5433",
        "alliantie",
        "am_backup_example",
    )
    assert env["PGSSLMODE"] == "require"
    assert os.environ.get("PGPASSWORD") != "s3cret-password"


def test_missing_client_programs_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"pg_dump is not on the PATH\..*postgresql-client"):
        PostgreSQLDatabase(PG_SETTINGS).dump(tmp_path / "x.pgdump", checksums=False)
    with pytest.raises(BackupError, match="pg_restore is not on the PATH"):
        PostgreSQLDatabase(PG_SETTINGS).check_payload(tmp_path / "x.pgdump")
