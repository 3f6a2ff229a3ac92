"""What each input column of an export is, and its values turned into one fixed type.

Every column gets a *kind* before a single row is written: from an explicit mapping, else from
the known columns of the product and the generator, else from its name (``*_id`` is an
identifier, ``*_date`` / ``*_at`` a date, an instrument's item id an item). A column whose name
looks like a name or contact detail (``display_name``, ``email``, …) is refused unless the
mapping names its kind, and a column of no known kind is refused: the export fails closed.

Values are converted per kind, not per chunk, so that a CSV read as text and a typed DataFrame
give the same output, and the first chunk fixes the types of every later one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from alliantiemonitor.core.instrument import Instrument, Item

ColumnKind = Literal[
    "identifier",
    "date",
    "item",
    "category",
    "integer",
    "number",
    "boolean",
    "free_text",
    "drop",
]
COLUMN_KINDS: tuple[ColumnKind, ...] = get_args(ColumnKind)

#: Columns of the product's and the generator's long table whose kind is not in their name.
KNOWN_COLUMNS: Mapping[str, ColumnKind] = {
    "domain": "category",
    "rater": "category",
    "instrument": "category",
    "instrument_version": "category",
    "mode": "category",
    "course": "category",
    "end_kind": "category",
    "course_type": "category",
    "changed_characteristic": "category",
    "kind": "category",
    # Typed by professionals, so it may hold anything: free text until mapped otherwise.
    "legal_frame": "free_text",
    "detail": "free_text",
    "note": "free_text",
    "notes": "free_text",
    "comment": "free_text",
    "comments": "free_text",
    "remark": "free_text",
    "remarks": "free_text",
    "explanation": "free_text",
    "free_text": "free_text",
    "submitted": "boolean",
    "after_handover": "boolean",
    "substance_use": "boolean",
    "motivated": "boolean",
    "handover": "boolean",
    "formal_warning": "boolean",
    "new_arrest": "boolean",
    "recidivism_4y": "boolean",
    "recidivism_observed": "boolean",
    "round_index": "integer",
    "n_rounds": "integer",
    "no_shows": "integer",
    "stopped_round": "integer",
    "planned_rounds": "integer",
    "recidivism_months": "number",
    "true_alliance": "number",
    "true_trust": "number",
    "true_friction": "number",
}

#: Words that make a column name look like a person's name or contact details.
_NAME_WORDS = frozenset(
    {
        "name",
        "names",
        "firstname",
        "lastname",
        "surname",
        "fullname",
        "username",
        "email",
        "mail",
        "phone",
        "telephone",
        "mobile",
        "address",
        "street",
        "postcode",
        "zipcode",
        "bsn",
        "birth",
        "birthdate",
        "dob",
        "iban",
    }
)
_WORD_RE = re.compile(r"[a-z]+")

#: Answers in these spellings count as true / false in a boolean column.
_TRUE = frozenset({"true", "1", "yes", "ja", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "nee", "f", "n"})
_SHOWN = 3


class ExportInputError(ValueError):
    """The data cannot be exported as they are; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))


def looks_like_name(column: str) -> bool:
    """Whether ``column`` sounds like a name or contact detail (``display_name``, ``e-mail``)."""
    lowered = column.lower()
    words = set(_WORD_RE.findall(lowered))
    squashed = re.sub(r"[^a-z]", "", lowered)
    return bool(words & _NAME_WORDS) or squashed in _NAME_WORDS or "email" in squashed


def default_kind(column: str, items: Mapping[str, Item]) -> ColumnKind | None:
    """The kind of ``column`` without a mapping, or ``None`` when it cannot be told."""
    if column in items:
        return "item"
    if column in KNOWN_COLUMNS:
        return KNOWN_COLUMNS[column]
    if column == "id" or column.endswith("_id"):
        return "identifier"
    if column == "date" or column.endswith(("_date", "_at")):
        return "date"
    return None


