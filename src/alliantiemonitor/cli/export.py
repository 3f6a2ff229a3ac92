"""``alliantiemonitor export``: a pseudonymised research export of a long table, with codebook.

The data file is read in chunks (Parquet row batches, CSV pieces read as text), so its size is
bounded by the disk, not the memory. Every problem (no secret, a short one, a column of unknown
kind, a name-like column, a value that does not fit its column) stops the command with exit
status 1 before anything appears in ``--out``.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from alliantiemonitor.cli.files import CommandFailure, format_of, load_instrument
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.export import (
    DATE_HANDLINGS,
    DEFAULT_CHUNK_ROWS,
    EXPORT_FORMATS,
    LAYOUTS,
    ExportFormat,
    ExportOptions,
    export_research_data,
)
from alliantiemonitor.core.research.export_columns import (
    COLUMN_KINDS,
    ColumnKind,
    ExportInputError,
    as_text,
)
from alliantiemonitor.core.research.pseudonym import MINIMUM_SECRET_BYTES, SecretError

DESCRIPTION = f"""\
Export the long table of responses (CSV or Parquet, one row per response) for research:
every identifier column (*_id) replaced by a study key (HMAC-SHA256 with the study's secret),
dates coarsened to the month or shifted per client, free text left out unless
--include-free-text, names refused. Writes into the new folder --out: the data in each
--format, codebook.json and codebook.html (every variable, its labels and values, the
pseudonymisation, the SHA-256 of each file).

The secret file holds at least {MINIMUM_SECRET_BYTES} bytes, one per study, e.g.
  head -c 32 /dev/urandom > study.key
Keep it with the study: the same secret gives the same keys, another secret other keys.

Columns are recognised by name; for any other column name its kind with
--kind COLUMN=KIND ({", ".join(COLUMN_KINDS)}); 'drop' leaves a column out.
"""


def register(subparsers: Any) -> None:
    """Add the ``export`` command."""
    parser = subparsers.add_parser(
        "export",
        help="pseudonymised research export (CSV, Parquet, SPSS .sav) with a codebook",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, required=True, metavar="FILE", help=".csv or .parquet")
    parser.add_argument(
        "--secret-file", type=Path, required=True, metavar="FILE", help="the study's secret"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new folder")
    parser.add_argument("--layout", default="long", metavar="long|wide", help="default: long")
    parser.add_argument("--dates", default="month", metavar="month|shift", help="default: month")
    parser.add_argument(
        "--shift-days", type=int, default=30, metavar="N", help="--dates shift: within ±N days"
    )
    parser.add_argument(
        "--include-free-text",
        action="store_true",
        help="keep free-text columns (flagged in the codebook)",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        default="csv,parquet",
        metavar="csv,parquet,sav",
        help="one or more, comma-separated (default: csv,parquet)",
    )
    parser.add_argument(
        "--instrument",
        metavar="ID[@VERSION]",
        help="the instrument of the items (default: from the instrument columns of the data)",
    )
    parser.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the instruments in this folder (may be repeated)",
    )
    parser.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="the kind of a column the export does not know (may be repeated)",
    )
    parser.add_argument("--language", default="nl", metavar="LANG", help="labels (default: nl)")
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=DEFAULT_CHUNK_ROWS,
        metavar="N",
        help=f"rows read at a time (default: {DEFAULT_CHUNK_ROWS}); memory grows with N",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except CommandFailure as failure:
        return failure.report()


def _options(args: argparse.Namespace) -> ExportOptions:
    formats = tuple(f.strip() for f in str(args.formats).split(",") if f.strip())
    problems = []
    if args.layout not in LAYOUTS:
        problems.append(f"error: --layout {args.layout!r}: use long or wide")
    if args.dates not in DATE_HANDLINGS:
        problems.append(f"error: --dates {args.dates!r}: use month or shift")
    wrong = [f for f in formats if f not in EXPORT_FORMATS]
    if wrong or not formats:
        problems.append(f"error: --format {args.formats!r}: use csv, parquet and/or sav")
    if args.chunk_rows < 1:
        problems.append("error: --chunk-rows must be at least 1")
    options = ExportOptions(
        layout=args.layout,
        dates=args.dates,
        shift_days=args.shift_days,
        free_text="include" if args.include_free_text else "exclude",
        formats=cast(tuple[ExportFormat, ...], tuple(dict.fromkeys(formats))),
        language=args.language,
    )
    if not problems:
        problems += [f"error: {p}" for p in options.problems()]
    if problems:
        raise CommandFailure(*problems)
    return options


def _kinds(pairs: list[str]) -> dict[str, ColumnKind]:
    kinds: dict[str, ColumnKind] = {}
    for pair in pairs:
        column, sep, kind = pair.partition("=")
        if not sep or not column or kind not in COLUMN_KINDS:
            raise CommandFailure(
                f"error: --kind {pair!r}: use COLUMN=KIND with KIND one of "
                f"{', '.join(COLUMN_KINDS)}"
            )
        kinds[column] = kind
    return kinds


def read_secret(path: Path) -> bytes:
    """The study secret from ``path``, without a trailing line break."""
    if not path.is_file():
        raise CommandFailure(f"error: {path}: the secret file does not exist")
    secret = path.read_bytes().rstrip(b"\r\n")
    if len(secret) < MINIMUM_SECRET_BYTES:
        raise CommandFailure(
            f"error: {path}: the secret has {len(secret)} byte(s); it needs at least "
            f"{MINIMUM_SECRET_BYTES} (for example: head -c 32 /dev/urandom > {path.name})"
        )
    return secret


def read_chunks(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    """The rows of a CSV (every cell as text) or Parquet file, ``rows`` at a time."""
    file_format = format_of(path)
    if not path.is_file():
        raise CommandFailure(f"error: {path}: the file does not exist")
    if file_format == "csv":
        reader = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, chunksize=rows
        )
        with reader:
            yield from reader
        return
    for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
        yield batch.to_pandas()


def _instrument(args: argparse.Namespace, first: pd.DataFrame) -> Instrument | None:
    if args.instrument:
        return load_instrument(args.instrument, args.dirs)
    if "instrument" not in first.columns:
        return None
    ids = as_text(first["instrument"]).dropna().unique()
    versions: list[str] = []
    if "instrument_version" in first.columns:
        versions = [str(v) for v in as_text(first["instrument_version"]).dropna().unique()]
    if len(ids) != 1 or len(versions) > 1:
        raise CommandFailure(
            "error: the data do not name one instrument; choose it with --instrument ID@VERSION"
        )
    ref = f"{ids[0]}@{versions[0]}" if len(versions) else str(ids[0])
    return load_instrument(ref, args.dirs)


def _run(args: argparse.Namespace) -> int:
    options = _options(args)
    kinds = _kinds(args.kinds)
    secret = read_secret(args.secret_file)
    try:
        chunks = read_chunks(args.data, args.chunk_rows)
        first = next((chunk for chunk in chunks if len(chunk)), None)
        if first is None:
            raise CommandFailure(f"error: {args.data}: the file has no rows")
        instrument = _instrument(args, first)
        result = export_research_data(
            itertools.chain([first], chunks),
            secret=secret,
            out=args.out,
            options=options,
            instrument=instrument,
            column_kinds=kinds,
            source=args.data.name,
        )
    except ExportInputError as exc:
        raise CommandFailure(*(f"error: {p}" for p in exc.problems)) from None
    except SecretError as exc:
        raise CommandFailure(f"error: {exc}") from None
    except (OSError, ValueError, pd.errors.ParserError, pa.ArrowException) as exc:
        raise CommandFailure(f"error: {args.data}: cannot read the file: {exc}") from None
    rows = result.codebook["rows"]
    names = ", ".join(path.name for path in result.files.values())
    print(f"{rows['input']} rows in, {rows['output']} rows out -> {result.folder}: {names}")
    return 0
