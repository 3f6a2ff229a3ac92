"""Scale scores, the alliance total and client/professional discrepancies.

The rules (INSTRUMENT.md, "Scoring"):

* item score = the answer, or ``min + max - answer`` (``6 - answer`` on the 1–5 scale) for a
  reverse-keyed item; an unanswered item ("weet ik niet / zeg ik liever niet") is missing;
* characteristic score = the mean of its item scores when at least two thirds of its items
  (of that rater) are answered, otherwise missing;
* friction is reported as it is (higher = more friction) and never folded into a total.

There are two paths that give the same numbers: :func:`score_answers` for one response (a
mapping ``{item_id: value or None}``, as stored in the database) and :func:`score_frame` /
:func:`score_array` for many responses at once (a wide DataFrame or NumPy array, as in a
research extract). The vectorised path has no Python loop over rows.

Invalid answers (0, 6, 2.5, "x", …) are never scored: they raise :class:`AnswerError`, which
lists every problem, so garbage never turns into a plausible-looking number.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from alliantiemonitor.core.instrument import CHARACTERISTIC_KEYS, Instrument, Item, Rater, Scale

#: Default share of a characteristic's items that must be answered for it to get a score.
MIN_FRACTION = 2 / 3
#: Default threshold for a mirrored pair (points on the answer scale), highlighted from here on.
PAIR_THRESHOLD = 2.0
#: Default threshold for a characteristic (difference of the two means), highlighted from here on.
CHARACTERISTIC_THRESHOLD = 1.0
#: The characteristics that make up the alliance total; friction is deliberately not one of them.
ALLIANCE_TOTAL_KEYS: tuple[str, ...] = ("direction", "trust", "bond")

# Scores are means of small integers: a difference such as 3.4 - 2.4 comes out as
# 0.9999999999999998. Threshold comparisons allow for that so "exactly 1.0" counts as 1.0.
_EPSILON = 1e-9

#: Text cells that mean "not answered" in a file (besides an empty cell).
_MISSING_TEXT = frozenset({"", "na", "nan", "n/a", "none", "null"})


@dataclass(frozen=True)
class AnswerProblem:
    """One answer cell that is not a value on the instrument's scale.

    ``row`` is the row label in the frame (its index), ``position`` the 0-based row position,
    ``column`` the item id and ``value`` what was found there.
    """

    row: Hashable
    position: int
    column: str
    value: object
    scale_min: int
    scale_max: int

    @property
    def message(self) -> str:
        return (
            f"{self.value!r} is not an answer on the scale {self.scale_min}–{self.scale_max} "
            "(leave the cell empty for 'not answered')"
        )

    def __str__(self) -> str:
        return f"row {self.row!r}, column {self.column}: {self.message}"


class AnswerError(ValueError):
    """Answers contain values that are not on the scale; ``problems`` lists each one."""

    def __init__(self, problems: Iterable[AnswerProblem]) -> None:
        self.problems: list[AnswerProblem] = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            shown += f"\n… and {more} more"
        super().__init__(f"{len(self.problems)} invalid answer(s):\n{shown}")


@dataclass(frozen=True)
class PairDiscrepancy:
    """Client versus professional on one mirrored pair of items.

    ``client_value`` / ``professional_value`` are the raw answers; ``client_score`` /
    ``professional_score`` the item scores after reverse keying, and ``difference`` is
    ``client_score - professional_score`` (``None`` when either side did not answer).
    """

    characteristic: str
    client_item: str
    professional_item: str
    client_value: int | None
    professional_value: int | None
    client_score: float | None
    professional_score: float | None
    difference: float | None
    highlight: bool


@dataclass(frozen=True)
class CharacteristicDiscrepancy:
    """Client versus professional on one characteristic: ``difference = client - professional``."""

    characteristic: str
    client: float | None
    professional: float | None
    difference: float | None
    highlight: bool


def characteristic_keys(instrument: Instrument) -> tuple[str, ...]:
    """The characteristic keys in the order of the instrument file (the score columns)."""
    return tuple(c.key for c in instrument.characteristics)


def required_answers(n_items: int, min_fraction: float = MIN_FRACTION) -> int:
    """How many of ``n_items`` must be answered for a score: 2 of 3, 3 of 4, 4 of 5, 4 of 6.

    ``min_fraction * n_items`` is rounded up, with a little tolerance so that ``2/3 * 6``
    (which a float may hold as 4.000000000000001) still asks for 4 and not 5.
    """
    if not 0 < min_fraction <= 1:
        raise ValueError(f"min_fraction must lie in (0, 1], not {min_fraction}")
    return max(1, math.ceil(min_fraction * n_items - _EPSILON))


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().lower() in _MISSING_TEXT
    # pd.NA and NaT are the other "missing" scalars a frame or a database driver may hand over.
    return value is pd.NA or value is pd.NaT


def _scale_value(value: object, scale: Scale) -> float | None:
    """The answer as a float, ``None`` when not answered; raise ValueError when not on the scale."""
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, str):
        number = float(value.strip())
    elif isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        raise ValueError(value)
    if number not in scale.values:
        raise ValueError(value)
    return number


def _parse_column(column: pd.Series, scale: Scale) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Turn one answer column into floats (NaN = not answered) and a mask of invalid cells."""
    if pd.api.types.is_bool_dtype(column.dtype):
        values = np.full(len(column), np.nan)
        return values, column.notna().to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
    else:
        # Text or mixed columns (a CSV read as text, answers from JSON): a column holds only a
        # handful of distinct values, so each distinct value is parsed once, by the same rule
        # as score_answers, and the result is spread back over the rows.
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        parsed = np.empty(len(uniques) + 1)
        bad = np.zeros(len(uniques) + 1, dtype=bool)
        for u, unique in enumerate(uniques):
            try:
                number = _scale_value(unique, scale)
            except ValueError:
                parsed[u], bad[u] = np.nan, True
            else:
                parsed[u] = np.nan if number is None else number
        parsed[-1] = np.nan  # code -1: NaN/None/NA
        return parsed[codes], bad[codes]
    valid = missing | np.isin(values, np.asarray(scale.values, dtype=np.float64))
    return np.where(valid, values, np.nan), ~valid


