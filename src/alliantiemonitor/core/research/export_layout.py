"""The columns of an export, and the wide layout: one row per round, both parties side by side.

The long table has a row per response. The wide layout joins the client's and the professional's
row of a round (``trajectory_id`` × ``round_index``): the round's columns once, then per rater
its response columns (prefixed ``client_`` / ``professional_``) and its items, whose ids already
name the rater. A column that differs between the two rows of a round is not the round's and is
refused. The rows of a round must be adjacent in the input; :func:`whole_rounds` re-cuts the
chunks so that no round is split between two of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from alliantiemonitor.core.instrument import RATERS, Item, as_rater
from alliantiemonitor.core.research.export_columns import ColumnKind, ExportInputError

ROUND_KEY = ("trajectory_id", "round_index")
RATER_COLUMN = "rater"
#: In the wide layout these belong to one party's response, not to the round.
RESPONSE_COLUMNS = frozenset(
    {
        "response_id",
        "submitted",
        "submitted_at",
        "started_at",
        "mode",
        "remark",
        "remarks",
        "comment",
        "comments",
        "note",
        "notes",
        "explanation",
    }
)


@dataclass(frozen=True)
class Variable:
    """One output column: where it comes from and what it holds."""

    name: str
    source: str
    kind: ColumnKind
    #: Text for coarsened dates (``YYYY-MM``), a date for shifted ones; else from the kind.
    arrow_type: pa.DataType
    rater: str | None = None
    item: Item | None = None


def wide_variables(
    long_variables: list[Variable], *, extra: frozenset[str] = frozenset()
) -> list[Variable]:
    """The wide layout's columns: the round's, then per rater its response columns and items.

    ``extra`` names more response columns than :data:`RESPONSE_COLUMNS`.
    """
    response = RESPONSE_COLUMNS | extra
    round_level = [
        v
        for v in long_variables
        if v.kind != "item" and v.name not in response and v.name != RATER_COLUMN
    ]
    per_rater: list[Variable] = []
    for rater in RATERS:
        for v in long_variables:
            if v.name in response:
                per_rater.append(
                    Variable(f"{rater}_{v.name}", v.source, v.kind, v.arrow_type, rater, None)
                )
        per_rater += [v for v in long_variables if v.kind == "item" and v.rater == rater]
    return round_level + per_rater


def to_wide(frame: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """One row per round: the round's columns once, each rater's response beside them."""
    raters = frame[RATER_COLUMN]
    unknown = sorted({str(r) for r in raters.dropna().unique()} - set(RATERS))
    if unknown or raters.isna().any():
        found = ", ".join(unknown) or "an empty rater"
        raise ExportInputError([f"column {RATER_COLUMN}: {found} is not client or professional"])
    key = list(ROUND_KEY)
    rounds = frame[key].drop_duplicates().reset_index(drop=True)
    index = pd.MultiIndex.from_frame(rounds)
    out: dict[str, Any] = {}
    round_vars = [v for v in variables if v.rater is None]
    sides = {}
    for rater in RATERS:
        rows = frame[(raters == rater).to_numpy()]
        if rows.duplicated(key).any():
            raise ExportInputError(
                [f"{int(rows.duplicated(key).sum())} round(s) hold more than one {rater} row"]
            )
        sides[rater] = rows.set_index(key).reindex(index)
    for v in round_vars:
        if v.name in key:
            out[v.name] = rounds[v.name].to_numpy()
            continue
        first, second = (sides[r][v.name].reset_index(drop=True) for r in RATERS)
        both = first.notna() & second.notna()
        if (first[both] != second[both]).any():
            raise ExportInputError(
                [
                    f"column {v.name}: differs between the client's and the professional's row "
                    "of a round; name it as a response column or export the long layout"
                ]
            )
        out[v.name] = first.where(first.notna(), second).to_numpy()
    for v in variables:
        if v.rater is not None:
            side = sides[as_rater(v.rater)]
            out[v.name] = side[v.source].reset_index(drop=True).to_numpy()
    return pd.DataFrame(out)


def whole_rounds(chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Re-cut the chunks so that no round is split: the last round waits for the next chunk."""
    carry: pd.DataFrame | None = None
    for chunk in chunks:
        if carry is not None and len(carry):
            chunk = pd.concat([carry, chunk], ignore_index=True)
        if not len(chunk):
            carry = chunk
            continue
        if any(c not in chunk.columns for c in ROUND_KEY):
            yield chunk  # the plan reports the missing columns
            carry = None
            continue
        same = np.ones(len(chunk), dtype=bool)
        for column in ROUND_KEY:
            text = chunk[column].astype(str).to_numpy(dtype=object)
            same &= text == text[-1]
        start = len(chunk)
        while start > 0 and same[start - 1]:
            start -= 1
        carry = chunk.iloc[start:].reset_index(drop=True)
        if start:
            yield chunk.iloc[:start].reset_index(drop=True)
    if carry is not None and len(carry):
        yield carry


def remember_rounds(wide: pd.DataFrame, seen: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Add the rounds of ``wide`` to ``seen`` (sorted 64-bit hashes); refuse a round seen before.

    A round seen in an earlier chunk means its rows were not adjacent in the input, which would
    give it two wide rows. Eight bytes per round: a million rounds take 8 MB.
    """
    hashes = pd.util.hash_pandas_object(wide[list(ROUND_KEY)], index=False).to_numpy(np.uint64)
    if len(seen):
        at = np.minimum(np.searchsorted(seen, hashes), len(seen) - 1)
        again = int((seen[at] == hashes).sum())
    else:
        again = 0
    if again:
        raise ExportInputError(
            [
                f"{again} round(s) appear in two places of the input; the wide layout needs the "
                "rows of a round next to each other (sort by trajectory and round)"
            ]
        )
    merged = np.concatenate([seen, hashes])
    merged.sort()
    return merged
