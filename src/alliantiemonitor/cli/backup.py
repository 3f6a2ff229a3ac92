"""``alliantiemonitor backup``, ``restore`` and ``restore-test``: the database to a file and back.

They run the Django management commands of the same name (docs/backups.md) with the settings
read from the environment, like ``alliantiemonitor manage``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``backup``, ``restore`` and ``restore-test``."""
    backup = subparsers.add_parser(
        "backup",
        help="write a backup of the database to a file",
        description="Write a backup of the database to OUT (mode 0600). Safe while the app "
        "runs. The file holds personal data: store it encrypted, with access restricted.",
    )
    backup.add_argument("out", type=Path, metavar="OUT", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    backup.add_argument(
        "--table-checksums",
        action="store_true",
        help="also record a checksum of every table's rows, which restore checks",
    )
    backup.set_defaults(func=_run, django_command="backup", positional=("out",))

    restore = subparsers.add_parser(
        "restore",
        help="restore a backup file into a new or empty database",
        description="Restore the backup file IN into the configured database, creating it "
        "when it does not exist. Stop the app while restoring.",
    )
    restore.add_argument("source", type=Path, metavar="IN", help="the backup file to restore")
    restore.add_argument(
        "--force", action="store_true", help="replace everything in a database that is not empty"
    )
    restore.set_defaults(func=_run, django_command="restore", positional=("source",))

    restore_test = subparsers.add_parser(
        "restore-test",
        help="back up, restore into a scratch database and compare every table",
        description="Back up the database, restore the backup into a scratch database, compare "
        "the rows of every table, and remove the scratch database.",
    )
    restore_test.set_defaults(func=_run, django_command="restore_test", positional=())


def _run(args: argparse.Namespace) -> int:
    import django
    from django.core.management import CommandError, call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")
    django.setup()
    options = {
        key: value
        for key, value in vars(args).items()
        if key not in {"func", "command", "django_command", "positional", *args.positional}
    }
    try:
        call_command(
            args.django_command, *(str(getattr(args, name)) for name in args.positional), **options
        )
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
