"""``manage.py retention [--dry-run]``: the retention report, or the run the worker does daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alliantiemonitor.trajectories.retention import retention_run


class Command(BaseCommand):
    help = (
        "Report the clients past their organisation's retention period (--dry-run changes "
        "nothing); without --dry-run, announce them and erase those announced 14 days ago."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only report")

    def handle(self, *args: Any, **options: Any) -> None:
        report = retention_run(dry_run=options["dry_run"])
        self.stdout.write("\n".join(report.lines()))
