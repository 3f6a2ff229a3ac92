"""Item data and the mapping of items to scales, checked before any analysis runs.

Item data: one row per response, one column per item; other columns pass through untouched.
A mapping names, per scale, its item columns, the items that are reverse-keyed, and the answer
range used to reverse them (``min + max - answer``). A mapping comes from a YAML/JSON file
(:func:`read_mapping`) or from an instrument (:func:`mapping_from_instrument`: its
characteristics are the scales, one rater's items the items).

:func:`prepare` checks the data against the mapping and collects every problem into one
:class:`AnalysisInputError`, so a researcher fixes the file once instead of once per problem.

Missing answers: ``listwise`` (the default, as SPSS) uses per scale only the rows that answered
every item of that scale; ``pairwise`` (as pingouin) uses per pair of items every row that
answered both. Every result says which was used and the n it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from alliantiemonitor.core.datafile import read_data_file
from alliantiemonitor.core.instrument import Instrument, Rater
from alliantiemonitor.core.scoring import row_positions

MissingPolicy = Literal["listwise", "pairwise"]
MISSING_POLICIES: tuple[MissingPolicy, ...] = get_args(MissingPolicy)

#: At most this many offending rows are named per problem; the rest are counted.
_SHOWN_ROWS = 5


class AnalysisInputError(ValueError):
    """The data or the mapping cannot be analysed; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ScaleSpec:
    """One scale: its item columns in order and which of them are reverse-keyed."""

    name: str
    items: tuple[str, ...]
    reverse: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ScaleMapping:
    """Scales with their items, and the answer range (needed to reverse-key items)."""

    scales: tuple[ScaleSpec, ...]
    minimum: float | None = None
    maximum: float | None = None
    #: Where the mapping came from (a file name or ``instrument id@version, rater``).
    source: str = ""

    def as_dict(self) -> dict[str, list[str]]:
        """``{scale: [item, …]}``, the plain form other analyses take."""
        return {scale.name: list(scale.items) for scale in self.scales}

    @property
    def items(self) -> tuple[str, ...]:
        """Every item column named by any scale, first appearance first."""
        return tuple(dict.fromkeys(item for scale in self.scales for item in scale.items))

    @property
    def reverse(self) -> frozenset[str]:
        return frozenset(item for scale in self.scales for item in scale.reverse)

    def scale(self, name: str) -> ScaleSpec:
        for scale in self.scales:
            if scale.name == name:
                return scale
        raise KeyError(name)


