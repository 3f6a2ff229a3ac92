from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliantiemonitor.web.client_bundle import PACKAGE_DIR, outputs


class Command(BaseCommand):
    help = (
        "Build the client pages' one stylesheet and the questionnaire's one script from their "
        "sources (see alliantiemonitor/web/client_bundle.py). Commit what it writes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="write nothing; fail if a built file is stale"
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        stale = []
        for path, text in outputs().items():
            name = path.relative_to(PACKAGE_DIR)
            if path.exists() and path.read_text(encoding="utf-8") == text:
                self.stdout.write(f"{name}: up to date ({len(text.encode()):,} bytes)")
            elif check:
                stale.append(str(name))
            else:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"{name}: written ({len(text.encode()):,} bytes)")
        if stale:
            raise CommandError(f"stale, run `manage.py client_bundle`: {', '.join(stale)}")