def _problems(
    column: pd.Series, name: str, invalid: NDArray[np.bool_], scale: Scale
) -> list[AnswerProblem]:
    positions = np.flatnonzero(invalid)
    cells = column.iloc[positions]
    return [
        AnswerProblem(
            row=label,
            position=int(pos),
            column=name,
            value=value,
            scale_min=scale.minimum,
            scale_max=scale.maximum,
        )
        for pos, label, value in zip(positions, cells.index, cells.to_list(), strict=True)
    ]


#: Answers checked per pass of :func:`_off_scale`: a block that stays in the processor's cache.
_CHECK_BLOCK = 32_768


def _off_scale(values: NDArray[np.float64], scale: Scale) -> bool:
    """Whether any answer in ``values`` (NaN = not answered) is not a value of ``scale``.

    A quick check of a whole array: per block of answers the smallest and largest (NaN
    skipped) and, for a scale of consecutive whole numbers (as 1–5), the largest fraction
    ``answer − floor(answer)``. Which cells are off is found per column
    (:func:`_parse_column`) only when this says some are.
    """
    if scale.values != tuple(range(scale.minimum, scale.maximum + 1)):
        allowed = np.asarray(scale.values, dtype=np.float64)
        return not bool((np.isnan(values) | np.isin(values, allowed)).all())
    flat = values.ravel(order="K")  # a view of the column-major block
    low, high = float(scale.minimum), float(scale.maximum)
    work = np.empty(min(flat.size, _CHECK_BLOCK))
    for start in range(0, flat.size, _CHECK_BLOCK):
        block = flat[start : start + _CHECK_BLOCK]
        fraction = work[: block.size]
        # NaN compares False, so an unanswered block passes every test.
        if np.fmin.reduce(block) < low or np.fmax.reduce(block) > high:
            return True
        np.floor(block, out=fraction)
        np.subtract(block, fraction, out=fraction)
        if np.fmax.reduce(fraction) > 0:
            return True
    return False


