"""``alliantiemonitor audit verify``: check the audit log's hash chain (needs the database)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="check the audit log (reads the database)")
    commands = parser.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    verify = commands.add_parser(
        "verify",
        help="walk the hash chain; exit 1 naming the first broken event",
        description="Walk the audit log's hash chain in order. Exit 0 with a summary when "
        "every event is intact; exit 1 naming the first broken event otherwise.",
    )
    verify.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")
    django.setup()
    try:
        call_command("audit_verify", stdout=sys.stdout)
    except CommandError as error:
        print(f"alliantiemonitor audit verify: {error}", file=sys.stderr)
        return 1
    return 0
