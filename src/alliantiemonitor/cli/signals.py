"""``alliantiemonitor signals``: the warning signals of every trajectory in a file of answers."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from alliantiemonitor.core.datafile import InstrumentError
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.registry import default_registry, parse_ref
from alliantiemonitor.core.scoring import AnswerError, characteristic_keys
from alliantiemonitor.core.signals import (
    SignalInputError,
    detect_signals,
    scores_from_answers,
)

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

DESCRIPTION = """\
Find the warning signals of every trajectory (see docs/signals.md for every rule).

INPUT is a CSV or Parquet file with one row per response, as `alliantiemonitor synth` writes it:
trajectory_id, round_index, round_date, rater (client/professional), professional_id,
after_handover, submitted, and either one column per item id (scored here with --instrument)
or one column per characteristic (direction, trust, bond, friction) of an extract that is
already scored. An optional discussed_date column enables "not discussed" (with --today).
round_index may start at 0 (as synth writes it) or 1; the output always counts from 1.

The output has one row per signal raised: trajectory_id, kind, round_index (the round at which
it was raised), last_round_index (the last round of that run in which its rule still holds;
equal to the latest round when it holds now), characteristic, rater and detail.
"""


class _Failure(Exception):
    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def register(subparsers: Any) -> None:
    """Add the ``signals`` command."""
    parser = subparsers.add_parser(
        "signals",
        help="find the warning signals per trajectory in a file of answers or scores",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", type=Path, metavar="INPUT", help="a .csv or .parquet file")
    parser.add_argument(
        "--instrument",
        default="standaard",
        metavar="ID[@VERSION]",
        help="the instrument the answers belong to (default: standaard, latest version)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the signals, .csv or .parquet"
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
        "--today",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the day for 'not discussed within N days' (default: not computed)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, score when needed, detect, write; return the exit status."""
    try:
        out_format = _format_of(args.out)
        instrument = _instrument(args.instrument, args.dirs)
        frame = _read(args.input)
        scores = _scores(instrument, frame, args.input)
        try:
            signals = detect_signals(scores, today=args.today)
        except SignalInputError as exc:
            raise _Failure(f"error: {args.input}: {exc}") from None
        _write(signals, args.out, out_format)
    except _Failure as failure:
        for line in failure.lines:
            print(line, file=sys.stderr)
        return 1
    trajectories = scores["trajectory_id"].nunique()
    print(
        f"{len(signals)} signal(s) in {signals['trajectory_id'].nunique()} of {trajectories} "
        f"trajectories -> {args.out}"
    )
    return 0


def _format_of(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise _Failure(
            f"error: {path}: unknown file type '{path.suffix}'; use .csv or .parquet"
        ) from None


def _instrument(ref: str, dirs: list[str]) -> Instrument:
    try:
        return default_registry(dirs).get(*parse_ref(ref))
    except KeyError as exc:
        raise _Failure(f"error: {exc.args[0]}") from None
    except ValueError as exc:
        raise _Failure(f"error: {exc}") from None
    except InstrumentError as exc:
        raise _Failure(*(f"error: {p}" for p in exc.problems)) from None


def _read(path: Path) -> pd.DataFrame:
    file_format = _format_of(path)
    if not path.is_file():
        raise _Failure(f"error: {path}: the file does not exist")
    try:
        if file_format == "csv":
            return pd.read_csv(path, low_memory=False)
        return pd.read_parquet(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise _Failure(f"error: {path}: cannot read the file: {exc}") from None


def _scores(instrument: Instrument, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The scores table: scored from the items when the file has them, else read as it is."""
    keys = list(characteristic_keys(instrument))
    has_items = any(i.id in frame.columns for i in instrument.items)
    if has_items:
        try:
            scores = scores_from_answers(instrument, frame.reset_index(drop=True))
        except AnswerError as exc:
            lines = [
                f"{path}: data row {int(p.row) + 1}, column {p.column}: {p.message}"  # type: ignore[call-overload]
                for p in sorted(exc.problems, key=lambda p: (int(p.row), p.column))[:20]  # type: ignore[call-overload]
            ]
            raise _Failure(
                *lines, f"{len(exc.problems)} invalid answer(s); nothing written"
            ) from None
        except SignalInputError as exc:
            raise _Failure(f"error: {path}: {exc}") from None
    elif any(k in frame.columns for k in keys):
        scores = frame
    else:
        example = ", ".join(i.id for i in instrument.items[:3])
        raise _Failure(
            f"error: {path}: neither item columns of {instrument.ref} (like {example}, …) "
            f"nor characteristic columns ({', '.join(keys)}) are in the file"
        )
    if "round_index" in scores.columns:
        index = pd.to_numeric(scores["round_index"], errors="coerce")
        if index.isna().any():
            raise _Failure(f"error: {path}: round_index must hold whole numbers")
        if len(index) and index.min() == 0:
            scores = scores.assign(round_index=index.astype("int64") + 1)
    return scores


def _write(frame: pd.DataFrame, out: Path, out_format: str) -> None:
    folder = out.parent if str(out.parent) else Path()
    if not folder.is_dir():
        raise _Failure(f"error: {out}: the folder {folder} does not exist")
    if out_format == "csv":
        frame.to_csv(out, index=False, lineterminator="\n")
    else:
        frame.to_parquet(out, index=False)