def read_answers(
    instrument: Instrument, frame: pd.DataFrame, rater: Rater, *, rows: ArrayLike | None = None
) -> tuple[NDArray[np.float64], list[AnswerProblem]]:
    """Read the rater's answers from ``frame``: a rows × items float array and every bad cell.

    The array has the items of ``instrument.items_for(rater)`` as columns (NaN = not answered;
    an absent column is all NaN) and is what :func:`score_array` takes. Invalid cells are NaN
    in the array and listed as problems, ordered by row and column. An item id that heads
    more than one column raises :class:`ValueError`: which of them holds the answers is
    unknowable. ``rows``, a boolean array as long as ``frame``, reads only those rows (as
    ``frame[rows]`` would, without copying the other columns); positions and labels in the
    problems are then those of the selected rows.
    """
    items = instrument.items_for(rater)
    item_ids = {item.id for item in items}
    duplicated = sorted(
        {str(name) for name in frame.columns[frame.columns.duplicated()] if name in item_ids}
    )
    if duplicated:
        raise ValueError(
            f"the frame has more than one column named {', '.join(duplicated)}; "
            "keep one column per item"
        )
    positions = None if rows is None else row_positions(rows, len(frame))
    n_rows = len(frame) if positions is None else len(positions)
    values = np.empty((n_rows, len(items)), order="F")
    problems: list[AnswerProblem] = []
    floats: list[int] = []
    for j, item in enumerate(items):
        # A missing column is a column nobody answered, not an error.
        if item.id not in frame.columns:
            values[:, j] = np.nan
            continue
        column = frame[item.id]
        if column.dtype == np.float64:
            # Float columns are copied as they are and checked together below.
            floats.append(j)
            if positions is None:
                values[:, j] = column.to_numpy()
            else:
                # "clip": the positions are valid; the default mode buffers ``out``.
                np.take(column.to_numpy(), positions, out=values[:, j], mode="clip")
            continue
        selected = column if positions is None else column.iloc[positions]
        parsed, invalid = _parse_column(selected, instrument.scale)
        values[:, j] = parsed
        if invalid.any():
            problems.extend(_problems(selected, item.id, invalid, instrument.scale))
    if floats and _off_scale(values, instrument.scale):
        for j in floats:
            column = frame[items[j].id]
            selected = column if positions is None else column.iloc[positions]
            parsed, invalid = _parse_column(selected, instrument.scale)
            if invalid.any():
                values[:, j] = parsed
                problems.extend(_problems(selected, items[j].id, invalid, instrument.scale))
    problems.sort(key=lambda p: (p.position, p.column))
    return values, problems


def row_positions(rows: ArrayLike, length: int) -> NDArray[np.intp]:
    """The positions of the rows a boolean mask of ``length`` rows selects.

    Raises :class:`ValueError` when ``rows`` is not a boolean array of that length.
    """
    mask = np.asarray(rows)
    if mask.dtype != np.bool_ or mask.shape != (length,):
        raise ValueError(f"rows must be a boolean array of the data's {length} rows")
    return np.flatnonzero(mask)


def validate_answers(
    instrument: Instrument, frame: pd.DataFrame, rater: Rater
) -> list[AnswerProblem]:
    """List every answer of ``rater`` in ``frame`` that is not missing and not a scale value.

    Only the rater's item columns are checked. An item column that is absent counts as
    "nobody answered it"; columns of the other rater and any other columns are ignored.
    Missing means NaN/None/NA or, in text columns, an empty cell or "NA". Problems are
    ordered by row, then column.
    """
    return read_answers(instrument, frame, rater)[1]


def score_array(
    instrument: Instrument,
    values: ArrayLike,
    rater: Rater,
    *,
    min_fraction: float = MIN_FRACTION,
    validate: bool = True,
) -> NDArray[np.float64]:
    """Score a rows × items array of answers; return a rows × characteristics float array.

    ``values`` holds the answers of ``rater`` with one column per item in the order of
    ``instrument.items_for(rater)`` and NaN for "not answered". The result has one column per
    characteristic in the order of :func:`characteristic_keys`, NaN where fewer than
    ``min_fraction`` of the characteristic's items are answered. Reverse-keyed items are
    scored ``min + max - answer``. With ``validate`` (the default) a value that is not on the
    scale raises :class:`AnswerError`; pass ``validate=False`` only for values already checked.
    """
    items = instrument.items_for(rater)
    # Column-major: every step below walks down one item column, which is then contiguous.
    answers = np.asarray(values, dtype=np.float64)
    if answers.ndim == 1:
        answers = answers.reshape(1, -1)
    answers = np.asfortranarray(answers)
    if answers.ndim != 2 or answers.shape[1] != len(items):
        raise ValueError(
            f"expected an array with {len(items)} columns (the {rater} items of "
            f"{instrument.ref}), got shape {answers.shape}"
        )
    scale = instrument.scale
    if validate:
        on_scale = np.isnan(answers) | np.isin(answers, np.asarray(scale.values, dtype=np.float64))
        if not on_scale.all():
            rows, cols = np.nonzero(~on_scale)
            raise AnswerError(
                AnswerProblem(
                    row=int(r),
                    position=int(r),
                    column=items[c].id,
                    value=float(answers[r, c]),
                    scale_min=scale.minimum,
                    scale_max=scale.maximum,
                )
                for r, c in zip(rows, cols, strict=True)
            )

    # The scoring below works in place: on a copy, never on the caller's array.
    return _score_in_place(instrument, answers.copy(order="F"), rater, min_fraction)


