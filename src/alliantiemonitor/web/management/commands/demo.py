from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliantiemonitor.web.demo import DEMO_PASSWORD, LOGINS, demo_load


def _second_factor_lines() -> list[str]:
    """How the second login step behaves in this demo (off with `make demo`)."""
    if not settings.ALLIANTIEMONITOR_REQUIRE_2FA:
        return [
            "Demo: logging in needs no second step (ALLIANTIEMONITOR_REQUIRE_2FA=false), and",
            "every page says so. In production the code from an authenticator app is required.",
        ]
    return [
        "Logging in needs a second step: at the first login of each account you scan a QR code",
        "with an authenticator app (FreeOTP, Aegis, Google or Microsoft Authenticator) and type",
        "its code. To try the demo without it, start it with ALLIANTIEMONITOR_REQUIRE_2FA=false",
        "(as `make demo` does).",
    ]


class Command(BaseCommand):
    help = "Load the demo organisations with synthetic data (once) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--address", default="http://127.0.0.1:8000/", help="where the demo will be served"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even with DEBUG off (never on a production database)",
        )

    def handle(self, *args: Any, address: str, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo creates logins with a published password, so it only runs with "
                "DEBUG=true (as `make demo` does). Use --force to override on a test system."
            )
        result = demo_load()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded: {len(result.organisations)} organisations, "
                    f"{result.trajectories} trajectories, {result.rounds} rounds, "
                    f"{result.responses} responses, {result.handovers} handovers, "
                    f"{result.signals} signals; a study with {result.enrolled} trajectories "
                    f"enrolled, {result.consenting} of them with the client's consent."
                )
            )
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        width = max(len(login.username) for login in LOGINS)
        lines = [
            "",
            f"Open {address} in your browser and log in with one of these demo accounts",
            f"(password for all: {DEMO_PASSWORD}):",
            "",
            *(f"  {login.username:<{width}}  {login.description}" for login in LOGINS),
            "",
            *_second_factor_lines(),
            "",
            "Stop the server with Ctrl+C. The data lives in "
            f"{settings.DATABASES['default']['NAME']}.",
            "",
        ]
        self.stdout.write("\n".join(lines))
