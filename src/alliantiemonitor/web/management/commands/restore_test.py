from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from alliantiemonitor.web.backups import BackupError, restore_test


class Command(BaseCommand):
    help = (
        "Prove that backups work: back up the database, restore the backup into a scratch "
        "database, compare the rows of every table, and remove the scratch database."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_test(database=connections[DEFAULT_DB_ALIAS].settings_dict)
        except BackupError as exc:
            raise CommandError(f"Restore test failed: {exc}") from None
        tables = result.manifest.tables
        rows = sum(state.rows for state in tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore test passed: {len(tables)} tables, {rows} rows, every table's rows "
                "and checksum equal after backup and restore."
            )
        )