def _score_in_place(
    instrument: Instrument, answers: NDArray[np.float64], rater: Rater, min_fraction: float
) -> NDArray[np.float64]:
    """:func:`score_array` on checked answers (rows × items, column-major) that it may change.

    Reverse-keyed columns are mirrored and missing answers set to 0 in ``answers`` itself, so
    a characteristic's total is a plain sum of its columns. Answers are whole scale values,
    so every sum is exact and the scores equal a per-item sum in any order.
    """
    items = instrument.items_for(rater)
    scale = instrument.scale
    flip = scale.minimum + scale.maximum
    for j, item in enumerate(items):
        if item.reverse:
            np.subtract(flip, answers[:, j], out=answers[:, j])
    missing = np.isnan(answers)
    np.copyto(answers, 0.0, where=missing)
    keys = characteristic_keys(instrument)
    # Column-major, as the answers: each characteristic's scores are one contiguous column.
    scores = np.full((answers.shape[0], len(keys)), np.nan, order="F")
    for k, key in enumerate(keys):
        columns = [j for j, item in enumerate(items) if item.characteristic == key]
        if not columns:
            continue
        # Loop over the few item columns, never over rows: sums and counts per response.
        block = _columns(answers, columns)
        total = block.sum(axis=1)
        answered = len(columns) - _columns(missing, columns).sum(axis=1)
        enough = answered >= required_answers(len(columns), min_fraction)
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(total, answered, out=scores[:, k], where=enough)
    return scores


def _columns(array: NDArray[np.generic], columns: list[int]) -> NDArray[np.generic]:
    """``array[:, columns]``, a view when the columns are one run (as a characteristic's are)."""
    if columns == list(range(columns[0], columns[-1] + 1)):
        return array[:, columns[0] : columns[-1] + 1]
    return array[:, columns]


def score_frame(
    instrument: Instrument,
    frame: pd.DataFrame,
    rater: Rater,
    *,
    min_fraction: float = MIN_FRACTION,
    rows: ArrayLike | None = None,
) -> pd.DataFrame:
    """Score every row of a wide answers frame for ``rater`` (or the ``rows`` selected).

    ``frame`` has one row per response and one column per item id (values 1..5 or missing);
    other columns are ignored, absent item columns count as unanswered, and column order does
    not matter. Returns a frame with the same index and one float column per characteristic
    key (``direction``, ``trust``, ``bond``, ``friction``), NaN where fewer than
    ``min_fraction`` of that characteristic's items are answered. ``rows``, a boolean array
    as long as ``frame``, scores only those rows: the result is that of ``frame[rows]``,
    without copying the frame's other columns.

    Raises :class:`AnswerError` listing every invalid cell instead of scoring garbage.
    """
    values, problems = read_answers(instrument, frame, rater, rows=rows)
    if problems:
        raise AnswerError(problems)
    # read_answers made ``values`` for us: scored in place, without score_array's copy.
    scores = _score_in_place(instrument, values, rater, min_fraction)
    index = frame.index if rows is None else frame.index[row_positions(rows, len(frame))]
    return pd.DataFrame(scores, index=index, columns=list(characteristic_keys(instrument)))


