"""``manage.py worker``: run the background jobs (docs/worker.md).

One process runs both the periodic schedule and the job queue. On SQLite run one worker; on
PostgreSQL run as many as you like, on as many machines: they claim jobs with row locks and
the schedule enqueues each period once. SIGTERM (or Ctrl+C) finishes the running job first.
"""

from __future__ import annotations

import os
import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from alliantiemonitor.jobs.worker import JobWorker

_SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker: enqueue the periodic jobs when due and run queued jobs, "
        "with retries. --batch runs what is due and queued now, then stops."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-periodic",
            action="store_false",
            dest="periodic",
            help="only run queued jobs; leave the periodic schedule to other workers",
        )
        # Reloading on code changes may cut a job short; only on request, also with DEBUG.
        parser.set_defaults(reload=False)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        periodic: bool,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = JobWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            periodic=periodic,
            # A --batch run is short; its heartbeat comes from the loop.
            heartbeat_thread=not batch,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # The reloader runs the worker in a thread; signals are set in the main one.
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            self._run(worker)

    def _run(self, worker: JobWorker) -> None:
        # Put back whatever handled the signals before (matters when called in-process).
        previous = {signum: signal.getsignal(signum) for signum in _SIGNALS}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
