"""Expire rounds whose due date (plus the grace period) has passed.

The background worker runs the same service every 5 minutes (the ``rounds.expire`` job,
docs/worker.md); this command stays for installations that still run it from cron, and for a
manual run. ``--loop`` keeps it running in the foreground. Safe to run twice and on several
machines at once: the service skips rows another process has locked, and an expired round is
not expired again.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from alliantiemonitor.measurements.services import rounds_expire

#: Seconds between two runs with ``--loop``: due dates are days, so once an hour is plenty.
DEFAULT_INTERVAL = 60 * 60


class Command(BaseCommand):
    help = "Expire measurement rounds whose due date plus the grace period has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="keep running, once every --interval seconds"
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=DEFAULT_INTERVAL,
            help=f"seconds between runs with --loop (default {DEFAULT_INTERVAL})",
        )

    def handle(self, *args: Any, loop: bool, interval: int, **options: Any) -> None:
        if interval < 1:
            raise CommandError("--interval must be at least 1 second.")
        self._run_once()
        if not loop:
            return
        try:
            while True:
                time.sleep(interval)
                # A connection that the database closed during the pause must not end the loop.
                close_old_connections()
                self._run_once()
        except KeyboardInterrupt:
            self.stdout.write("rounds_expire stopped.")

    def _run_once(self) -> None:
        expired = rounds_expire()
        noun = "round" if expired == 1 else "rounds"
        self.stdout.write(f"{expired} {noun} expired.")
