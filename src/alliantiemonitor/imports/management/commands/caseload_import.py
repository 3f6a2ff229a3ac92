"""Import a caseload file from the command line: a dry run, or ``--commit``.

The same services as the web page (docs/import.md): the user named with ``--user`` must
administer the organisation, and both steps are audited under that user. Exit codes: 0 the
file has no problems (and, with ``--commit``, was imported); 1 the file has problems or cannot
be read (nothing imported); 2 a wrong organisation, user or path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.imports.constants import CASELOAD_MAX_BYTES
from alliantiemonitor.imports.exceptions import ImportFileError, NotAnOrganisationAdmin
from alliantiemonitor.imports.services import caseload_apply, caseload_dry_run
from alliantiemonitor.organisations.models import Organisation

#: A problem in the file (nothing imported), and a mistake in the command's arguments.
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = (
        "Check a caseload CSV against an organisation and print every problem by line and "
        "column; with --commit, import it when it has none. Exits 1 on problems, 2 on a wrong "
        "argument."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--user", required=True, help="username of an organisation admin")
        parser.add_argument("--commit", action="store_true", help="import after the dry run")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError("No such organisation.", returncode=EXIT_USAGE)
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError("No such user.", returncode=EXIT_USAGE)
        path: Path = options["file"]
        try:
            with path.open("rb") as handle:
                data = handle.read(CASELOAD_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(
                f"Cannot read {path}: {exc.strerror}", returncode=EXIT_USAGE
            ) from exc
        try:
            upload, report = caseload_dry_run(
                organisation=organisation, by=user, data=data, file_name=path.name
            )
        except NotAnOrganisationAdmin as error:
            raise CommandError(str(error.message), returncode=EXIT_USAGE) from error
        except ImportFileError as error:
            raise CommandError(str(error.message), returncode=EXIT_PROBLEMS) from error
        for row in report.rows:
            for finding in (*row.problems, *row.notes):
                kind = finding.kind or "note"
                column = finding.column or "-"
                self.stdout.write(f"line {row.line}, {column}: {kind}: {finding.message}")
            for change in row.changes:
                self.stdout.write(f"line {row.line}: {change}")
        counts = ", ".join(f"{status} {n}" for status, n in report.counts.items())
        if report.has_problems:
            raise CommandError(
                f"The file has problems ({counts}); nothing was imported.",
                returncode=EXIT_PROBLEMS,
            )
        if not options["commit"]:
            self.stdout.write(self.style.SUCCESS(f"Dry run (nothing changed): {counts}."))
            return
        try:
            report = caseload_apply(upload=upload, by=user)
        except DomainError as error:
            raise CommandError(str(error.message), returncode=EXIT_PROBLEMS) from error
        counts = ", ".join(f"{status} {n}" for status, n in report.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported: {counts}."))
