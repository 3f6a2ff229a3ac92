"""Backups of the database and their restore, for SQLite and PostgreSQL (docs/backups.md)."""

from .archive import BackupError, Manifest, TableState
from .services import backup_create, backup_restore, database_for, restore_test

__all__ = [
    "BackupError",
    "Manifest",
    "TableState",
    "backup_create",
    "backup_restore",
    "database_for",
    "restore_test",
]
