"""Make the read-aloud audio of instruments ahead of time (docs/read-aloud.md).

Without it each file is made on the first press of its read-aloud button, which takes a moment.
Safe to run twice and beside the web server: existing files are kept.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements.speech import (
    VOICES,
    SpeechUnavailable,
    speech_generate_instrument,
)


class Command(BaseCommand):
    help = "Make the read-aloud audio of monitor instruments (all installed ones by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "instruments",
            nargs="*",
            metavar="INSTRUMENT",
            help="an instrument id (its latest version) or id@version; default: every version "
            "of every monitor instrument",
        )
        parser.add_argument(
            "--domain",
            action="append",
            dest="domains",
            help="only this domain's wording (may be repeated; default: every domain)",
        )
        parser.add_argument(
            "--language",
            action="append",
            dest="languages",
            choices=sorted(VOICES),
            help="only this language (may be repeated; default: every language with a voice)",
        )

    def handle(
        self,
        *args: Any,
        instruments: list[str],
        domains: list[str] | None,
        languages: list[str] | None,
        **options: Any,
    ) -> None:
        for instrument in self._instruments(instruments):
            try:
                made, kept = speech_generate_instrument(
                    instrument, domains=domains, languages=languages
                )
            except KeyError as exc:
                raise CommandError(str(exc.args[0] if exc.args else exc)) from exc
            except SpeechUnavailable as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{instrument.ref}: {made} made, {kept} already there")

    def _instruments(self, refs: list[str]) -> list[Instrument]:
        registry = get_registry()
        if not refs:
            return registry.all()
        found = []
        for ref in refs:
            instrument_id, _, version = ref.partition("@")
            try:
                found.append(registry.get(instrument_id, version=version or None))
            except KeyError as exc:
                raise CommandError(str(exc.args[0] if exc.args else exc)) from exc
        return found
