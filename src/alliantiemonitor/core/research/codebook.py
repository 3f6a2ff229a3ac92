"""The codebook of an export: every variable, its labels and values, and how it was made.

Two files with the same content: ``codebook.json`` for programs and ``codebook.html``, a
self-contained page (no scripts, no external styles) for people. The JSON holds, per variable,
its name, label, type, values with their labels, the instrument and characteristic of items,
reverse keying and how missing values look; and for the whole export the pseudonymisation,
the date handling, the options, the row counts and the SHA-256 of every data file.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliantiemonitor import __version__
from alliantiemonitor.core.instrument import RATERS, Instrument, pick_language
from alliantiemonitor.core.research.export_layout import Variable
from alliantiemonitor.core.research.pseudonym import ALPHABET, KEY_BITS, KEY_CHARACTERS, METHOD

if TYPE_CHECKING:
    from alliantiemonitor.core.research.export import ExportOptions

CODEBOOK_VERSION = 1
#: A category with more distinct values than this is listed without its values (and stays text
#: in the .sav): so many values are rather free text or identifiers than categories.
MAX_CATEGORY_VALUES = 500

#: Labels of the known columns; item labels come from the instrument.
VARIABLE_LABELS: Mapping[str, str] = {
    "response_id": "Response (study key)",
    "trajectory_id": "Trajectory (study key)",
    "client_id": "Client (study key)",
    "professional_id": "Professional of the round (study key)",
    "round_id": "Round (study key)",
    "organisation_id": "Organisation (study key)",
    "team_id": "Team (study key)",
    "domain": "Domain of the trajectory",
    "legal_frame": "Legal frame as typed by the professional (free text)",
    "round_index": "Number of the round in the trajectory, from 0",
    "round_date": "Date of the round",
    "after_handover": "Round after a change of professional",
    "rater": "Who answered",
    "instrument": "Instrument id",
    "instrument_version": "Instrument version",
    "submitted": "The response was submitted",
    "substance_use": "Substance use (at the start)",
    "motivated": "Motivated for the trajectory (at the start)",
    "course": "Course of the alliance (generator truth)",
    "handover": "The trajectory had a change of professional",
    "n_rounds": "Number of rounds in the trajectory",
    "end_kind": "How the trajectory ended",
    "no_shows": "Number of no-shows",
    "formal_warning": "A formal warning was given",
    "new_arrest": "A new arrest or suspicion was recorded",
    "mode": "How the response was given (own device, handed-over device, paper, ...)",
    "start_date": "Start of the trajectory",
    "end_date": "End of the trajectory",
    "recidivism_4y": "Recidivism within four years after the end",
    "course_type": "Course type (generator truth)",
    "changed_characteristic": "Characteristic that changed (generator truth)",
    "stopped_round": "Round in which a party stopped (generator truth, -1 = none)",
    "planned_rounds": "Planned number of rounds (generator truth)",
}

BOOLEAN_VALUES = ({"value": False, "label": "no"}, {"value": True, "label": "yes"})
MISSING = {
    "csv": "empty cell",
    "parquet": "null",
    "sav": "system-missing (numbers) or empty text",
}


def _type(variable: Variable, dates: str) -> str:
    if variable.kind == "date":
        return "month (YYYY-MM)" if dates == "month" else "date (YYYY-MM-DD)"
    return {
        "identifier": "text (study key)",
        "category": "text (category)",
        "free_text": "text (free text)",
        "item": "number (answer)",
        "number": "number",
        "integer": "whole number",
        "boolean": "true/false",
    }.get(variable.kind, variable.kind)


def label_of(variable: Variable, instrument: Instrument | None, language: str) -> str:
    if variable.item is not None and instrument is not None:
        characteristic = instrument.characteristic(variable.item.characteristic)
        name = pick_language(characteristic.name, language)
        return f"{name} ({variable.item.rater}): {pick_language(variable.item.text, language)}"
    base = VARIABLE_LABELS.get(variable.source, variable.source.replace("_", " "))
    if variable.rater is not None:
        return f"{base}, {variable.rater}"
    return base


def value_labels(
    variable: Variable,
    instrument: Instrument | None,
    categories: Mapping[str, set[str]],
    language: str,
) -> list[dict[str, Any]]:
    """The values a variable takes, each with its label (empty for open variables)."""
    if variable.kind == "item" and instrument is not None:
        return [
            {"value": point.value, "label": pick_language(point.label, language)}
            for point in instrument.scale.points
        ]
    if variable.kind == "boolean":
        return [dict(v) for v in BOOLEAN_VALUES]
    if variable.source == "rater":
        return [{"value": rater, "label": rater} for rater in RATERS]
    if variable.kind == "category":
        values = sorted(categories.get(variable.source, ()))
        if len(values) > MAX_CATEGORY_VALUES:
            return []
        return [{"value": value, "label": value} for value in values]
    return []


def build_codebook(
    *,
    variables: Sequence[Variable],
    categories: Mapping[str, set[str]],
    instrument: Instrument | None,
    options: ExportOptions,
    files: Mapping[str, tuple[str, str, int]],
    rows_in: int,
    rows_out: int,
    excluded_free_text: Sequence[str],
    dropped: Sequence[str],
    source: str,
) -> dict[str, Any]:
    """The codebook as plain JSON-safe data."""
    entries = []
    for variable in variables:
        entry: dict[str, Any] = {
            "name": variable.name,
            "label": label_of(variable, instrument, options.language),
            "kind": variable.kind,
            "type": _type(variable, options.dates),
            "source_column": variable.source,
            "rater": variable.rater,
            "values": value_labels(variable, instrument, categories, options.language),
            "missing": MISSING,
            "pseudonymised": variable.kind == "identifier",
            "free_text": variable.kind == "free_text",
        }
        if variable.item is not None and instrument is not None:
            entry["instrument"] = {"id": instrument.id, "version": instrument.version}
            entry["characteristic"] = variable.item.characteristic
            entry["reverse_keyed"] = variable.item.reverse
            entry["mirror"] = variable.item.mirror or None
        entries.append(entry)
    free_text = [v.name for v in variables if v.kind == "free_text"]
    date_rule = (
        "coarsened to the month (YYYY-MM)"
        if options.dates == "month"
        else f"shifted per client by a fixed number of days between -{options.shift_days} and "
        f"+{options.shift_days}, derived from the study secret (the same for all dates of a "
        "client, so intervals within a client are kept); times of day are dropped"
    )
    return {
        "codebook_version": CODEBOOK_VERSION,
        "software": {"alliantiemonitor": __version__},
        "source": source,
        "instrument": (
            {"id": instrument.id, "version": instrument.version} if instrument else None
        ),
        "layout": options.layout,
        "options": options.to_dict(),
        "pseudonymisation": {
            "method": METHOD,
            "key_characters": KEY_CHARACTERS,
            "key_bits": KEY_BITS,
            "alphabet": ALPHABET,
            "namespace": "the column name: the same identifier in two columns gets two keys",
            "scope": "one secret per study: keys are stable within a study, unrelated across",
            "reversible": False,
            "columns": [v.name for v in variables if v.kind == "identifier"],
            "dates": date_rule,
        },
        "free_text_included": free_text,
        "free_text_excluded": list(excluded_free_text),
        "dropped_columns": list(dropped),
        "rows": {"input": rows_in, "output": rows_out},
        "files": {
            fmt: {"name": name, "sha256": digest, "bytes": size, "rows": rows_out}
            for fmt, (name, digest, size) in files.items()
        },
        "variables": entries,
    }


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def codebook_html(codebook: Mapping[str, Any]) -> str:
    """A self-contained page with the same content as the JSON codebook."""
    pseudo = codebook["pseudonymisation"]
    overview = [
        ("instrument", _ref(codebook["instrument"])),
        ("layout", codebook["layout"]),
        ("options", json.dumps(codebook["options"], ensure_ascii=False)),
        ("rows in / out", f"{codebook['rows']['input']} / {codebook['rows']['output']}"),
        (
            "pseudonymisation",
            f"{pseudo['method']}, {pseudo['key_characters']} characters "
            f"({pseudo['key_bits']} bits) from {pseudo['alphabet']}; {pseudo['scope']}",
        ),
        ("pseudonymised columns", ", ".join(pseudo["columns"]) or "none"),
        ("dates", pseudo["dates"]),
        ("free text included", ", ".join(codebook["free_text_included"]) or "none"),
        ("free text left out", ", ".join(codebook["free_text_excluded"]) or "none"),
        ("columns dropped", ", ".join(codebook["dropped_columns"]) or "none"),
    ]
    files = [(f["name"], f["bytes"], f["rows"], f["sha256"]) for f in codebook["files"].values()]
    rows = []
    for v in codebook["variables"]:
        values = "; ".join(f"{x['value']} = {x['label']}" for x in v["values"])
        notes = []
        if v.get("instrument"):
            notes.append(f"{_ref(v['instrument'])}, characteristic {v['characteristic']}")
            notes.append("reverse-keyed" if v["reverse_keyed"] else "not reverse-keyed")
        if v["free_text"]:
            notes.append("FREE TEXT: may hold anything a person typed")
        if v["pseudonymised"]:
            notes.append("study key")
        rows.append((v["name"], v["label"], v["type"], values, "; ".join(notes)))
    missing = "; ".join(f"{k}: {m}" for k, m in MISSING.items())
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Codebook</title><style>body{font-family:sans-serif;margin:2em}"
        "table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #999;"
        "padding:.25em .5em;text-align:left;vertical-align:top}</style></head><body>"
        "<h1>Codebook of a pseudonymised export</h1>"
        + _table("Export", ("what", "value"), overview)
        + _table("Files", ("file", "bytes", "rows", "SHA-256"), files)
        + f"<p>Missing values: {_e(missing)}.</p>"
        + _table("Variables", ("name", "label", "type", "values", "notes"), rows)
        + "</body></html>\n"
    )


def _ref(instrument: Mapping[str, str] | None) -> str:
    return f"{instrument['id']}@{instrument['version']}" if instrument else "none"


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><caption>{_e(caption)}</caption><tr>{head}</tr>{body}</table>"


def write_codebook(codebook: Mapping[str, Any], folder: Path) -> None:
    """Write ``codebook.json`` and ``codebook.html`` into ``folder``."""
    text = json.dumps(codebook, ensure_ascii=False, indent=2, sort_keys=False)
    (folder / "codebook.json").write_text(text + "\n", encoding="utf-8")
    (folder / "codebook.html").write_text(codebook_html(codebook), encoding="utf-8")
