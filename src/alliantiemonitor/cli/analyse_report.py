"""``alliantiemonitor analyse report``: the whole study report, stamped so it can be reproduced.

The command reads the responses (and, when given, the trajectories table) once, checks them
(every problem listed, exit status 1, nothing written), runs every section of
:data:`alliantiemonitor.core.research.report.SECTIONS` and writes one JSON or HTML document.
Its ``reproducibility`` block holds the SHA-256 of every input file, the software and
instrument versions, the seed, the handling of missing answers and the time of the run; a
rerun on the same files with the same seed gives the same document except ``run_at``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from alliantiemonitor.cli.files import (
    CommandFailure,
    file_sha256,
    load_instrument,
    read_table,
    software_versions,
)
from alliantiemonitor.cli.report_html import render_report
from alliantiemonitor.cli.score import RATER_COLUMN, RATER_SPELLINGS
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.data import (
    MISSING_POLICIES,
    AnalysisInputError,
    ScaleMapping,
    read_mapping,
)
from alliantiemonitor.core.research.report import prepare_study, section_status, study_sections

OUTPUT_FORMATS = ("json", "html")
DEFAULT_SEED = 1

MISSING_DESCRIPTIONS = {
    "listwise": "listwise: per scale, only rows that answered every item (as SPSS); every "
    "model uses the rows complete on its own columns",
    "pairwise": "pairwise: each covariance over the rows that answered both items (as "
    "pingouin); every model uses the rows complete on its own columns",
}

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
versions, the seed and the time of the run. PDF is not produced (print the HTML page).
"""


def register_report(kinds: Any) -> None:
    """Add ``analyse report`` to the ``analyse`` sub-commands."""
    parser = kinds.add_parser(
        "report",
        help="the full study report (HTML or JSON), stamped for reproduction",
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
    parser.add_argument("--format", dest="output_format", metavar="json|html")
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
        text = to_json(report) if args.output_format == "json" else render_report(report)
        _write(text, args.out)
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
        problems.append("error: --format must be json or html")
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
    sections = study_sections(study)
    return {
        "title": "Study report",
        "reproducibility": {
            "inputs": [
                {"role": role, "file": path.name, "sha256": file_sha256(path)}
                for role, path in files
            ],
            "software": software_versions(),
            "instrument": (
                {"id": instrument.id, "version": instrument.version} if instrument else None
            ),
            "mapping": args.mapping.name if mapping else None,
            "seed": seed,
            "group": args.group,
            "missing": args.missing,
            "missing_description": MISSING_DESCRIPTIONS[args.missing],
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "status": section_status(sections),
        "sections": sections,
    }


def to_json(report: Mapping[str, Any]) -> str:
    """The report as JSON text; a NaN that slipped through is a bug, so it fails loudly."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandFailure(f"error: {out}: cannot write the file: {exc.strerror}") from None
