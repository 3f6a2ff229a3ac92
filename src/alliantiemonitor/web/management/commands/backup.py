from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from alliantiemonitor.web.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup of the database to a file (SQLite: online backup API; PostgreSQL: "
        "pg_dump). Safe while the app runs. The file holds personal data: keep it encrypted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="replace an existing file")
        parser.add_argument(
            "--table-checksums",
            action="store_true",
            help="also record a checksum of every table's rows, which restore checks "
            "(reads all data once more)",
        )

    def handle(
        self, *args: Any, out: Path, force: bool, table_checksums: bool, **options: Any
    ) -> None:
        try:
            manifest = backup_create(
                database=connections[DEFAULT_DB_ALIAS].settings_dict,
                out=out,
                replace=force,
                checksums=table_checksums,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(state.rows for state in manifest.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {out}: {len(manifest.tables)} tables, {rows} rows, "
                f"{manifest.payload_bytes} bytes, sha256 {manifest.payload_sha256}."
            )
        )
