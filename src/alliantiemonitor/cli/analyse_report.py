"""``alliantiemonitor analyse report``: the whole study report, stamped so it can be reproduced.

The command reads the responses (and, when given, the trajectories table) once, checks them
(every problem listed, exit status 1, nothing written), runs every section of
:data:`alliantiemonitor.core.research.report.SECTIONS` and writes one JSON, HTML or PDF
document (built by :mod:`alliantiemonitor.core.research.report_document`, as the research app's
study report is). Its ``reproducibility`` block holds the SHA-256 of every input file, the
software and instrument versions, the seed, the handling of missing answers and the time of
the run; a rerun on the same files with the same seed gives the same document except ``run_at``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from alliantiemonitor.cli.files import CommandFailure, load_instrument, read_table
from alliantiemonitor.cli.score import RATER_COLUMN, RATER_SPELLINGS
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.data import (
    MISSING_POLICIES,
    AnalysisInputError,
    ScaleMapping,
    read_mapping,
)
from alliantiemonitor.core.research.report import prepare_study
from alliantiemonitor.core.research.report_document import report_document, reproducibility
from alliantiemonitor.core.research.report_html import render_report
from alliantiemonitor.core.research.report_pdf import PdfUnavailable, html_to_pdf
from alliantiemonitor.core.research.report_text import DEFAULT_LANGUAGE, LANGUAGES
from alliantiemonitor.core.research.stamp import file_sha256

OUTPUT_FORMATS = ("json", "html", "pdf")
DEFAULT_SEED = 1

DESCRIPTION = """\
The full study report of one data set: data description, reliability per scale and rater,
factor structure (CFA) and, with --group, measurement invariance, client-professional
agreement, reliable-change patterns, trajectory classes (with the adjusted Rand index against
a 'course' column when there is one), a logistic regression of a premature negative end and,
with --trajectories holding recidivism_months and recidivism_observed, Kaplan-Meier curves by
alliance tertile and a Cox regression. A section that cannot be estimated says why; the
others still run.

--data is a CSV or Parquet file with one row per response (as 'alliantiemonitor synth' writes);
--trajectories one row per trajectory ('alliantiemonitor synth --trajectories-out FILE').
The report is stamped with the SHA-256 of every input file, the software and instrument
versions, the seed and the time of the run. --format pdf writes the HTML page as a PDF
(needs --out; WeasyPrint and the system's Pango). The page is in Dutch unless
--language en; the JSON keeps its English keys and values in either language.
"""


def register_report(kinds: Any) -> None:
    """Add ``analyse report`` to the ``analyse`` sub-commands."""
    parser = kinds.add_parser(
        "report",
        help="the full study report (HTML, PDF or JSON), stamped for reproduction",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, metavar="FILE", help=".csv or .parquet")
    parser.add_argument("--instrument", metavar="ID[@VERSION]", help="e.g. standaard")
    parser.add_argument("--mapping", type=Path, metavar="FILE", help=".yaml or .json")
    parser.add_argument(
        "--trajectories", type=Path, metavar="FILE", help="one row per trajectory (.csv/.parquet)"
    )
    parser.add_argument(
        "--seed", default=str(DEFAULT_SEED), metavar="N", help=f"default: {DEFAULT_SEED}"
    )
    parser.add_argument("--group", metavar="COLUMN", help="reliability and invariance per group")
    parser.add_argument(
        "--missing", default="listwise", metavar="listwise|pairwise", help="default: listwise"
    )
    parser.add_argument("--format", dest="output_format", metavar="json|html|pdf")
    parser.add_argument(
        "--language",
        default=DEFAULT_LANGUAGE,
        metavar="nl|en",
        help=f"language of the HTML or PDF page (default: {DEFAULT_LANGUAGE})",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    parser.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the instruments in this folder (may be repeated)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the report; return the exit status."""
    try:
        seed = _check_arguments(args)
        report = build(args, seed)
        if args.output_format == "json":
            _write(to_json(report), args.out)
        elif args.output_format == "html":
            _write(render_report(report, language=args.language), args.out)
        else:
            _write(_pdf(render_report(report, language=args.language)), args.out)
    except CommandFailure as failure:
        return failure.report()
    return 0


def _check_arguments(args: argparse.Namespace) -> int:
    problems = []
    if args.data is None:
        problems.append("error: --data FILE is required")
    if (args.mapping is None) == (args.instrument is None):
        problems.append("error: give either --instrument ID or --mapping FILE")
    if args.output_format not in OUTPUT_FORMATS:
        problems.append("error: --format must be json, html or pdf")
    if args.output_format == "pdf" and args.out is None:
        problems.append("error: --format pdf needs --out FILE")
    if args.language not in LANGUAGES:
        problems.append("error: --language must be nl or en")
    if args.missing not in MISSING_POLICIES:
        problems.append("error: --missing must be listwise or pairwise")
    seed = 0
    try:
        seed = int(args.seed)
        if seed < 0:
            raise ValueError
    except ValueError:
        problems.append(f"error: --seed must be a whole number of 0 or more, not {args.seed!r}")
    if args.out is not None and not (args.out.parent if str(args.out.parent) else Path()).is_dir():
        problems.append(f"error: {args.out}: the folder {args.out.parent} does not exist")
    if problems:
        raise CommandFailure(*problems)
    return seed


def _read(path: Path) -> pd.DataFrame:
    if path.is_file() and path.stat().st_size == 0:
        raise CommandFailure(f"error: {path}: the file is empty")
    frame = read_table(path)
    # Rows are counted from 1 under the header in every message.
    return frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis=0)