def score_answers(
    instrument: Instrument,
    answers: Mapping[str, object],
    rater: Rater,
    *,
    min_fraction: float = MIN_FRACTION,
) -> dict[str, float | None]:
    """Score one response: ``{item_id: answer or None}`` → ``{characteristic: score or None}``.

    Gives the same numbers as :func:`score_frame` on a one-row frame. Items of the other rater
    and unknown keys are ignored; an item that is absent from ``answers`` is unanswered.
    Raises :class:`AnswerError` when an answer is not on the scale.
    """
    scale = instrument.scale
    item_scores: dict[str, float | None] = {}
    problems: list[AnswerProblem] = []
    for item in instrument.items_for(rater):
        raw = answers.get(item.id)
        try:
            value = _scale_value(raw, scale)
        except ValueError:
            problems.append(AnswerProblem(None, 0, item.id, raw, scale.minimum, scale.maximum))
            continue
        item_scores[item.id] = _item_score(item, value, scale)
    if problems:
        raise AnswerError(problems)

    result: dict[str, float | None] = {}
    for key in characteristic_keys(instrument):
        items = instrument.items_of(key, rater)
        answered = [s for i in items if (s := item_scores[i.id]) is not None]
        if items and len(answered) >= required_answers(len(items), min_fraction):
            result[key] = sum(answered) / len(answered)
        else:
            result[key] = None
    return result


def _item_score(item: Item, value: float | None, scale: Scale) -> float | None:
    if value is None:
        return None
    return scale.reverse(value) if item.reverse else value


def answers_to_frame(
    records: Iterable[Mapping[str, object]], item_ids: Sequence[str]
) -> pd.DataFrame:
    """Build a wide frame (one row per record, one column per item id) from answer mappings.

    Keys not in ``item_ids`` are dropped; an absent key or ``None`` becomes NaN. The frame is
    float when every value is a number, otherwise it keeps the values as they are so that
    :func:`validate_answers` can name the bad ones.
    """
    columns = list(item_ids)
    frame = pd.DataFrame.from_records(list(records), columns=columns)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=np.float64) for c in columns})
    try:
        return frame.astype(np.float64)
    except (TypeError, ValueError):
        return frame


@overload
def alliance_total(scores: pd.DataFrame) -> pd.Series: ...


@overload
def alliance_total(scores: Mapping[str, float | None]) -> float | None: ...


def alliance_total(scores: pd.DataFrame | Mapping[str, float | None]) -> pd.Series | float | None:
    """Mean of direction, trust and bond — the three *positive* characteristics only.

    Friction is never part of it: it is reported on its own. When any of the three is missing
    the total is missing too (``None`` for one response, NaN in a frame), so a total never
    silently rests on fewer characteristics. Label it as such wherever it is shown.
    """
    if isinstance(scores, pd.DataFrame):
        return scores[list(ALLIANCE_TOTAL_KEYS)].mean(axis=1, skipna=False)
    parts = [scores.get(key) for key in ALLIANCE_TOTAL_KEYS]
    present = [p for p in parts if p is not None and not math.isnan(p)]
    if len(present) < len(ALLIANCE_TOTAL_KEYS):
        return None
    return sum(present) / len(present)


def _at_least(difference: float, threshold: float) -> bool:
    return abs(difference) >= threshold - _EPSILON


def pair_discrepancies(
    instrument: Instrument,
    client_answers: Mapping[str, object],
    professional_answers: Mapping[str, object],
    *,
    threshold: float = PAIR_THRESHOLD,
) -> list[PairDiscrepancy]:
    """Compare client and professional on every mirrored pair, in client item order.

    ``difference = client item score - professional item score``, where an item score is the
    answer after reverse keying. Comparing scores rather than raw answers means that when one
    item of a pair is reverse-keyed and its mirror is not, like is still compared with like
    (agreeing with "I keep things to myself" is low trust, as is disagreeing with "I dare to be
    open"). The raw answers are kept in the result for display. A pair is highlighted when
    ``|difference| >= threshold`` (2 points by default). A pair where either side did not
    answer has ``difference=None`` and is not highlighted.
    """
    scale = instrument.scale
    problems: list[AnswerProblem] = []

    def value(answers: Mapping[str, object], item: Item) -> float | None:
        raw = answers.get(item.id)
        try:
            return _scale_value(raw, scale)
        except ValueError:
            problems.append(AnswerProblem(None, 0, item.id, raw, scale.minimum, scale.maximum))
            return None

    result: list[PairDiscrepancy] = []
    for client_item, professional_item in instrument.mirror_pairs():
        c_value = value(client_answers, client_item)
        p_value = value(professional_answers, professional_item)
        c_score = _item_score(client_item, c_value, scale)
        p_score = _item_score(professional_item, p_value, scale)
        difference = None if c_score is None or p_score is None else c_score - p_score
        result.append(
            PairDiscrepancy(
                characteristic=client_item.characteristic,
                client_item=client_item.id,
                professional_item=professional_item.id,
                client_value=None if c_value is None else int(c_value),
                professional_value=None if p_value is None else int(p_value),
                client_score=c_score,
                professional_score=p_score,
                difference=difference,
                highlight=difference is not None and _at_least(difference, threshold),
            )
        )
    if problems:
        raise AnswerError(problems)
    return result


