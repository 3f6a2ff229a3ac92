"""``alliantiemonitor instruments``: list, show and validate instrument definitions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from alliantiemonitor.core.datafile import DOMAINS_FILE, InstrumentError, Problem
from alliantiemonitor.core.domains import default_domains, validate_domains_file
from alliantiemonitor.core.instrument import (
    RATERS,
    Instrument,
    fill_placeholders,
    pick_language,
)
from alliantiemonitor.core.loader import instrument_to_data, load_instrument, validate_file
from alliantiemonitor.core.registry import InstrumentRegistry, default_registry, parse_ref

POLARITY_TEXT = {"positive": "higher is better", "negative": "higher is worse"}


def register(subparsers: Any) -> None:
    """Add the ``instruments`` command and its sub-commands."""
    parser = subparsers.add_parser(
        "instruments",
        help="list, show and validate instrument definitions",
        description="List, show and validate instrument definitions (YAML/JSON files).",
    )
    dir_option = argparse.ArgumentParser(add_help=False)
    dir_option.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the instruments in this folder (may be repeated)",
    )
    parser.add_argument(
        "--dir", dest="global_dirs", action="append", default=[], metavar="DIR", help="as below"
    )
    parser.set_defaults(func=lambda args: _usage(parser))
    commands = parser.add_subparsers(dest="instruments_command", metavar="ACTION")

    list_parser = commands.add_parser(
        "list", parents=[dir_option], help="list the known instruments"
    )
    list_parser.set_defaults(func=_list)

    show = commands.add_parser(
        "show", parents=[dir_option], help="show one instrument: characteristics, items, pairs"
    )
    show.add_argument("ref", metavar="ID[@VERSION]", help="e.g. standaard or standaard@1.0.0")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--language", default="nl", help="language of the texts (default: nl)")
    show.add_argument("--domain", help="fill in the domain's words, e.g. reclassering")
    show.set_defaults(func=_show)

    validate = commands.add_parser(
        "validate",
        help="check instrument files (or folders); exit 1 and list every problem",
    )
    validate.add_argument("paths", nargs="+", metavar="FILE", type=Path)
    validate.set_defaults(func=_validate)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _registry(args: argparse.Namespace) -> InstrumentRegistry:
    return default_registry([*args.global_dirs, *args.dirs])


def _print_problems(problems: Sequence[Problem], stream: Any = None) -> None:
    for problem in problems:
        print(problem, file=stream or sys.stderr)


# -- list -----------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    try:
        registry = _registry(args)
    except InstrumentError as exc:
        _print_problems(exc.problems)
        return 1
    instruments = registry.all(kind=None)  # monitor variants and plain questionnaires
    if not instruments:
        print("No instruments found.")
        return 0
    header = ("ID", "VERSION", "TITLE", "ITEMS (CLIENT/PROF.)", "LANGUAGES", "PROVENANCE")
    rows = [
        (
            i.id,
            i.version,
            pick_language(i.title, "nl"),
            "/".join(str(len(i.items_for(rater))) for rater in RATERS),
            ", ".join(i.client_language_choices),
            i.provenance,
        )
        for i in instruments
    ]
    widths = [max(len(row[col]) for row in (header, *rows)) for col in range(len(header))]
    for row in (header, *rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


# -- show -----------------------------------------------------------------------------------


def _show(args: argparse.Namespace) -> int:
    try:
        instrument_id, version = parse_ref(args.ref)
    except ValueError as exc:
        return _error(str(exc))
    try:
        registry = _registry(args)
    except InstrumentError as exc:
        _print_problems(exc.problems)
        return 1
    try:
        instrument = registry.get(instrument_id, version, kind=None)
    except KeyError as exc:
        return _error(str(exc.args[0]))

    vocabularies: dict[str, dict[str, str]] = {}
    if args.domain:
        catalogue = default_domains()
        if args.domain not in catalogue.domains:
            known = ", ".join(catalogue.domains)
            return _error(f"unknown domain '{args.domain}' (known: {known})")
        vocabularies = {
            lang: catalogue.vocabulary(args.domain, lang)
            for lang in instrument.client_language_choices
        }

    if args.format == "json":
        data = _json_dump(instrument, args.domain, vocabularies)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if args.language not in instrument.client_language_choices:
        languages = ", ".join(instrument.client_language_choices)
        return _error(f"{instrument.ref} has no language '{args.language}' (it has: {languages})")
    domain_name = default_domains().name(args.domain, args.language) if args.domain else None
    print("\n".join(_describe(instrument, args.language, vocabularies, domain_name)))
    return 0


def _json_dump(
    instrument: Instrument, domain: str | None, vocabularies: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """The instrument in the file format, plus its ref; texts filled in when a domain is given."""
    data: dict[str, Any] = {"ref": instrument.ref, **instrument_to_data(instrument)}
    if domain:
        data["domain"] = domain
        for item in data["items"]:
            for key in ("text", "easy_text"):
                if key in item:
                    item[key] = {
                        lang: fill_placeholders(text, vocabularies.get(lang, {}))
                        for lang, text in item[key].items()
                    }
    return data


def _describe(
    instrument: Instrument,
    language: str,
    vocabularies: Mapping[str, Mapping[str, str]],
    domain_name: str | None,
) -> list[str]:
    def t(text: Mapping[str, str]) -> str:
        return pick_language(text, language)

    lines = [f"{t(instrument.title)} ({instrument.ref})", ""]
    provenance = instrument.provenance
    if instrument.provenance_note:
        provenance += f" — {t(instrument.provenance_note)}"
    facts = [
        ("Provenance", provenance),
        ("Audience", t(instrument.audience) if instrument.audience else ""),
        ("Languages", ", ".join(instrument.client_language_choices)),
        ("Presentation", instrument.presentation + (", easy-read" if instrument.easy_read else "")),
        ("Domain", domain_name or "(placeholders not filled in; use --domain)"),
        ("Source", instrument.source),
    ]
    lines += [f"{label + ':':<14}{value}" for label, value in facts if value]
    points = " · ".join(f"{p.value} {t(p.label)}" for p in instrument.scale.points)
    lines += [
        f"{'Scale:':<14}{points}",
        f"{'':<14}not answered: {t(instrument.scale.not_answered_label)}",
    ]
    if instrument.scale.not_answered_label_professional is not None:
        label = t(instrument.scale.not_answered_label_professional)
        lines.append(f"{'':<14}not answered (professional): {label}")

    lines += ["", "Characteristics"]
    key_width = max(len(c.key) for c in instrument.characteristics)
    for c in instrument.characteristics:
        counts = ", ".join(f"{len(instrument.items_of(c.key, r))} {r}" for r in RATERS)
        lines.append(
            f"  {c.key:<{key_width}}  {t(c.name)} — {c.polarity} ({POLARITY_TEXT[c.polarity]}); "
            f"items: {counts}"
        )
        for rater, ref in c.reference.items():
            lines.append(
                f"  {'':<{key_width}}  reference {rater}: "
                f"sd {ref.sd}, reliability {ref.reliability}"
            )

    vocabulary = vocabularies.get(language, {})
    id_width = max(len(i.id) for i in instrument.items)
    for rater in RATERS:
        items = instrument.items_for(rater)
        lines += ["", f"{rater.capitalize()} items ({len(items)}; R = reverse-keyed)"]
        for item in items:
            marker = "R" if item.reverse else " "
            lines.append(
                f"  {item.id:<{id_width}}  {marker}  {item.characteristic:<{key_width}}  "
                f"↔ {item.mirror:<{id_width}}  {item.display_text(language, vocabulary)}"
            )
            if item.easy_text:
                easy = item.display_text(language, vocabulary, easy_read=True)
                lines.append(
                    f"  {'':<{id_width}}     {'':<{key_width}}    {'':<{id_width}}  easy: {easy}"
                )

    pairs = instrument.mirror_pairs()
    lines += ["", f"Mirror pairs ({len(pairs)}; client ↔ professional)"]
    for client_item, professional_item in pairs:
        lines.append(
            f"  {client_item.id:<{id_width}} ↔ {professional_item.id:<{id_width}}  "
            f"{client_item.characteristic}"
        )
    return lines


# -- validate -------------------------------------------------------------------------------


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    total = 0
    for path in args.paths:
        results = _validate_dir(path) if path.is_dir() else [(path, _validate_path(path))]
        for file_path, problems in results:
            if problems:
                failed += 1
                total += len(problems)
                _print_problems(problems, sys.stdout)
            else:
                print(f"OK {file_path}{_summary(file_path)}")
    if failed:
        noun = "file" if failed == 1 else "files"
        print(f"{total} problem(s) in {failed} {noun}", file=sys.stderr)
        return 1
    return 0


def _validate_path(path: Path) -> list[Problem]:
    if path.name == DOMAINS_FILE:
        return validate_domains_file(path)
    return validate_file(path)


def _validate_dir(directory: Path) -> list[tuple[Path, list[Problem]]]:
    from alliantiemonitor.core.registry import instrument_files, validate_dirs

    files = instrument_files(directory)
    results = [(path, validate_file(path)) for path in files]
    if (directory / DOMAINS_FILE).exists():
        results.insert(
            0, (directory / DOMAINS_FILE, validate_domains_file(directory / DOMAINS_FILE))
        )
    if all(not problems for _, problems in results):
        # Every file is fine on its own; what is left is an id@version defined twice.
        duplicates = validate_dirs([directory])
        if duplicates:
            results.append((directory, duplicates))
    return results


def _summary(path: Path) -> str:
    """`` (standaard@1.0.0: 19 client + 19 professional items)`` for a valid instrument file."""
    if path.is_dir() or path.name == DOMAINS_FILE:
        return ""
    try:
        instrument = load_instrument(path)
    except InstrumentError:
        return ""
    counts = " + ".join(f"{len(instrument.items_for(r))} {r}" for r in RATERS)
    return f" ({instrument.ref}: {counts} items)"