def mapping_from_instrument(instrument: Instrument, rater: Rater) -> ScaleMapping:
    """Scales = the instrument's characteristics, items = ``rater``'s items of each."""
    scales = []
    for characteristic in instrument.characteristics:
        items = instrument.items_of(characteristic.key, rater)
        if items:
            scales.append(
                ScaleSpec(
                    name=characteristic.key,
                    items=tuple(i.id for i in items),
                    reverse=frozenset(i.id for i in items if i.reverse),
                )
            )
    return ScaleMapping(
        scales=tuple(scales),
        minimum=instrument.scale.minimum,
        maximum=instrument.scale.maximum,
        source=f"{instrument.ref}, {rater}",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string_list(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return list(value)
    return None


def parse_mapping(data: object, *, source: str = "mapping") -> ScaleMapping:
    """Turn plain data (parsed YAML/JSON) into a :class:`ScaleMapping`.

    The shape::

        answer_range: {min: 1, max: 5}       # required when any item is reverse-keyed
        scales:
          trust: [t1, t2, t3]                # the short form
          friction:
            items: [f1, f2, f3]
            reverse: [f3]                    # optional, a subset of items

    Raises :class:`AnalysisInputError` listing every problem.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise AnalysisInputError([f"{source}: expected a mapping with 'scales'"])
    unknown = sorted(str(key) for key in data if key not in {"scales", "answer_range"})
    if unknown:
        problems.append(
            f"{source}: unknown key(s) {', '.join(unknown)} (known: scales, answer_range)"
        )
    minimum: float | None = None
    maximum: float | None = None
    answer_range = data.get("answer_range")
    if answer_range is not None:
        if (
            not isinstance(answer_range, dict)
            or set(answer_range) != {"min", "max"}
            or not all(_is_number(answer_range[key]) for key in ("min", "max"))
        ):
            problems.append(f"{source}: answer_range must be {{min: number, max: number}}")
        elif answer_range["min"] >= answer_range["max"]:
            problems.append(f"{source}: answer_range min must be below max")
        else:
            minimum, maximum = float(answer_range["min"]), float(answer_range["max"])
    raw_scales = data.get("scales")
    scales: list[ScaleSpec] = []
    if not isinstance(raw_scales, dict) or not raw_scales:
        problems.append(f"{source}: 'scales' must map each scale name to its item columns")
        raw_scales = {}
    for name, spec in raw_scales.items():
        where = f"{source}: scale {name!r}"
        reverse: list[str] = []
        if isinstance(spec, dict):
            extra = sorted(str(key) for key in spec if key not in {"items", "reverse"})
            if extra:
                problems.append(
                    f"{where}: unknown key(s) {', '.join(extra)} (known: items, reverse)"
                )
            items = _string_list(spec.get("items"))
            reverse_list = _string_list(spec.get("reverse", []))
            if reverse_list is None:
                problems.append(f"{where}: 'reverse' must be a list of item columns")
            else:
                reverse = reverse_list
        else:
            items = _string_list(spec)
        if items is None:
            problems.append(f"{where}: the items must be a list of column names")
            continue
        duplicates = sorted({item for item in items if items.count(item) > 1})
        if duplicates:
            problems.append(f"{where}: item(s) listed twice: {', '.join(duplicates)}")
        stray = [item for item in reverse if item not in items]
        if stray:
            problems.append(f"{where}: reverse-keyed item(s) not in its items: {', '.join(stray)}")
        if len(set(items)) < 2:
            problems.append(f"{where}: has {len(set(items))} item(s); a scale needs at least 2")
        scales.append(ScaleSpec(str(name), tuple(dict.fromkeys(items)), frozenset(reverse)))
    if any(scale.reverse for scale in scales) and minimum is None and answer_range is None:
        problems.append(f"{source}: reverse-keyed items need answer_range {{min, max}}")
    if problems:
        raise AnalysisInputError(problems)
    return ScaleMapping(tuple(scales), minimum, maximum, source)


def read_mapping(path: str | Path) -> ScaleMapping:
    """Read a mapping from a YAML or JSON file (see :func:`parse_mapping` for the shape)."""
    data, problems = read_data_file(path)
    if problems:
        raise AnalysisInputError(str(problem) for problem in problems)
    return parse_mapping(data, source=Path(path).name)


def _rows(labels: Sequence[object]) -> str:
    shown = ", ".join(str(label) for label in labels[:_SHOWN_ROWS])
    more = len(labels) - _SHOWN_ROWS
    return f"{shown} and {more} more" if more > 0 else shown


@dataclass(frozen=True)
class PreparedData:
    """Item scores ready for analysis: numeric, reverse-keyed, checked.

    ``items`` holds one float column per mapped item (NaN = not answered), already reversed
    where the mapping says so, with the row labels of the input. ``groups`` is the group column
    as text (missing groups dropped from grouped results), or ``None``.
    """

    items: pd.DataFrame
    mapping: ScaleMapping
    missing: MissingPolicy
    groups: pd.Series | None = None
    group_column: str | None = None


def _numeric(column: pd.Series, name: str, problems: list[str]) -> pd.Series:
    if column.dtype.kind in "iuf":
        return column.astype(np.float64)
    if column.dtype.kind == "b":
        problems.append(f"column {name}: holds true/false, not answers")
        return pd.Series(np.nan, index=column.index)
    text = column.astype("string").str.strip()
    blank = column.isna() | (text == "")
    converted = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = converted.isna() & ~blank
    if bad.any():
        examples = ", ".join(repr(v) for v in column[bad].astype(str).unique()[:3])
        problems.append(
            f"column {name}: not a number in row(s) {_rows(list(column.index[bad]))} "
            f"(found {examples})"
        )
    return converted.astype(np.float64)


def prepare(
    frame: pd.DataFrame,
    mapping: ScaleMapping,
    *,
    missing: MissingPolicy = "listwise",
    group: str | None = None,
    rows: ArrayLike | None = None,
) -> PreparedData:
    """Check ``frame`` against ``mapping`` and return the reverse-keyed item scores.

    ``rows``, a boolean array as long as ``frame``, selects the rows to analyse (for example
    one rater's responses); the result then holds those rows with their labels. Selecting
    here rather than with ``frame[rows]`` copies only the mapped columns (and the group).

    Raises :class:`AnalysisInputError` naming every problem: no rows, a mapped column that is
    missing, non-numeric values, values outside the answer range, an item without variance
    (a constant item) or without any answer, a scale with fewer than two items, an unknown
    missing-data policy or group column. Nothing in ``frame`` is changed.
    """
    problems: list[str] = []
    positions = None if rows is None else row_positions(rows, len(frame))
    index = frame.index if positions is None else frame.index[positions]
    if missing not in MISSING_POLICIES:
        problems.append(f"missing-data handling {missing!r} is unknown (use listwise or pairwise)")
    if len(index) == 0:
        problems.append("the data have no rows")
    for scale in mapping.scales:
        if len(scale.items) < 2:
            problems.append(f"scale {scale.name}: has {len(scale.items)} item(s); needs at least 2")
    absent = [item for item in mapping.items if item not in frame.columns]
    if absent:
        problems.append(f"the mapping names column(s) not in the data: {', '.join(absent)}")
    if group is not None and group not in frame.columns:
        problems.append(f"the group column {group!r} is not in the data")
    names = [name for name in mapping.items if name in frame.columns]
    # One item per row of ``stacked``: its transpose is the column-major block pandas keeps,
    # so the frame is made without another copy, and a scale's items (listed one after the
    # other) are a slice of it. Float columns go in with one NumPy copy (selecting the rows
    # on the way); other columns are parsed first.
    stacked = np.empty((len(names), len(index)), dtype=np.float64)
    for position, name in enumerate(names):
        if int((frame.columns == name).sum()) > 1:
            problems.append(f"column {name}: appears more than once in the data")
            continue
        column = frame[name]
        if column.dtype != np.float64:
            selected = column if positions is None else column.iloc[positions]
            parsed = _numeric(selected, name, problems)
            stacked[position] = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        elif positions is None:
            stacked[position] = column.to_numpy()
        else:
            # "clip": the positions are valid; the default mode buffers ``out`` (5x slower).
            np.take(column.to_numpy(), positions, out=stacked[position], mode="clip")
    if problems:
        raise AnalysisInputError(problems)

    low, high = mapping.minimum, mapping.maximum
    # Two reductions per item (the smallest and largest answer, NaN skipped) answer every
    # check; the rows are only looked for when a check fails.
    for array, name in zip(stacked, names, strict=True):
        smallest, largest = np.fmin.reduce(array), np.fmax.reduce(array)
        if math.isnan(smallest):
            problems.append(f"column {name}: has no answers")
        elif low is not None and high is not None and (smallest < low or largest > high):
            outside = (array < low) | (array > high)
            problems.append(
                f"column {name}: value(s) outside the answer range {low:g}–{high:g} in "
                f"row(s) {_rows(list(index[outside]))}"
            )
        elif smallest == largest:
            problems.append(
                f"column {name}: is constant (every answer is {smallest:g}); "
                "a constant item carries no information"
            )
    if problems:
        raise AnalysisInputError(problems)

    if mapping.reverse:
        # parse_mapping refuses reverse-keyed items without the range.
        assert low is not None
        assert high is not None
        for name in mapping.reverse:
            flipped = stacked[names.index(name)]
            np.subtract(low + high, flipped, out=flipped)
    scores = pd.DataFrame(stacked.T, index=index, columns=names, copy=False)
    groups = None
    if group is not None:
        chosen = frame[group] if positions is None else frame[group].iloc[positions]
        groups = chosen.astype("string")
    return PreparedData(scores, mapping, missing, groups, group)
