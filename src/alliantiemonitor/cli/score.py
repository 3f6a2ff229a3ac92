"""``alliantiemonitor score``: add characteristic scores to a CSV or Parquet file of answers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from alliantiemonitor.cli.files import (
    CommandFailure,
    format_of,
    load_instrument,
    read_table,
    write_table,
)
from alliantiemonitor.core.instrument import RATERS, Instrument, Rater
from alliantiemonitor.core.scoring import (
    AnswerProblem,
    characteristic_keys,
    score_frame,
    validate_answers,
)

RATER_COLUMN = "rater"
#: Spellings accepted in a ``rater`` column (compared after trimming and lower-casing).
RATER_SPELLINGS: dict[str, Rater] = {
    "client": "client",
    "cliënt": "client",
    "professional": "professional",
}

DESCRIPTION = """\
Score a file of answers: INPUT is a CSV or Parquet file (by extension) with one row per
response and one column per item id (c_direction_1, p_trust_3, …) holding 1–5, or an empty
cell for "not answered". Other columns pass through unchanged. The output is the input plus
one column per characteristic (direction, trust, bond, friction); a score is empty (NaN) when
fewer than two thirds of the characteristic's items are answered.

Which rater's items are scored:
  --rater client|professional   every row is scored with that rater's items;
                                columns: direction, trust, bond, friction
  no --rater, a 'rater' column  every row is scored with the items of the rater named in
                                that column (client or professional); same columns
  no --rater, no 'rater' column both raters whose item columns are present are scored, each
                                row with both; columns are prefixed: client_direction, …,
                                professional_friction

A value that is not on the scale (0, 6, 2.5, x) is reported as one line per problem, with its
data row (1 = the first row under the header; for CSV also the line in the file) and column;
then the command exits with 1 and writes nothing.
"""


def register(subparsers: Any) -> None:
    """Add the ``score`` command."""
    parser = subparsers.add_parser(
        "score",
        help="add characteristic scores to a CSV/Parquet file of answers",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--instrument",
        required=True,
        metavar="ID[@VERSION]",
        help="the instrument the answers belong to, e.g. standaard or standaard@1.0.0",
    )
    parser.add_argument("--rater", choices=RATERS, help="score every row as this rater (see above)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write here (.csv or .parquet); without it CSV goes to standard output",
    )
    parser.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the instruments in this folder (may be repeated)",
    )
    parser.add_argument("input", type=Path, metavar="INPUT", help="a .csv or .parquet file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score ``args.input`` and write the result; return the exit status."""
    try:
        out_format = format_of(args.out) if args.out is not None else "csv"
        instrument = load_instrument(args.instrument, args.dirs)
        # Every cell as text, so that pass-through columns come out exactly as they went in
        # (no "007" turning into 7); answers are parsed by the scoring core.
        frame = read_table(args.input, as_text=True)
        result = _score(instrument, frame, args.rater, args.input)
        _write(result, args.out, out_format)
    except CommandFailure as failure:
        return failure.report()
    return 0


def _where(path: Path, position: int) -> str:
    row = position + 1
    if format_of(path) == "csv":
        return f"data row {row} (line {row + 1})"
    return f"data row {row}"


def _position(problem: AnswerProblem) -> int:
    # The frames scored here carry their row position in the file as index label (see
    # _score), also when only the rows of one rater are passed on.
    return int(cast(int, problem.row))


def _describe(path: Path, problem: AnswerProblem) -> str:
    return f"{path}: {_where(path, _position(problem))}, column {problem.column}: {problem.message}"