def _spell_raters(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Spell the rater column the one way the core reads it; refuse values that name no rater."""
    if RATER_COLUMN not in frame.columns:
        raise CommandFailure(f"error: {path}: no column {RATER_COLUMN} (client or professional)")
    spelled = frame[RATER_COLUMN].astype("string").str.strip().str.lower()
    raters = spelled.map(RATER_SPELLINGS)
    bad = raters.isna().to_numpy()
    if bad.any():
        shown = ", ".join(str(row) for row in frame.index[bad][:5])
        raise CommandFailure(
            f"error: {path}: column {RATER_COLUMN}: row(s) {shown} name no rater "
            "(client or professional)"
        )
    return frame.assign(**{RATER_COLUMN: raters.astype(str)})


def build(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Read, check and analyse; the report as plain data."""
    frame = _read(args.data)
    instrument: Instrument | None = None
    mapping: ScaleMapping | None = None
    files: list[tuple[str, Path]] = [("data", args.data)]
    try:
        if args.instrument is not None:
            instrument = load_instrument(args.instrument, args.dirs)
            frame = _spell_raters(frame, args.data)
            if instrument.source and Path(instrument.source).is_file():
                files.append(("instrument", Path(instrument.source)))
        else:
            mapping = read_mapping(args.mapping)
            files.append(("mapping", args.mapping))
        trajectories = None
        if args.trajectories is not None:
            trajectories = _read(args.trajectories)
            files.append(("trajectories", args.trajectories))
        if args.group is not None and args.group not in frame.columns:
            raise AnalysisInputError([f"--group: the data have no column {args.group!r}"])
        study = prepare_study(
            frame,
            instrument=instrument,
            mapping=mapping,
            trajectories=trajectories,
            seed=seed,
            group=args.group,
            missing=args.missing,
        )
    except AnalysisInputError as exc:
        raise CommandFailure(*(f"error: {problem}" for problem in exc.problems)) from None
    stamp = reproducibility(
        inputs=[
            {"role": role, "file": path.name, "sha256": file_sha256(path)} for role, path in files
        ],
        instrument=instrument,
        mapping_name=args.mapping.name if mapping else None,
        seed=seed,
        group=args.group,
        missing=args.missing,
    )
    return report_document(study, stamp)


def _pdf(page: str) -> bytes:
    try:
        return html_to_pdf(page)
    except PdfUnavailable as exc:
        raise CommandFailure(f"error: --format pdf: {exc}") from None


def to_json(report: Mapping[str, Any]) -> str:
    """The report as JSON text; a NaN that slipped through is a bug, so it fails loudly."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write(content: str | bytes, out: Path | None) -> None:
    if out is None:
        # Only text comes here: --format pdf needs --out.
        sys.stdout.write(content if isinstance(content, str) else content.decode("utf-8"))
        return
    try:
        if isinstance(content, str):
            out.write_text(content, encoding="utf-8")
        else:
            out.write_bytes(content)
    except OSError as exc:
        raise CommandFailure(f"error: {out}: cannot write the file: {exc.strerror}") from None