def classify(
    columns: Sequence[str],
    instrument: Instrument | None,
    explicit: Mapping[str, ColumnKind] | None = None,
) -> dict[str, ColumnKind]:
    """The kind of every column; raise :class:`ExportInputError` listing every refusal."""
    explicit = dict(explicit or {})
    items = {item.id: item for item in instrument.items} if instrument is not None else {}
    problems: list[str] = []
    duplicates = sorted({c for c in columns if list(columns).count(c) > 1})
    if duplicates:
        problems.append(f"column(s) appear more than once: {', '.join(duplicates)}")
    stray = sorted(set(explicit) - set(columns))
    if stray:
        problems.append(f"kinds given for column(s) not in the data: {', '.join(stray)}")
    wrong = sorted(f"{c}={k}" for c, k in explicit.items() if k not in COLUMN_KINDS)
    if wrong:
        problems.append(
            f"unknown column kind(s) {', '.join(wrong)} (known: {', '.join(COLUMN_KINDS)})"
        )
    for column, kind in explicit.items():
        if kind == "item" and column not in items:
            problems.append(f"column {column}: is no item of the instrument, so cannot be 'item'")
    kinds: dict[str, ColumnKind] = {}
    names: list[str] = []
    unknown: list[str] = []
    for column in columns:
        if column in explicit:
            kinds[column] = explicit[column]
        elif looks_like_name(column):
            names.append(column)
        else:
            guess = default_kind(column, items)
            if guess is None:
                unknown.append(column)
            else:
                kinds[column] = guess
    if names:
        problems.append(
            f"column(s) that look like names or contact details: {', '.join(names)}; "
            "names never go into an export (leave the column out, or map it explicitly, "
            "e.g. --kind COLUMN=drop)"
        )
    if unknown:
        problems.append(
            f"column(s) of unknown kind: {', '.join(unknown)}; name the kind of each with "
            f"--kind COLUMN=KIND (one of {', '.join(COLUMN_KINDS)})"
        )
    if problems:
        raise ExportInputError(problems)
    return kinds


def _blank(column: pd.Series) -> pd.Series:
    """Missing values and empty or blank text."""
    blank = column.isna()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        blank = blank | (column.astype("string").str.strip() == "").fillna(True)
    return blank.astype(bool)


def _examples(values: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in values.unique()[:_SHOWN])


def as_text(column: pd.Series) -> pd.Series:
    """Text with ``None`` for missing and blank cells (whole numbers without ``.0``)."""
    blank = _blank(column)
    if column.dtype.kind == "f":
        whole = column.dropna()
        if (whole == np.floor(whole)).all():
            column = column.astype("Int64")
    text = column.astype("string").astype(object)
    text[blank.to_numpy()] = None
    return pd.Series(text, index=column.index, dtype=object)


def as_number(column: pd.Series, name: str, problems: list[str]) -> pd.Series:
    """Floats with NaN for missing; text that is no number is a problem."""
    if column.dtype.kind in "iuf":
        return column.astype(np.float64)
    if column.dtype.kind == "b":
        problems.append(f"column {name}: holds true/false, not numbers")
        return pd.Series(np.nan, index=column.index)
    blank = _blank(column)
    converted = pd.to_numeric(column.astype("string").str.strip().where(~blank), errors="coerce")
    bad = converted.isna() & ~blank
    if bad.any():
        problems.append(f"column {name}: not a number ({_examples(column[bad])})")
    return converted.astype(np.float64)


def as_integer(column: pd.Series, name: str, problems: list[str]) -> pd.Series:
    """Nullable whole numbers; fractions are a problem."""
    numbers = as_number(column, name, problems)
    fraction = numbers.notna() & (numbers != np.floor(numbers))
    if fraction.any():
        problems.append(f"column {name}: not a whole number ({_examples(column[fraction])})")
        return pd.Series(pd.NA, index=column.index, dtype="Int64")
    return numbers.astype("Int64")


def as_boolean(column: pd.Series, name: str, problems: list[str]) -> pd.Series:
    """Nullable booleans from bools, 0/1 or true/false, yes/no, ja/nee."""
    if column.dtype.kind == "b":
        return column.astype("boolean")
    blank = _blank(column)
    text = column.astype("string").str.strip().str.lower()
    truthy = text.isin(_TRUE).fillna(False).astype(bool)
    falsy = text.isin(_FALSE).fillna(False).astype(bool)
    bad = ~(truthy | falsy | blank)
    if bad.any():
        problems.append(f"column {name}: not true/false ({_examples(column[bad])})")
    result = pd.array(truthy.to_numpy(), dtype="boolean")
    result[blank.to_numpy()] = pd.NA
    return pd.Series(result, index=column.index)


def as_date(column: pd.Series, name: str, problems: list[str]) -> pd.Series:
    """Calendar days (``datetime64[s]`` at midnight); the time of day is dropped."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        parsed = column
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
    else:
        blank = _blank(column)
        text = column.astype("string").str.strip().where(~blank)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        bad = parsed.isna() & ~blank
        if bad.any():
            problems.append(f"column {name}: not an ISO date ({_examples(column[bad])})")
    days: pd.Series = parsed.dt.floor("D").astype("datetime64[s]")
    return days


def as_item(column: pd.Series, item: Item, values: Sequence[int], problems: list[str]) -> pd.Series:
    """Answers as floats (NaN = not answered); an answer off the scale is a problem."""
    numbers = as_number(column, item.id, problems)
    off = numbers.notna() & ~numbers.isin([float(v) for v in values])
    if off.any():
        problems.append(
            f"column {item.id}: answer(s) not on the scale "
            f"{min(values)}–{max(values)} ({_examples(column[off])})"
        )
    return numbers
