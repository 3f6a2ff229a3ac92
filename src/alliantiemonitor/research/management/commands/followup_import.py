"""Import a follow-up outcome file from the command line: a dry run, or ``--apply``.

The same services as the web page (docs/research/followup.md): the user named with ``--user``
must be a researcher of the study, and both steps are audited under that user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.research.constants import FOLLOWUP_MAX_BYTES, RowStatus
from alliantiemonitor.research.followup import followup_apply, followup_dry_run
from alliantiemonitor.research.models import Study


class Command(BaseCommand):
    help = (
        "Check a follow-up outcome CSV against a study and print the result per row; with "
        "--apply, import it as well. Exits 1 when the file cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--study", required=True, help="the study's public id (uuid)")
        parser.add_argument("--file", required=True, type=Path, help="the CSV file")
        parser.add_argument("--user", required=True, help="username of a researcher of the study")
        parser.add_argument("--apply", action="store_true", help="import after the dry run")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            study = Study.objects.get(uuid=options["study"])
        except (Study.DoesNotExist, ValidationError) as exc:
            raise CommandError("No such study.") from exc
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError("No such user.") from exc
        path: Path = options["file"]
        try:
            with path.open("rb") as handle:
                data = handle.read(FOLLOWUP_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            upload, report = followup_dry_run(study=study, by=user, data=data, file_name=path.name)
            for row in report.rows:
                if row.status in (RowStatus.NEW, RowStatus.UNCHANGED):
                    continue
                said = [f"line {row.line}: {row.status}"]
                said += [
                    f"{p.column}: {p.message}" if p.column else p.message for p in row.problems
                ]
                self.stdout.write(" – ".join(said))
            if options["apply"]:
                report = followup_apply(upload=upload, by=user)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        counts = ", ".join(f"{status} {n}" for status, n in report.counts.items())
        verb = "Imported" if options["apply"] else "Dry run (nothing changed)"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {counts}."))
