from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from alliantiemonitor.web.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup file into the configured database, creating it when it does not "
        "exist. Refuses a damaged file, another engine's backup, a newer version's backup, and "
        "a database that is not empty (unless --force). Stop the app while restoring."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, metavar="IN", help="the backup file to restore")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace everything in a database that is not empty",
        )

    def handle(self, *args: Any, source: Path, force: bool, **options: Any) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            result = backup_restore(database=connection.settings_dict, source=source, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        rows = sum(state.rows for state in manifest.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {source} (made {manifest.created_at} by version "
                f"{manifest.app_version}): {len(manifest.tables)} tables, {rows} rows, "
                "every table checked against the backup."
            )
        )
        if result.pending_migrations:
            self.stdout.write(
                f"The backup is from an older version: {len(result.pending_migrations)} "
                "migrations are still to run. Run `alliantiemonitor manage migrate` now."
            )
