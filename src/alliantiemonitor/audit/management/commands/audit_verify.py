from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alliantiemonitor.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain; exit 1 naming the first broken event, or 0 with a "
        "summary when every event is intact."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.broken is not None:
            before = min(result.head_seq, result.broken.seq - 1)
            intact = (
                f"events 1 to {before} before it are intact" if before > 0 else "no event before it"
            )
            raise CommandError(f"Audit chain broken at {result.broken} ({intact}).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.events} events ({result.redacted} redacted); "
                f"head {result.head_seq} {result.head_hash}."
            )
        )
