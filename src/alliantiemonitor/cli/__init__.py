"""The ``alliantiemonitor`` command line: instruments, scoring and synthetic data without a server.

``alliantiemonitor manage …`` runs Django management commands (migrate, runserver, demo, …).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: Sub-command modules; each has ``register(subparsers)`` that adds its parser with a ``func``.
COMMAND_MODULES = (
    "analyse",
    "audit",
    "backup",
    "export",
    "instruments",
    "score",
    "signals",
    "synth",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliantiemonitor",
        description="The working alliance monitor: instruments, scoring and synthetic data.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"alliantiemonitor.cli.{name}")
        module.register(subparsers)
    manage = subparsers.add_parser(
        "manage", help="run a Django management command (migrate, runserver, demo, …)"
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage)
    return parser


def _manage(args: argparse.Namespace) -> int:
    import os

    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")
    execute_from_command_line(["alliantiemonitor manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