def _present(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return float(value)


def characteristic_discrepancies(
    client_scores: Mapping[str, float | None],
    professional_scores: Mapping[str, float | None],
    *,
    threshold: float = CHARACTERISTIC_THRESHOLD,
) -> list[CharacteristicDiscrepancy]:
    """Compare the two parties' characteristic scores: ``difference = client - professional``.

    Highlighted when ``|difference| >= threshold`` (1.0 by default), with a tolerance of 1e-9
    so that a difference of means that is 1.0 on paper but 0.9999999999999998 in floating
    point still counts. Missing on either side gives ``difference=None``, not highlighted.
    Ordered direction, trust, bond, friction, then any other keys.
    """
    keys = [k for k in CHARACTERISTIC_KEYS if k in client_scores or k in professional_scores]
    keys += [k for k in {**client_scores, **professional_scores} if k not in keys]
    result: list[CharacteristicDiscrepancy] = []
    for key in keys:
        client = _present(client_scores.get(key))
        professional = _present(professional_scores.get(key))
        difference = None if client is None or professional is None else client - professional
        result.append(
            CharacteristicDiscrepancy(
                characteristic=key,
                client=client,
                professional=professional,
                difference=difference,
                highlight=difference is not None and _at_least(difference, threshold),
            )
        )
    return result


def discrepancy_frame(
    instrument: Instrument,
    client_frame: pd.DataFrame,
    professional_frame: pd.DataFrame,
    *,
    min_fraction: float = MIN_FRACTION,
) -> pd.DataFrame:
    """Differences client − professional for many rounds at once (for research).

    ``client_frame`` and ``professional_frame`` hold the two responses of each round on rows
    with the same index label (align them on a round id first). Returns, on the union of both
    indexes, one column per mirrored pair named after the client item (``c_direction_1``; item
    scores after reverse keying, as in :func:`pair_discrepancies`) and one per characteristic
    key (difference of the two characteristic scores). NaN where either side is missing. Apply
    the thresholds with ``frame.abs() >= threshold``.
    """
    index = client_frame.index.union(professional_frame.index)
    client_frame = client_frame.reindex(index)
    professional_frame = professional_frame.reindex(index)

    client_values, problems = read_answers(instrument, client_frame, "client")
    professional_values, more = read_answers(instrument, professional_frame, "professional")
    if problems or more:
        raise AnswerError([*problems, *more])

    scale = instrument.scale
    flip = scale.minimum + scale.maximum

    def item_scores(values: NDArray[np.float64], items: Sequence[Item]) -> NDArray[np.float64]:
        reverse = np.array([i.reverse for i in items], dtype=bool)
        return np.where(reverse, flip - values, values)

    client_items = instrument.items_for("client")
    professional_items = instrument.items_for("professional")
    c_scores = item_scores(client_values, client_items)
    p_scores = item_scores(professional_values, professional_items)
    c_pos = {item.id: j for j, item in enumerate(client_items)}
    p_pos = {item.id: j for j, item in enumerate(professional_items)}
    pairs = instrument.mirror_pairs()
    pair_diff = (
        np.column_stack([c_scores[:, c_pos[c.id]] - p_scores[:, p_pos[p.id]] for c, p in pairs])
        if pairs
        else np.empty((len(index), 0))
    )

    keys = characteristic_keys(instrument)
    char_diff = score_array(
        instrument, client_values, "client", min_fraction=min_fraction, validate=False
    ) - score_array(
        instrument, professional_values, "professional", min_fraction=min_fraction, validate=False
    )
    return pd.DataFrame(
        np.column_stack([pair_diff, char_diff]),
        index=index,
        columns=[c.id for c, _ in pairs] + list(keys),
    )
