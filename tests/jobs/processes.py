"""Real ``manage.py worker`` processes against the test database (PostgreSQL tests only).

The data a worker process needs must be committed first (``transactional_db``). Each worker
writes its output to ``<tmp_path>/<worker id>.log``; every process still running at the end of
the test is killed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for a worker process."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``predicate`` every tenth of a second until it holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Workers:
    """Worker subprocesses against the test database, all stopped at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(
        self,
        worker_id: str,
        *args: str,
        lease: float = 120,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ALLIANTIEMONITOR_WORKER_LEASE": str(lease),
            "ALLIANTIEMONITOR_JOB_RETRY_DELAY": "0",
            "ALLIANTIEMONITOR_DATA_DIR": str(self.tmp_path),
            **(env or {}),
        }
        log = (self.tmp_path / f"{worker_id}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--worker-id",
                worker_id,
                "--interval",
                "0.2",
                *args,
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[worker_id] = process
        return process

    def wait(self, timeout: float = 60) -> None:
        for worker_id, process in self.processes.items():
            assert process.wait(timeout=timeout) == 0, self.log(worker_id)

    def log(self, worker_id: str) -> str:
        return (self.tmp_path / f"{worker_id}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
