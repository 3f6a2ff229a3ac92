"""``alliantiemonitor signals``: the warning signals of every trajectory in a file of answers."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from alliantiemonitor.cli.files import (
    CommandFailure,
    format_of,
    load_instrument,
    read_table,
    write_table,
)
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.scoring import AnswerError, characteristic_keys
from alliantiemonitor.core.signals import (
    SignalInputError,
    detect_signals,
    scores_from_answers,
)

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
        out_format = format_of(args.out)
        instrument = load_instrument(args.instrument, args.dirs)
        frame = read_table(args.input)
        scores = _scores(instrument, frame, args.input)
        try:
            signals = detect_signals(scores, today=args.today)
        except SignalInputError as exc:
            raise CommandFailure(f"error: {args.input}: {exc}") from None
        write_table(signals, args.out, out_format)
    except CommandFailure as failure:
        return failure.report()
    trajectories = scores["trajectory_id"].nunique()
    print(
        f"{len(signals)} signal(s) in {signals['trajectory_id'].nunique()} of {trajectories} "
        f"trajectories -> {args.out}"
    )
    return 0


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
            raise CommandFailure(
                *lines, f"{len(exc.problems)} invalid answer(s); nothing written"
            ) from None
        except SignalInputError as exc:
            raise CommandFailure(f"error: {path}: {exc}") from None
    elif any(k in frame.columns for k in keys):
        scores = frame
    else:
        example = ", ".join(i.id for i in instrument.items[:3])
        raise CommandFailure(
            f"error: {path}: neither item columns of {instrument.ref} (like {example}, …) "
            f"nor characteristic columns ({', '.join(keys)}) are in the file"
        )
    if "round_index" in scores.columns:
        index = pd.to_numeric(scores["round_index"], errors="coerce")
        if index.isna().any():
            raise CommandFailure(f"error: {path}: round_index must hold whole numbers")
        if len(index) and index.min() == 0:
            scores = scores.assign(round_index=index.astype("int64") + 1)
    return scores