def _score(
    instrument: Instrument, frame: pd.DataFrame, rater: Rater | None, path: Path
) -> pd.DataFrame:
    # Row labels become positions, so every problem can be told as "data row N".
    work = frame.reset_index(drop=True)
    keys = list(characteristic_keys(instrument))
    if rater is not None:
        _require_items(instrument, work, (rater,), path)
        scores = _score_rows(instrument, work, {rater: np.ones(len(work), dtype=bool)}, path)
        return _join(frame, scores, path)
    if RATER_COLUMN in work.columns:
        spelled = work[RATER_COLUMN].astype(str).str.strip().str.lower()
        raters = spelled.map(RATER_SPELLINGS)
        bad = np.flatnonzero(raters.isna().to_numpy())
        if bad.size:
            values = work[RATER_COLUMN].iloc[bad].tolist()
            raise CommandFailure(
                *(
                    f"{path}: {_where(path, int(p))}, column {RATER_COLUMN}: {v!r} is not "
                    "a rater (client or professional)"
                    for p, v in zip(bad, values, strict=True)
                ),
                "nothing written",
            )
        masks = {r: (raters == r).to_numpy(dtype=bool) for r in RATERS}
        _require_items(instrument, work, tuple(r for r in RATERS if masks[r].any()), path)
        return _join(frame, _score_rows(instrument, work, masks, path), path)

    present = [r for r in RATERS if _item_columns(instrument, work, r)]
    if not present:
        _require_items(instrument, work, RATERS, path)
    problems: list[AnswerProblem] = []
    for r in present:
        problems.extend(validate_answers(instrument, work, r))
    _stop_on(problems, path)
    parts = []
    for r in present:
        scores = score_frame(instrument, work, r)
        parts.append(scores.rename(columns={k: f"{r}_{k}" for k in keys}))
    return _join(frame, pd.concat(parts, axis=1), path)


def _item_columns(instrument: Instrument, frame: pd.DataFrame, rater: Rater) -> list[str]:
    return [i.id for i in instrument.items_for(rater) if i.id in frame.columns]


def _require_items(
    instrument: Instrument, frame: pd.DataFrame, raters: tuple[Rater, ...], path: Path
) -> None:
    if any(_item_columns(instrument, frame, r) for r in raters) or not raters:
        return
    example = ", ".join(i.id for i in instrument.items_for(raters[0])[:3])
    raise CommandFailure(
        f"error: {path}: none of the {' or '.join(raters)} item columns of {instrument.ref} "
        f"are in the file (expected columns like {example}, …)"
    )


def _stop_on(problems: list[AnswerProblem], path: Path) -> None:
    if problems:
        problems = sorted(problems, key=lambda p: (_position(p), p.column))
        raise CommandFailure(
            *(_describe(path, p) for p in problems),
            f"{len(problems)} invalid answer(s); nothing written",
        )


def _score_rows(
    instrument: Instrument,
    frame: pd.DataFrame,
    masks: dict[Rater, np.ndarray[Any, np.dtype[np.bool_]]],
    path: Path,
) -> pd.DataFrame:
    """Score the rows selected by each rater's mask with that rater's items.

    Every item column of the instrument is checked on every row, also the cells that this
    rater's scoring does not read: an "x" in a client item on a professional row is still a
    damaged file, and the researcher should hear of it.
    """
    problems: list[AnswerProblem] = []
    for rater in RATERS:
        problems.extend(validate_answers(instrument, frame, rater))
    problems.sort(key=lambda problem: (problem.position, problem.column))
    _stop_on(problems, path)
    keys = list(characteristic_keys(instrument))
    scores = pd.DataFrame(np.nan, index=frame.index, columns=keys)
    for rater, mask in masks.items():
        if mask.any():
            scores.loc[mask, keys] = score_frame(instrument, frame[mask], rater).to_numpy()
    return scores


def _join(frame: pd.DataFrame, scores: pd.DataFrame, path: Path) -> pd.DataFrame:
    clash = [c for c in scores.columns if c in frame.columns]
    if clash:
        raise CommandFailure(
            f"error: {path}: the file already has column(s) {', '.join(clash)}; "
            "rename or remove them first (the scores would overwrite them); nothing written"
        )
    scores.index = frame.index
    return pd.concat([frame, scores], axis=1)


def _write(frame: pd.DataFrame, out: Path | None, out_format: str) -> None:
    if out is None:
        frame.to_csv(sys.stdout, index=False)
        return
    write_table(frame, out, out_format)
