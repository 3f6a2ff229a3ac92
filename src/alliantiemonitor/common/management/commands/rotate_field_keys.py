"""Re-encrypt all free text about clients with the current field key (docs/encryption.md).

Put the new key first in ``ALLIANTIEMONITOR_FIELD_KEYS`` (keeping the old ones behind it),
restart the app, run this command, then remove the old keys. It works in batches of rows, each
in its own transaction; what is done stays done, so an interrupted run just runs again, and a
second run finds nothing to do. Text that was written around the app unencrypted is encrypted
too. ``--check`` only counts what is not under the current key and exits 1 if anything is.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliantiemonitor.common.encryption import DecryptionError, keyring
from alliantiemonitor.common.field_rotation import (
    DEFAULT_BATCH_SIZE,
    current_prefix,
    encrypted_fields,
    not_under,
    pending,
    rotate,
)


class Command(BaseCommand):
    help = "Re-encrypt all encrypted text with the first key of ALLIANTIEMONITOR_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; count the values not under the current key, exit 1 if any",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, batch_size: int, check: bool, database: str, **options: Any):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            ring = keyring()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Current key: {ring.current}.")
        left = 0
        for model, field in encrypted_fields():
            label = f"{model._meta.label}.{field}"
            if check:
                count = pending(
                    model, field, not_under(current_prefix(ring)), using=database
                ).count()
                left += count
                self.stdout.write(f"{label}: {count} not under the current key.")
                continue
            done = 0
            try:
                for count in rotate(model, field, ring=ring, batch_size=batch_size, using=database):
                    done += count
                    self.stdout.write(f"{label}: {done} re-encrypted…")
            except DecryptionError as exc:
                raise CommandError(
                    f"{label}: {exc} The {done} values before it are done; run the command "
                    "again once the key is back."
                ) from exc
            self.stdout.write(f"{label}: {done} re-encrypted.")
        if check:
            if left:
                raise CommandError(
                    f"{left} values are not under the current key yet: run rotate_field_keys "
                    "before removing an old key."
                )
            self.stdout.write("Every value is under the current key; old keys may go.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                "Every value is under the current key. Remove the old keys from "
                "ALLIANTIEMONITOR_FIELD_KEYS once backups made with them are no longer needed."
            )
        )
