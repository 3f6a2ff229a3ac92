"""Fixtures for the worker tests: a worker run in-process, inside the test's transaction."""

from __future__ import annotations

from typing import Any

import pytest

from alliantiemonitor.jobs import worker as worker_module
from alliantiemonitor.jobs.worker import JobWorker


@pytest.fixture
def run_worker(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a --batch worker in this process; returns the worker."""
    # Closing "old" connections would close the one that holds the test's transaction.
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)

    def run(*, periodic: bool = False, worker_id: str = "test-worker") -> JobWorker:
        worker = JobWorker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
            periodic=periodic,
            heartbeat_thread=False,
        )
        worker.run()
        return worker

    return run
