"""``alliantiemonitor synth``: synthetic responses in long format for demos, tests, benchmarks."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from alliantiemonitor.cli.files import FORMATS
from alliantiemonitor.core.datafile import InstrumentError
from alliantiemonitor.core.registry import default_registry, parse_ref
from alliantiemonitor.core.synth import DEFAULT_DOMAINS, generate


def register(subparsers: Any) -> None:
    """Add the ``synth`` command."""
    parser = subparsers.add_parser(
        "synth",
        help="generate synthetic trajectories and responses (seeded, reproducible)",
        description=(
            "Generate synthetic trajectories with client and professional responses. "
            "The data and their relationships are assumptions, not research findings "
            "(see docs/synthetic-data.md). Output: one row per response, one column per item."
        ),
    )
    parser.add_argument(
        "--trajectories", type=_positive_int, default=100, metavar="N", help="default: 100"
    )
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="default: 1")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="responses in long format; .csv or .parquet",
    )
    parser.add_argument(
        "--events-out",
        type=Path,
        metavar="FILE",
        help="also write the events (handovers, no-shows, ends, ...); .csv or .parquet",
    )
    parser.add_argument(
        "--trajectories-out",
        type=Path,
        metavar="FILE",
        help="also write one row per trajectory (outcomes, time to recidivism, true course); "
        ".csv or .parquet",
    )
    parser.add_argument(
        "--instrument",
        default="standaard",
        metavar="ID[@VERSION]",
        help="instrument to answer (default: standaard, latest version)",
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
        "--domain",
        dest="domains",
        action="append",
        metavar="DOMAIN",
        help=f"limit to this domain (may be repeated; default: {', '.join(DEFAULT_DOMAINS)})",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date(2025, 1, 6),
        metavar="YYYY-MM-DD",
        help="earliest trajectory start (default: 2025-01-06)",
    )
    parser.add_argument(
        "--submitted-only",
        action="store_true",
        help="leave out the rows of a party that skipped a round",
    )
    parser.set_defaults(func=_run)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if _format(path) == "parquet":
        frame.to_parquet(path, index=False)
    else:
        # %g writes answers as 1..5 instead of 1.0..5.0; missing answers stay empty.
        frame.to_csv(path, index=False, float_format="%g", lineterminator="\n")


def _run(args: argparse.Namespace) -> int:
    for path in (args.out, args.events_out, args.trajectories_out):
        if path is not None and _format(path) is None:
            print(f"error: {path}: use a .csv or .parquet file name", file=sys.stderr)
            return 2
    try:
        instrument_id, version = parse_ref(args.instrument)
        instrument = default_registry(args.dirs).get(instrument_id, version)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 1
    except InstrumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    data = generate(
        instrument,
        trajectories=args.trajectories,
        seed=args.seed,
        domains=tuple(args.domains) if args.domains else DEFAULT_DOMAINS,
        start=args.start,
    )
    long = data.to_long(submitted_only=args.submitted_only)
    _write(long, args.out)
    if args.events_out is not None:
        _write(data.events, args.events_out)
    if args.trajectories_out is not None:
        _write(data.trajectories, args.trajectories_out)
    print(
        f"{len(long)} rows, {len(data.trajectories)} trajectories, {len(data.rounds)} rounds "
        f"({instrument.ref}, seed {args.seed}) -> {args.out}"
    )
    return 0
