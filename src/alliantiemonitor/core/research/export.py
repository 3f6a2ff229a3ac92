"""Pseudonymised research exports: CSV, Parquet and SPSS ``.sav`` with a codebook, streamed.

Input: the long table of responses (one row per party per round, as
:meth:`alliantiemonitor.core.synth.SynthDataset.to_long` and the product write it), as an
iterable of DataFrames, so a file of any size passes through in chunks.

What happens to each column depends on its kind (see :mod:`.export_columns`): identifiers are
replaced by study keys (:mod:`.pseudonym`), dates are coarsened to ``YYYY-MM`` or shifted per
client, free text is left out unless asked for, names are refused, items and outcomes pass.

Layouts: ``long`` keeps one row per response. ``wide`` gives one row per round
(``trajectory_id`` × ``round_index``): the round's columns once, then per rater
(client first) its response columns prefixed ``client_`` / ``professional_`` and its items
(whose ids already say the rater). The rows of one round must be adjacent in the input, as the
product and the generator write them; a round split over two chunks is joined.

Streaming: CSV and Parquet are appended chunk by chunk. A ``.sav`` starts with a dictionary
that needs every category value and the longest text of each column, so it is written last:
from the Parquet file (a temporary one when Parquet is not among the formats), one row group
at a time (:mod:`.export_sav`). Memory stays bounded by the chunk size in every format;
docs/research/exports.md gives the figures.

Everything is written into a temporary folder beside the target and renamed at the end, so a
failure never leaves a half-written export.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.codebook import (
    MAX_CATEGORY_VALUES,
    build_codebook,
    write_codebook,
)
from alliantiemonitor.core.research.export_columns import (
    ColumnKind,
    ExportInputError,
    as_boolean,
    as_date,
    as_integer,
    as_item,
    as_number,
    as_text,
    classify,
)
from alliantiemonitor.core.research.export_layout import (
    RATER_COLUMN,
    ROUND_KEY,
    Variable,
    remember_rounds,
    to_wide,
    whole_rounds,
    wide_variables,
)
from alliantiemonitor.core.research.export_sav import measure_strings, write_sav
from alliantiemonitor.core.research.pseudonym import Pseudonymiser
from alliantiemonitor.core.research.stamp import file_sha256

Layout = Literal["long", "wide"]
DateHandling = Literal["month", "shift"]
FreeText = Literal["exclude", "include"]
ExportFormat = Literal["csv", "parquet", "sav"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)
DATE_HANDLINGS: tuple[DateHandling, ...] = get_args(DateHandling)
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

CLIENT_COLUMN = "client_id"
#: Rows per chunk: the working memory grows by roughly 2.5 kB per row of a chunk (measured in
#: benchmarks/bench_export.py), so 20,000 rows keep an export of any length, in every format,
#: at about 400 MB (368 to 402 MB for a million rounds).
DEFAULT_CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class ExportOptions:
    """How to export: layout, date handling, free text, formats.

    ``shift_days`` bounds the per-client date shift (``dates="shift"``); ``language`` picks the
    instrument's language for item and answer labels. ``response_columns`` names columns that,
    besides the usual ones (``response_id``, ``mode``, …), belong to one party's response and
    not to the round (the product's stored scores per characteristic): in the wide layout each
    rater gets their own.
    """

    layout: Layout = "long"
    dates: DateHandling = "month"
    shift_days: int = 30
    free_text: FreeText = "exclude"
    formats: tuple[ExportFormat, ...] = ("csv", "parquet")
    language: str = "nl"
    response_columns: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """Every problem with these options; empty when they can be used."""
        found = []
        if self.layout not in LAYOUTS:
            found.append(f"layout {self.layout!r} is unknown (use long or wide)")
        if self.dates not in DATE_HANDLINGS:
            found.append(f"date handling {self.dates!r} is unknown (use month or shift)")
        if self.free_text not in ("exclude", "include"):
            found.append(f"free text {self.free_text!r} is unknown (use exclude or include)")
        if not self.formats:
            found.append("no format chosen (use csv, parquet and/or sav)")
        wrong = [f for f in self.formats if f not in EXPORT_FORMATS]
        if wrong:
            found.append(f"unknown format(s) {', '.join(map(str, wrong))} (csv, parquet, sav)")
        if not isinstance(self.shift_days, int) or not 1 <= self.shift_days <= 3650:
            found.append("shift_days must be a whole number of days from 1 to 3650")
        return found

    def to_dict(self) -> dict[str, Any]:
        """The options as the codebook records them."""
        return {
            "layout": self.layout,
            "dates": self.dates,
            "shift_days": self.shift_days if self.dates == "shift" else None,
            "free_text": self.free_text,
            "formats": list(self.formats),
            "language": self.language,
        }


@dataclass
class ExportResult:
    """What an export wrote: the folder, its files and the codebook (also in the folder)."""

    folder: Path
    files: dict[str, Path]
    codebook: dict[str, Any]


@dataclass
class _Plan:
    """The fixed shape of the output, decided from the first chunk."""

    columns: tuple[str, ...]
    kinds: dict[str, ColumnKind]
    long_variables: list[Variable]
    variables: list[Variable]
    excluded_free_text: list[str]
    dropped: list[str]
    categories: dict[str, set[str]] = field(default_factory=dict)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(v.name, v.arrow_type) for v in self.variables])


_ARROW_TYPES: Mapping[ColumnKind, pa.DataType] = {
    "identifier": pa.string(),
    "category": pa.string(),
    "free_text": pa.string(),
    "item": pa.float64(),
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}


def _plan(
    columns: tuple[str, ...],
    kinds: dict[str, ColumnKind],
    instrument: Instrument | None,
    options: ExportOptions,
) -> _Plan:
    items = {i.id: i for i in instrument.items} if instrument is not None else {}
    problems: list[str] = []
    excluded = [c for c in columns if kinds[c] == "free_text" and options.free_text == "exclude"]
    dropped = [c for c in columns if kinds[c] == "drop"]
    kept = [c for c in columns if c not in excluded and c not in dropped]
    shifting = options.dates == "shift" and any(kinds[c] == "date" for c in kept)
    if shifting and kinds.get(CLIENT_COLUMN) != "identifier":
        problems.append(f"shifting dates per client needs the identifier column {CLIENT_COLUMN}")
    long_variables = []
    for column in kept:
        kind = kinds[column]
        if kind == "date":
            arrow_type = pa.string() if options.dates == "month" else pa.date32()
        else:
            arrow_type = _ARROW_TYPES[kind]
        item = items.get(column) if kind == "item" else None
        long_variables.append(
            Variable(column, column, kind, arrow_type, item.rater if item else None, item)
        )
    variables = long_variables
    if options.layout == "wide":
        needed = [*ROUND_KEY, RATER_COLUMN]
        absent = [c for c in needed if c not in kept]
        if absent:
            problems.append(f"the wide layout needs the column(s) {', '.join(absent)}")
        variables = wide_variables(long_variables, extra=frozenset(options.response_columns))
    if problems:
        raise ExportInputError(problems)
    return _Plan(columns, kinds, long_variables, variables, excluded, dropped)


def _check_instrument(frame: pd.DataFrame, instrument: Instrument | None) -> list[str]:
    if instrument is None:
        return []
    problems = []
    for column, expected in (
        ("instrument", instrument.id),
        ("instrument_version", instrument.version),
    ):
        if column in frame.columns:
            values = as_text(frame[column]).dropna().unique()
            other = sorted(str(v) for v in values if v != expected)
            if other:
                problems.append(
                    f"column {column}: the export is for {instrument.ref}, "
                    f"but rows hold {', '.join(other[:3])}; export one instrument at a time"
                )
    return problems


def _convert(
    frame: pd.DataFrame,
    plan: _Plan,
    pseudonyms: Pseudonymiser,
    options: ExportOptions,
    instrument: Instrument | None,
) -> pd.DataFrame:
    """The long output of one chunk: every kept column converted, pseudonymised, coarsened."""
    problems = _check_instrument(frame, instrument)
    scale = instrument.scale.values if instrument is not None else ()
    shifts: pd.Series | None = None
    if options.dates == "shift" and CLIENT_COLUMN in frame.columns:
        shifts = pseudonyms.shifts(as_text(frame[CLIENT_COLUMN]), options.shift_days)
    out: dict[str, Any] = {}
    for variable in plan.long_variables:
        column = frame[variable.source]
        kind = variable.kind
        if kind == "identifier":
            out[variable.name] = pseudonyms.keys(variable.source, as_text(column))
        elif kind in ("category", "free_text"):
            out[variable.name] = as_text(column)
        elif kind == "item":
            assert variable.item is not None
            out[variable.name] = as_item(column, variable.item, scale, problems)
        elif kind == "number":
            out[variable.name] = as_number(column, variable.name, problems)
        elif kind == "integer":
            out[variable.name] = as_integer(column, variable.name, problems)
        elif kind == "boolean":
            out[variable.name] = as_boolean(column, variable.name, problems)
        elif kind == "date":
            days = as_date(column, variable.name, problems)
            if options.dates == "month":
                text = days.dt.strftime("%Y-%m").astype(object)
                text[days.isna().to_numpy()] = None
                out[variable.name] = text
            else:
                assert shifts is not None
                moved = days + pd.to_timedelta(shifts.astype("float64"), unit="D")
                out[variable.name] = moved
    if problems:
        raise ExportInputError(problems)
    for variable in plan.long_variables:
        if variable.kind == "category":
            seen = plan.categories.setdefault(variable.name, set())
            if len(seen) <= MAX_CATEGORY_VALUES:
                seen.update(str(v) for v in pd.unique(out[variable.name]) if v is not None)
    return pd.DataFrame(out, index=frame.index)


def _to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    arrays = []
    for name, arrow_type in zip(schema.names, schema.types, strict=True):
        values = frame[name]
        if pa.types.is_date32(arrow_type):
            array = pa.array(values.to_numpy(dtype="datetime64[s]"), from_pandas=True)
            arrays.append(array.cast(pa.date32()))
        elif pa.types.is_floating(arrow_type):
            arrays.append(pa.array(values.to_numpy(dtype=np.float64), from_pandas=True))
        else:
            arrays.append(pa.array(values, type=arrow_type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _prepare_folder(out: Path) -> Path:
    parent = out.parent
    if not parent.is_dir():
        raise ExportInputError([f"{out}: the folder {parent} does not exist"])
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportInputError([f"{out}: exists and is not an empty folder; choose a new one"])
    return Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".partial"))


def export_research_data(
    chunks: Iterable[pd.DataFrame],
    *,
    secret: bytes,
    out: Path,
    options: ExportOptions = ExportOptions(),
    instrument: Instrument | None = None,
    column_kinds: Mapping[str, ColumnKind] | None = None,
    source: str = "",
) -> ExportResult:
    """Export ``chunks`` (the long table, in pieces) pseudonymised into the new folder ``out``.

    ``secret`` is the study's secret (at least 32 bytes); ``instrument`` tells which columns
    are items and gives their labels; ``column_kinds`` names the kind of columns the defaults
    do not know (or overrides them). ``source`` is recorded in the codebook (a file name).

    Raises :class:`ExportInputError` listing every problem (bad options, unknown or name-like
    columns, values that do not fit their kind, chunks with other columns) and
    :class:`~.pseudonym.SecretError` for a short secret; ``out`` is then left as it was.
    """
    pseudonyms = Pseudonymiser(secret)
    if problems := options.problems():
        raise ExportInputError(problems)
    folder = _prepare_folder(out)
    try:
        stem = "rounds" if options.layout == "wide" else "responses"
        paths = {fmt: folder / f"{stem}.{fmt}" for fmt in options.formats}
        rows_in, rows_out, plan = 0, 0, None
        csv_writer: pa_csv.CSVWriter | None = None
        parquet_writer: pq.ParquetWriter | None = None
        # The .sav is written at the end from the Parquet rows (the export's or a temporary file).
        parquet_path = paths.get("parquet", folder / ".sav-rows.parquet")
        sav_widths: dict[str, int] = {}
        seen_rounds = np.empty(0, dtype=np.uint64)
        iterator = whole_rounds(chunks) if options.layout == "wide" else iter(chunks)
        try:
            for chunk in iterator:
                if plan is None:
                    columns = tuple(str(c) for c in chunk.columns)
                    kinds = classify(columns, instrument, column_kinds)
                    plan = _plan(columns, kinds, instrument, options)
                    if "csv" in paths:
                        csv_writer = pa_csv.CSVWriter(str(paths["csv"]), plan.schema)
                    if "parquet" in paths or "sav" in paths:
                        parquet_writer = pq.ParquetWriter(str(parquet_path), plan.schema)
                elif tuple(str(c) for c in chunk.columns) != plan.columns:
                    raise ExportInputError(["a chunk of the data has other columns than the first"])
                rows_in += len(chunk)
                converted = _convert(chunk, plan, pseudonyms, options, instrument)
                if options.layout == "wide":
                    converted = to_wide(converted, plan.variables)
                    seen_rounds = remember_rounds(converted, seen_rounds)
                table = _to_arrow(converted, plan.schema)
                rows_out += table.num_rows
                if csv_writer is not None:
                    csv_writer.write_table(table)
                if parquet_writer is not None:
                    parquet_writer.write_table(table)
                if "sav" in paths:
                    measure_strings(table, sav_widths)
        finally:
            if csv_writer is not None:
                csv_writer.close()
            if parquet_writer is not None:
                parquet_writer.close()
        if plan is None or rows_in == 0:
            raise ExportInputError(["the data have no rows"])
        if "sav" in paths:
            write_sav(
                parquet_path,
                paths["sav"],
                plan.variables,
                instrument,
                plan.categories,
                options.language,
                sav_widths,
            )
            if "parquet" not in paths:
                parquet_path.unlink()
        codebook = build_codebook(
            variables=plan.variables,
            categories=plan.categories,
            instrument=instrument,
            options=options,
            files={
                fmt: (path.name, file_sha256(path), path.stat().st_size)
                for fmt, path in paths.items()
            },
            rows_in=rows_in,
            rows_out=rows_out,
            excluded_free_text=plan.excluded_free_text,
            dropped=plan.dropped,
            source=source,
        )
        write_codebook(codebook, folder)
        if out.exists():
            out.rmdir()
        os.replace(folder, out)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    files: dict[str, Path] = {fmt: out / path.name for fmt, path in paths.items()}
    files["codebook_json"] = out / "codebook.json"
    files["codebook_html"] = out / "codebook.html"
    return ExportResult(out, files, codebook)


def frame_chunks(frame: pd.DataFrame, rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """``frame`` in pieces of ``rows`` rows (for a table already in memory)."""
    for start in range(0, max(len(frame), 1), rows):
        yield frame.iloc[start : start + rows]
