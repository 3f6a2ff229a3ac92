"""Warning signals per trajectory: one vectorised core function over a table of scores.

:func:`detect_signals` reads one row per (trajectory, round, rater) with the characteristic
scores and returns one row per signal raised. Every rule and default is described in
docs/signals.md, together with its measured detection quality on the synthetic generator.

The rules share three ideas:

* **Pool before judging.** One characteristic of one rater wobbles from round to round by more
  than its reference SE suggests; the mean of the standardised characteristics of one view (or
  of both views) wobbles far less. A deterioration is therefore judged on pooled scores, with a
  per-characteristic rule at a stricter threshold beside it.
* **Thresholds that grow with the rounds.** Each new round is one more chance of a false alarm;
  the critical value rises with the number of rounds (``z + z_per_round · ln(n − 1)``) so that
  the false-alarm rate of a long trajectory stays close to that of a short one.
* **No hindsight.** A signal raised at round *r* uses rounds up to *r* only (running sums per
  trajectory), so computing on an extract cut at round *r* gives the same signals up to *r*.

Everything is computed with NumPy on flat arrays (group-wise cumulative sums), without a Python
loop per trajectory. Scores are on the instrument's scale (1–5 for the shipped variants).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliantiemonitor.core.instrument import RATERS, Instrument
from alliantiemonitor.core.scoring import characteristic_keys, score_frame

__all__ = [
    "OUTPUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SIGNAL_KINDS",
    "SignalInputError",
    "SignalSettings",
    "detect_signals",
    "scores_from_answers",
    "trends_at_latest",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SIGNAL_KINDS: tuple[str, ...] = (
    "deterioration",
    "friction",
    "after_handover",
    "disagreement",
    "not_discussed",
    "stopped_responding",
)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "trajectory_id",
    "round_index",
    "round_date",
    "rater",
    "professional_id",
    "after_handover",
    "submitted",
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "trajectory_id",
    "kind",
    "round_index",
    "last_round_index",
    "characteristic",
    "rater",
    "detail",
)

_RATERS = RATERS


class SignalInputError(ValueError):
    """The scores table cannot be read: missing columns, unknown raters, no characteristics."""


def _default_noise_client() -> dict[str, float]:
    # Within-person round-to-round SD of standaard's scores, measured on development seeds of
    # the generator (docs/signals.md); about 1.3 × the reference SE of the shipped values.
    return {"direction": 0.35, "trust": 0.38, "bond": 0.37, "friction": 0.46}


def _default_noise_professional() -> dict[str, float]:
    return {"direction": 0.35, "trust": 0.38, "bond": 0.37, "friction": 0.46}


@dataclass(frozen=True)
class SignalSettings:
    """Thresholds of every signal; the defaults are documented (and measured) in docs/signals.md.

    Scores are standardised by the within-person, round-to-round SD of each characteristic
    (``noise_client`` / ``noise_professional``, in scale points): the wobble of one person's
    score between two rounds when nothing really changes. A ``z`` below is in units of that
    wobble after pooling.
    """

    #: The characteristic columns to read (those present in the table are used).
    characteristics: tuple[str, ...] = ("direction", "trust", "bond", "friction")
    #: Characteristics where a higher score is worse.
    negative_characteristics: tuple[str, ...] = ("friction",)
    #: Within-person round-to-round SD per characteristic, per rater (scale points).
    noise_client: Mapping[str, float] = field(default_factory=_default_noise_client)
    noise_professional: Mapping[str, float] = field(default_factory=_default_noise_professional)
    #: Used for a characteristic missing from the two mappings above.
    noise_default: float = 0.5
    #: Correlation of the round-to-round wobble between two characteristics of one view.
    wobble_correlation: float = 0.0

    # --- reliable deterioration (pooled; both views together, and each view alone) ------------
    #: Critical z of the trend of both views' pooled scores at two rounds …
    deterioration_z: float = 1.6
    #: … plus this much times ln(rounds − 1): later rounds need stronger evidence …
    deterioration_z_per_round: float = 0.62
    #: … plus this much in the first ``handover_rounds`` rounds with a new professional, where
    #: a stable dyad's new level can look like a decline.
    deterioration_handover_z: float = 0.3
    #: Weight of each characteristic in the trend of both views: how strongly it moves with
    #: the alliance as a whole (1 when not listed). Friction follows the others less closely.
    loadings: Mapping[str, float] = field(default_factory=lambda: {"friction": 0.7})
    #: Also judge the decline since the change of professional (the trend against the rounds
    #: counted from the handover, 0 before it); the larger z of the two trends counts.
    handover_trend: bool = True
    #: The same for one view alone (client, professional): a stricter bar, two more tests.
    view_z: float = 3.0
    view_z_per_round: float = 0.8
    #: The same for one characteristic (both views together): a stricter bar, four times tested.
    characteristic_z: float = 3.2
    characteristic_z_per_round: float = 0.8

    # --- friction high or rising ---------------------------------------------------------------
    #: Friction counts as high at or above this score (scale points) …
    friction_high: float = 3.75
    #: … in this many consecutive rounds of the same rater.
    friction_high_rounds: int = 2

    # --- after a change of professional ---------------------------------------------------------
    #: Critical z of trust and bond (both views) with the new professional against before.
    handover_z: float = 2.5
    #: Only the first this-many rounds with the new professional are judged.
    handover_rounds: int = 2
    handover_characteristics: tuple[str, ...] = ("trust", "bond")

    # --- disagreement ---------------------------------------------------------------------------
    #: Large: the mean absolute client − professional difference (points) at or above this …
    disagreement_large: float = 1.5
    #: … in this many consecutive rounds.
    disagreement_large_rounds: int = 2
    #: Growing: critical z of the trend of the (standardised) difference, as for deterioration.
    disagreement_z: float = 2.3
    disagreement_z_per_round: float = 0.35

    # --- rounds and responses ---------------------------------------------------------------------
    #: A round with answers not discussed this many days after its date is signalled.
    not_discussed_days: int = 28
    #: A client who submitted before and skipped this many consecutive rounds stopped responding.
    stopped_rounds: int = 2

    def __post_init__(self) -> None:
        for name in ("noise_default",):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        for mapping in (self.noise_client, self.noise_professional):
            for key, value in mapping.items():
                if not value > 0:
                    raise ValueError(f"noise SD of {key} must be positive, got {value}")
        for key, value in self.loadings.items():
            if not value > 0:
                raise ValueError(f"loading of {key} must be positive, got {value}")
        if not 0.0 <= self.wobble_correlation < 1.0:
            raise ValueError("wobble_correlation must lie in [0, 1)")
        for name in (
            "friction_high_rounds",
            "handover_rounds",
            "disagreement_large_rounds",
            "stopped_rounds",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.not_discussed_days < 0:
            raise ValueError("not_discussed_days must not be negative")

    def noise(self, rater: str, characteristic: str) -> float:
        source = self.noise_client if rater == "client" else self.noise_professional
        return float(source.get(characteristic, self.noise_default))

    def loading(self, characteristic: str) -> float:
        return float(self.loadings.get(characteristic, 1.0))

    def critical(self, base: float, per_round: float, n: FloatArray) -> FloatArray:
        """Critical z for a series of ``n`` rounds (``n >= 2``)."""
        return base + per_round * np.log(np.maximum(n - 1.0, 1.0))


# ------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class _Rounds:
    """The input reshaped: one entry per (trajectory, round), in trajectory and round order."""

    trajectory: npt.NDArray[Any]  # trajectory id per round
    trajectory_code: IntArray  # the trajectory's number per round (its first appearance)
    trajectory_rank: IntArray  # per trajectory number: the rank of its id in text order
    round_index: IntArray
    round_date: npt.NDArray[np.datetime64]
    after_handover: BoolArray
    group_start: IntArray  # position of the trajectory's first round, per round
    starts: IntArray  # position of each trajectory's first round (one entry per trajectory)
    sizes: IntArray  # number of rounds of each trajectory
    position: IntArray  # 0, 1, … within the trajectory
    keys: tuple[str, ...]
    negative: BoolArray  # per characteristic
    #: values[rater][round, characteristic]; NaN when missing or not submitted.
    values: dict[str, FloatArray]
    submitted: dict[str, BoolArray]
    present: dict[str, BoolArray]  # a row of this rater exists
    discussed: npt.NDArray[np.datetime64] | None


def _text_codes(column: pd.Series) -> tuple[IntArray, pd.Index]:
    """``pd.factorize(column.astype(str))``, converting only the distinct values to text.

    Turning a column of a million ids into a million new strings costs more than all the
    arithmetic; the distinct values are few. Falls back to the plain expression when values are
    missing or are not all text or whole numbers (``1`` and ``1.0`` would merge otherwise).
    """
    dtype = column.dtype
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        codes, uniques = pd.factorize(column, sort=False)
        plain = not (isinstance(dtype, np.dtype) and dtype.kind == "O") or (
            pd.api.types.infer_dtype(uniques, skipna=False) == "string"
        )
        if plain and not (codes < 0).any():
            merged, text = pd.factorize(pd.Series(uniques).astype(str), sort=False)
            return np.asarray(merged[codes], dtype=np.int64), text
    codes, uniques = pd.factorize(column.astype(str), sort=False)
    return np.asarray(codes, dtype=np.int64), uniques


def _check_columns(scores: pd.DataFrame, settings: SignalSettings) -> tuple[str, ...]:
    missing = [c for c in REQUIRED_COLUMNS if c not in scores.columns]
    if missing:
        raise SignalInputError(f"missing column(s): {', '.join(missing)}")
    keys = tuple(c for c in settings.characteristics if c in scores.columns)
    if not keys:
        raise SignalInputError(
            "no characteristic columns: expected one or more of "
            + ", ".join(settings.characteristics)
        )
    codes, names = _text_codes(scores["rater"])
    if (codes < 0).any() or not set(names) <= set(_RATERS):
        raters = scores["rater"].astype(str)
        bad = sorted(set(raters.unique()) - set(_RATERS))
        if bad:
            raise SignalInputError(
                f"unknown rater(s): {', '.join(bad[:5])} (client or professional)"
            )
    return keys


def _as_bool(column: pd.Series) -> BoolArray:
    if column.dtype == bool:
        return column.to_numpy(dtype=bool)
    text = column.astype(str).str.strip().str.lower()
    truthy = text.isin(("true", "1", "yes", "1.0"))
    falsy = text.isin(("false", "0", "no", "0.0", ""))
    if not (truthy | falsy).all():
        raise SignalInputError(f"column {column.name} must hold true/false values")
    return truthy.to_numpy(dtype=bool)


def _reshape(scores: pd.DataFrame, settings: SignalSettings) -> _Rounds:
    keys = _check_columns(scores, settings)
    traj_codes, traj_uniques = _text_codes(scores["trajectory_id"])
    try:
        round_index = pd.to_numeric(scores["round_index"], errors="raise").to_numpy(np.int64)
    except (ValueError, TypeError) as exc:
        raise SignalInputError("round_index must hold whole numbers") from exc
    codes, names = _text_codes(scores["rater"])
    if (codes < 0).any():
        rater_code = (scores["rater"].astype(str).to_numpy() == "professional").astype(np.int64)
    else:
        rater_code = (np.asarray(names, dtype=object) == "professional").astype(np.int64)[codes]
    # Rows usually arrive in trajectory, round and rater order already; then nothing is moved.
    later = traj_codes[1:] > traj_codes[:-1]
    same = traj_codes[1:] == traj_codes[:-1]
    later |= same & (round_index[1:] > round_index[:-1])
    same &= round_index[1:] == round_index[:-1]
    later |= same & (rater_code[1:] >= rater_code[:-1])
    in_order = bool(later.all())
    del later, same
    order = None if in_order else np.lexsort((rater_code, round_index, traj_codes))

    def ordered(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return x if order is None else x[order]

    t = ordered(traj_codes)
    r = ordered(round_index)
    rc = ordered(rater_code)
    dup = (t[1:] == t[:-1]) & (r[1:] == r[:-1]) & (rc[1:] == rc[:-1])
    if dup.any():
        first = int(np.flatnonzero(dup)[0]) + 1
        raise SignalInputError(
            f"trajectory {traj_uniques[t[first]]} has two {_RATERS[rc[first]]} rows "
            f"for round {r[first]}"
        )
    new_round = np.ones(len(t), dtype=bool)
    new_round[1:] = (t[1:] != t[:-1]) | (r[1:] != r[:-1])
    round_id = np.cumsum(new_round) - 1
    n_rounds = int(round_id[-1]) + 1 if len(round_id) else 0
    first_row = np.flatnonzero(new_round)

    round_traj = t[first_row]
    new_traj = np.ones(n_rounds, dtype=bool)
    new_traj[1:] = round_traj[1:] != round_traj[:-1]
    traj_start = np.flatnonzero(new_traj)
    traj_size = np.diff(np.append(traj_start, n_rounds))
    group_start = np.repeat(traj_start, traj_size)
    position = np.arange(n_rounds) - group_start

    dates = ordered(pd.to_datetime(scores["round_date"], errors="coerce").to_numpy())
    after = ordered(_as_bool(scores["after_handover"]))
    submitted_rows = ordered(_as_bool(scores["submitted"]))
    raw = ordered(scores[list(keys)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64))

    values: dict[str, FloatArray] = {}
    submitted: dict[str, BoolArray] = {}
    present: dict[str, BoolArray] = {}
    for code, rater in enumerate(_RATERS):
        mine = rc == code
        ids = round_id[mine]
        block = np.full((n_rounds, len(keys)), np.nan)
        block[ids] = np.where(submitted_rows[mine][:, None], raw[mine], np.nan)
        values[rater] = block
        sub = np.zeros(n_rounds, dtype=bool)
        sub[ids] = submitted_rows[mine]
        submitted[rater] = sub
        here = np.zeros(n_rounds, dtype=bool)
        here[ids] = True
        present[rater] = here

    after_round = np.zeros(n_rounds, dtype=bool)
    after_round[round_id[after]] = True
    discussed = None
    if "discussed_date" in scores.columns:
        disc_rows = ordered(pd.to_datetime(scores["discussed_date"], errors="coerce").to_numpy())
        discussed = np.full(n_rounds, np.datetime64("NaT"), dtype="datetime64[ns]")
        # The latest date given on any row of the round (both rows normally carry the same).
        valid = ~np.isnat(disc_rows)
        discussed[round_id[valid]] = disc_rows[valid].astype("datetime64[ns]")
    traj_names: npt.NDArray[Any] = np.asarray(traj_uniques, dtype=object)
    rank = np.empty(len(traj_names), dtype=np.int64)
    rank[np.argsort(traj_names, kind="stable")] = np.arange(len(traj_names))
    return _Rounds(
        trajectory=traj_names[round_traj],
        trajectory_code=round_traj,
        trajectory_rank=rank,
        round_index=r[first_row],
        round_date=dates[first_row].astype("datetime64[ns]"),
        after_handover=after_round,
        group_start=group_start,
        starts=traj_start,
        sizes=traj_size,
        position=position,
        keys=keys,
        negative=np.array([k in settings.negative_characteristics for k in keys]),
        values=values,
        submitted=submitted,
        present=present,
        discussed=discussed,
    )


# ------------------------------------------------------------------------------------------------
# Running statistics per trajectory


def _group_cumsum(x: FloatArray, rounds: _Rounds, *, in_place: bool = False) -> FloatArray:
    """Cumulative sum down axis 0 of ``x``, restarting at every trajectory (rows in round order).

    Computed as the running total over all rows minus the total just before the trajectory's
    first round. Differences of running totals lose a little precision on long inputs; the sums
    here are of values of a few units over a few million rounds, far inside float64's exact
    range. (The subtraction is done in place, one trajectory offset per row, without a gather of
    the whole array.) ``in_place`` overwrites ``x`` (a float64 array) with the result.
    """
    total = np.cumsum(x, axis=0, out=x) if in_place else np.cumsum(x, axis=0, dtype=np.float64)
    starts = rounds.starts
    if len(starts) > 1:
        offset = total[starts[1:] - 1]
        total[starts[1] :] -= np.repeat(offset, rounds.sizes[1:], axis=0)
    return total


def _previous(x: npt.NDArray[Any], rounds: _Rounds, fill: Any) -> npt.NDArray[Any]:
    """The value at the trajectory's previous round (``fill`` at its first round)."""
    out = np.empty_like(x)
    out[0:1] = fill
    out[1:] = x[:-1]
    out[rounds.starts] = fill
    return out


def _worse(rounds: _Rounds, rater: str, settings: SignalSettings) -> FloatArray:
    """Standardised scores with the sign turned so that higher is worse (round × characteristic)."""
    sd = np.array([settings.noise(rater, k) for k in rounds.keys])
    sign = np.where(rounds.negative, 1.0, -1.0)
    return np.asarray(rounds.values[rater] * sign / sd, dtype=np.float64)


def _slopes(block: FloatArray, rounds: _Rounds) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Least-squares slope per round and column of ``block``, over the rounds so far.

    For each column (one series: one characteristic of one view, in wobble units), at each
    round: the slope of the trajectory's non-missing values up to and including that round
    against the round position, its variance for unit wobble, and the number of values.
    Slope and variance are NaN with fewer than two values. Each series is judged on its own
    rounds, so a round where one characteristic is missing does not move the others.
    """
    # The arithmetic is done in place where it can (the arrays are large), in the order of
    # the formulas in the comments.
    ok = ~np.isnan(block)
    t = rounds.position.astype(np.float64)[:, None]
    w = ok.astype(np.float64)
    wt = w * t
    n = _group_cumsum(w, rounds, in_place=True)
    s_t = _group_cumsum(wt, rounds)
    wt *= t
    s_tt = _group_cumsum(wt, rounds, in_place=True)
    yy = np.where(ok, block, 0.0)
    del ok
    yt = t * yy
    s_y = _group_cumsum(yy, rounds, in_place=True)
    s_ty = _group_cumsum(yt, rounds, in_place=True)
    # denom = n * s_tt - s_t * s_t
    denom = s_tt
    denom *= n
    denom -= s_t * s_t
    valid = n >= 2
    valid &= denom > 1e-9
    invalid = ~valid
    del valid
    # safe = denom where valid, else 1
    safe = denom
    safe[invalid] = 1.0
    # slope = (n * s_ty - s_t * s_y) / safe, NaN where not valid
    slope = s_ty
    slope *= n
    s_y *= s_t
    slope -= s_y
    del s_y, s_t
    slope /= safe
    slope[invalid] = np.nan
    # var = n / safe, NaN where not valid
    var = n / safe
    var[invalid] = np.nan
    return slope, var, n


def _pooled_z(slope: FloatArray, var: FloatArray, rho: float) -> tuple[FloatArray, FloatArray]:
    """Combine the columns' slopes (inverse-variance weights) into one z per round.

    The variance of the weighted mean is inflated by ``1 + (m − 1)·rho`` for ``m`` series whose
    wobble correlates ``rho``. Returns the z and the largest number of rounds behind it.
    """
    ok = ~np.isnan(slope)
    weight = np.where(ok, 1.0 / np.where(ok, var, 1.0), 0.0)
    return _pooled_from(weight, np.where(ok, slope, 0.0), ok.sum(axis=1), rho)


def _pooled_from(
    weight: FloatArray, slope0: FloatArray, count: IntArray, rho: float
) -> tuple[FloatArray, FloatArray]:
    """:func:`_pooled_z` from the weights, the slopes with 0 for missing, and their count."""
    total = weight.sum(axis=1)
    m = count.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (weight * slope0).sum(axis=1) / total
        z = mean / np.sqrt((1.0 + (m - 1.0) * rho) / total)
    return np.where(m > 0, z, np.nan), m


def _loaded_from(
    weight: FloatArray, slope0: FloatArray, count: IntArray, loading: FloatArray, rho: float
) -> FloatArray:
    """The z of a common trend that each series carries times its ``loading``.

    Each series' slope estimates ``loading × trend`` with variance ``1 / weight``; the best
    linear estimate of the trend weighs a slope by ``loading × weight`` and has variance
    ``1 / Σ loading² × weight`` (inflated by ``1 + (m − 1)·rho`` as in :func:`_pooled_z`).
    """
    lw = weight * loading
    m = count.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        information = (1.0 + (m - 1.0) * rho) * (lw * loading).sum(axis=1)
        z = (lw * slope0).sum(axis=1) / np.sqrt(information)
    return np.asarray(np.where(m > 0, z, np.nan), dtype=np.float64)


def _quiet_nanmean(block: FloatArray) -> FloatArray:
    """Row means over the non-missing values; NaN (without a warning) for an empty row."""
    ok = ~np.isnan(block)
    return _mean_from(np.where(ok, block, 0.0), ok.sum(axis=1))


def _mean_from(block0: FloatArray, count: IntArray) -> FloatArray:
    """:func:`_quiet_nanmean` from the values with 0 for missing and their count per row."""
    total = block0.sum(axis=1)
    return np.asarray(np.where(count > 0, total / np.maximum(count, 1), np.nan), dtype=np.float64)


def _columnwise(op: np.ufunc, block: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``op`` reduced over the columns of ``block``, one column at a time (fast for few columns)."""
    result = block[:, 0].copy()
    for j in range(1, block.shape[1]):
        op(result, block[:, j], out=result)
    return result


class _Trends:
    """The running trend of every series, computed once; each rule pools a subset of them.

    Built from a few blocks of series (round × characteristic, one block per view). Holds, per
    block, round and series, what the pooling needs: the inverse-variance weight (0 when
    missing), the slope (0 when missing), whether there is a slope, and the number of rounds
    behind it (0 when missing).
    """

    def __init__(self, blocks: list[FloatArray], rounds: _Rounds) -> None:
        self.weight: list[FloatArray] = []
        self.slope0: list[FloatArray] = []
        self.ok: list[BoolArray] = []
        self.rounds_behind: list[FloatArray] = []
        for block in blocks:
            slope, var, n = _slopes(block, rounds)
            ok = ~np.isnan(slope)
            self.ok.append(ok)
            self.weight.append(np.where(ok, 1.0 / np.where(ok, var, 1.0), 0.0))
            self.slope0.append(np.where(ok, slope, 0.0))
            self.rounds_behind.append(np.where(ok, n, 0.0))
        # Per block: the number of series with a slope, and the most rounds behind one. Both
        # are exact (whole numbers, a maximum), so they are added up column by column.
        self.count = [_columnwise(np.add, ok.astype(np.int64)) for ok in self.ok]
        self.most = [_columnwise(np.maximum, r) for r in self.rounds_behind]

    @staticmethod
    def _gather(
        parts: list[npt.NDArray[Any]], pick: list[tuple[int, int | None]]
    ) -> npt.NDArray[Any]:
        """Side by side, as one contiguous block: whole blocks (``None``) or single columns."""
        if len(pick) == 1 and pick[0][1] is None:
            return parts[pick[0][0]]
        pieces = [parts[b] if col is None else parts[b][:, col : col + 1] for b, col in pick]
        return np.concatenate(pieces, axis=1)

    @staticmethod
    def _combine(
        op: np.ufunc,
        whole: list[npt.NDArray[Any]],
        parts: list[npt.NDArray[Any]],
        pick: list[tuple[int, int | None]],
        dtype: type,
    ) -> npt.NDArray[Any]:
        """``op`` over the picked series, from the per-block results and single columns."""
        pieces = [whole[b] if col is None else parts[b][:, col].astype(dtype) for b, col in pick]
        result = pieces[0]
        for piece in pieces[1:]:
            result = op(result, piece)
        return np.asarray(result, dtype=dtype)

    def pooled(
        self, pick: list[tuple[int, int | None]], rho: float
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Pooled trend z of the picked series, the rounds behind it, the pooled change.

        ``pick`` lists (block, column) pairs, column ``None`` for the whole block, in the order
        of pooling. The change is the pooled slope times the rounds so far (in wobble units),
        for the detail. The picked columns are put side by side in one contiguous block, as if
        their series had been computed together, so that the sums over them run in the same
        order whichever series are pooled.
        """
        weight = self._gather(self.weight, pick)
        slope0 = self._gather(self.slope0, pick)
        count = self._combine(np.add, self.count, self.ok, pick, np.int64)
        z, _ = _pooled_from(weight, slope0, count, rho)
        del weight
        most = self._combine(np.maximum, self.most, self.rounds_behind, pick, np.float64)
        rounds_so_far = np.maximum(most, 0.0)
        change = _mean_from(slope0, count) * np.maximum(rounds_so_far - 1, 0)
        return z, rounds_so_far, change

    def loaded(
        self, pick: list[tuple[int, int | None]], loading: FloatArray, rho: float
    ) -> FloatArray:
        """The z of the common trend of the picked series, each with its loading (per column)."""
        weight = self._gather(self.weight, pick)
        slope0 = self._gather(self.slope0, pick)
        count = self._combine(np.add, self.count, self.ok, pick, np.int64)
        return _loaded_from(weight, slope0, count, loading, rho)


@dataclass(frozen=True)
class _Runs:
    """Runs of rounds in which a rule holds: where each starts, and where the run reaches."""

    #: True at the first round of every run (a signal is raised once per run).
    first: BoolArray
    #: Per round: the position of the last round of the run it belongs to (itself otherwise).
    end: IntArray


def _episodes(flag: BoolArray, rounds: _Rounds) -> _Runs:
    """The runs of flagged rounds, per trajectory (see :class:`_Runs`)."""
    first: BoolArray = flag & ~_previous(flag, rounds, False)
    # A run ends at a flagged round whose successor is in another trajectory or not flagged;
    # each round takes the nearest such end at or after it (a reversed running minimum).
    following = np.zeros(len(flag), dtype=bool)
    following[:-1] = flag[1:] & (rounds.position[1:] != 0)
    pos = np.arange(len(flag))
    ends = np.where(flag & ~following, pos, len(flag))
    end = np.minimum.accumulate(ends[::-1])[::-1]
    return _Runs(first, np.asarray(np.where(flag, end, pos), dtype=np.int64))


# ------------------------------------------------------------------------------------------------
# The rules


@dataclass(frozen=True)
class _Detail:
    """A detail text made only for the rounds where a signal is raised: ``prefix z=… d=…``."""

    prefix: str
    z: FloatArray | None = None
    change: FloatArray | None = None

    def texts(self, idx: IntArray) -> list[str]:
        if self.z is None:
            return [self.prefix] * len(idx)
        z = self.z[idx]
        change = self.change[idx] if self.change is not None else np.full(len(idx), np.nan)
        return [f"{self.prefix} z={a:.1f} d={b:+.2f}" for a, b in zip(z, change, strict=True)]


#: One rule's signals before assembly: column → one value per signal, or one value for all.
#: ``_round`` holds the rounds' positions (for sorting); the rest become output columns.
_Part = dict[str, Any]


def _emit(
    parts: list[_Part],
    rounds: _Rounds,
    raised: _Runs | BoolArray,
    kind: str,
    *,
    characteristic: str | None,
    rater: str | None,
    detail: _Detail,
) -> None:
    """Add one row per raised signal; plain flags (not runs) raise at every flagged round."""
    runs = raised if isinstance(raised, _Runs) else _Runs(raised, np.arange(len(raised)))
    idx = np.flatnonzero(runs.first)
    if idx.size == 0:
        return
    parts.append(
        {
            "_round": idx,
            "trajectory_id": rounds.trajectory[idx],
            "kind": kind,
            "round_index": rounds.round_index[idx],
            "last_round_index": rounds.round_index[runs.end[idx]],
            "characteristic": characteristic,
            "rater": rater,
            "detail": detail.texts(idx),
        }
    )


def _assemble(parts: list[_Part], rounds: _Rounds) -> pd.DataFrame:
    """The parts as one frame, sorted by trajectory (as text), round and kind.

    The sort is stable: signals of one trajectory, round and kind keep the order in which the
    rules emitted them. It runs on integer keys (the rank of each trajectory id as text, the
    round, the kind's rank in :data:`SIGNAL_KINDS`), not on the ids themselves.
    """
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})
    sizes = [len(part["_round"]) for part in parts]
    columns: dict[str, npt.NDArray[Any]] = {}
    for name in parts[0]:
        pieces = []
        for part, size in zip(parts, sizes, strict=True):
            value = part[name]
            if value is None or isinstance(value, str):
                piece = np.empty(size, dtype=object)
                piece[:] = value
            else:
                piece = np.asarray(value, dtype=object if isinstance(value, list) else None)
            pieces.append(piece)
        columns[name] = np.concatenate(pieces)
    kind_rank = {k: i for i, k in enumerate(SIGNAL_KINDS)}
    kinds = np.repeat([kind_rank[part["kind"]] for part in parts], sizes)
    position = columns.pop("_round")
    order = np.lexsort(
        (kinds, columns["round_index"], rounds.trajectory_rank[rounds.trajectory_code[position]])
    )
    # Object columns as they are: pandas would otherwise read a None among texts as missing.
    return pd.DataFrame(
        {
            name: pd.Series(column[order], dtype=column.dtype, copy=False)
            for name, column in columns.items()
        }
    )


def _crossed(z: FloatArray, critical: FloatArray) -> BoolArray:
    with np.errstate(invalid="ignore"):
        crossed: BoolArray = np.nan_to_num(z, nan=-np.inf) > critical
    return crossed


def _series_trends(rounds: _Rounds, s: SignalSettings) -> tuple[_Trends, _Trends | None]:
    """The trend of every series the rules pool, once: each view's characteristics, the gaps.

    Second, when ``handover_trend`` is on and the input has a handover: the trend of each
    view's characteristics against the rounds counted from the change of professional (0
    before it, 1 at the first round with the new professional, …), the decline since then.
    """
    worse = {rater: _worse(rounds, rater, s) for rater in _RATERS}
    gap_trend = (worse["client"] - worse["professional"]) / math.sqrt(2)
    blocks = [worse["client"], worse["professional"], 1.0 * gap_trend, -1.0 * gap_trend]
    since = None
    if s.handover_trend and rounds.after_handover.any():
        counted = _group_cumsum(rounds.after_handover.astype(np.float64)[:, None], rounds)[:, 0]
        shifted = dataclasses.replace(rounds, position=counted.astype(np.int64))
        since = _Trends([worse["client"], worse["professional"]], shifted)
    return _Trends(blocks, rounds), since


def _handover_window(rounds: _Rounds, s: SignalSettings) -> BoolArray:
    """The first ``handover_rounds`` rounds with a new professional."""
    counted = _group_cumsum(rounds.after_handover.astype(np.float64)[:, None], rounds)[:, 0]
    window: BoolArray = rounds.after_handover & (counted <= s.handover_rounds)
    return window


#: The blocks of :func:`_series_trends`, in order.
_CLIENT, _PROFESSIONAL, _GAP, _GAP_REVERSED = range(4)


def _deterioration(
    parts: list[_Part],
    rounds: _Rounds,
    s: SignalSettings,
    trends: _Trends,
    since: _Trends | None,
) -> None:
    """Pooled trends per view and of both views; then one characteristic (both views).

    Both views together: the characteristics weighed by their loadings, the larger z of the
    trend over all rounds and of the decline since a change of professional, and a higher bar
    in the first rounds with the new professional.
    """
    rho = s.wobble_correlation
    loading = np.array([s.loading(k) for k in rounds.keys] * 2)
    window = _handover_window(rounds, s)
    views: list[tuple[str | None, list[tuple[int, int | None]]]] = [
        ("client", [(_CLIENT, None)]),
        ("professional", [(_PROFESSIONAL, None)]),
        (None, [(_CLIENT, None), (_PROFESSIONAL, None)]),
    ]
    for rater, pick in views:
        z, n, change = trends.pooled(pick, rho)
        if rater is None:
            critical = s.critical(s.deterioration_z, s.deterioration_z_per_round, n)
            critical += s.deterioration_handover_z * window
            z = trends.loaded(pick, loading, rho)
            if since is not None:
                z = np.fmax(z, since.loaded(pick, loading, rho))
        else:
            critical = s.critical(s.view_z, s.view_z_per_round, n)
        crossed = _crossed(z, critical)
        _emit(
            parts,
            rounds,
            _episodes(crossed, rounds),
            "deterioration",
            characteristic=None,
            rater=rater,
            detail=_Detail(f"all characteristics, {rater or 'both views'}", z, change),
        )
    for k, key in enumerate(rounds.keys):
        z, n, change = trends.pooled([(_CLIENT, k), (_PROFESSIONAL, k)], 0.0)
        crossed = _crossed(z, s.critical(s.characteristic_z, s.characteristic_z_per_round, n))
        friction = key in s.negative_characteristics
        _emit(
            parts,
            rounds,
            _episodes(crossed, rounds),
            "friction" if friction else "deterioration",
            characteristic=key,
            rater=None,
            detail=_Detail(f"{key} {'rising' if friction else 'falling'}, both views", z, change),
        )


def _run_length(flag: BoolArray, counted: BoolArray, rounds: _Rounds) -> FloatArray:
    """Length of the current run of ``flag`` over the ``counted`` rounds, per trajectory.

    A counted round without ``flag`` ends the run; a round that is not counted (no score)
    neither extends nor ends it.
    """
    pos = np.arange(len(flag))
    hits = _group_cumsum((counted & flag).astype(np.float64), rounds)
    last_reset = np.maximum.accumulate(np.where(counted & ~flag, pos, -1))
    in_group = last_reset >= rounds.group_start
    at_reset = hits[np.maximum(last_reset, 0)]
    return np.asarray(np.where(in_group, hits - at_reset, hits), dtype=np.float64)


def _friction_high(parts: list[_Part], rounds: _Rounds, s: SignalSettings) -> None:
    for k, key in enumerate(rounds.keys):
        if key not in s.negative_characteristics:
            continue
        for rater in _RATERS:
            value = rounds.values[rater][:, k]
            with np.errstate(invalid="ignore"):
                high = value >= s.friction_high
            run = _run_length(high, ~np.isnan(value), rounds)
            _emit(
                parts,
                rounds,
                _episodes(run >= s.friction_high_rounds, rounds),
                "friction",
                characteristic=key,
                rater=rater,
                detail=_Detail(f"{key} >= {s.friction_high:g} in {s.friction_high_rounds} rounds"),
            )


def _after_handover(parts: list[_Part], rounds: _Rounds, s: SignalSettings) -> None:
    """Trust and bond (both views) with the new professional against the rounds before."""
    cols = [rounds.keys.index(k) for k in s.handover_characteristics if k in rounds.keys]
    if not cols:
        return
    block = np.concatenate([_worse(rounds, rater, s)[:, cols] for rater in _RATERS], axis=1)
    after = rounds.after_handover[:, None]
    ok = ~np.isnan(block)
    n_before = _group_cumsum((ok & ~after).astype(np.float64), rounds)
    n_after = _group_cumsum((ok & after).astype(np.float64), rounds)
    sum_before = _group_cumsum(np.where(ok & ~after, block, 0.0), rounds)
    sum_after = _group_cumsum(np.where(ok & after, block, 0.0), rounds)
    valid = (n_before > 0) & (n_after > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(valid, sum_after / n_after - sum_before / n_before, np.nan)
        var = np.where(valid, 1.0 / n_after + 1.0 / n_before, np.nan)
    z, _ = _pooled_z(diff, var, s.wobble_correlation)
    rounds_after = _group_cumsum(rounds.after_handover.astype(np.float64), rounds)
    judged = rounds.after_handover & (rounds_after <= s.handover_rounds)
    crossed = judged & _crossed(z, np.full(len(z), s.handover_z))
    change = _quiet_nanmean(diff)
    _emit(
        parts,
        rounds,
        _episodes(crossed, rounds),
        "after_handover",
        characteristic=None,
        rater=None,
        detail=_Detail("trust and bond with the new professional, both views", z, change),
    )


def _disagreement(parts: list[_Part], rounds: _Rounds, s: SignalSettings, trends: _Trends) -> None:
    """Large (a mean gap in points, some rounds in a row) or growing (trend of the gap)."""
    gap = np.abs(rounds.values["client"] - rounds.values["professional"])
    mean_gap = _quiet_nanmean(gap)
    with np.errstate(invalid="ignore"):
        large = mean_gap >= s.disagreement_large
    run = _run_length(large, ~np.isnan(mean_gap), rounds)
    _emit(
        parts,
        rounds,
        _episodes(run >= s.disagreement_large_rounds, rounds),
        "disagreement",
        characteristic=None,
        rater=None,
        detail=_Detail(
            f"mean gap >= {s.disagreement_large:g} in {s.disagreement_large_rounds} rounds"
        ),
    )
    # Growing: one view worsening against the other, per characteristic, pooled.
    # (the client-minus-professional gap, standardised; reversed for the professional)
    for block, label in ((_GAP, "client"), (_GAP_REVERSED, "professional")):
        z, n, change = trends.pooled([(block, None)], s.wobble_correlation)
        crossed = _crossed(z, s.critical(s.disagreement_z, s.disagreement_z_per_round, n))
        _emit(
            parts,
            rounds,
            _episodes(crossed, rounds),
            "disagreement",
            characteristic=None,
            rater=label,
            detail=_Detail(f"growing: the {label} sees it getting worse", z, change),
        )


def _not_discussed(
    parts: list[_Part], rounds: _Rounds, s: SignalSettings, today: dt.date | None
) -> None:
    if rounds.discussed is None or today is None:
        return
    answered = rounds.submitted["client"] | rounds.submitted["professional"]
    due = rounds.round_date + np.timedelta64(s.not_discussed_days, "D")
    late = answered & np.isnat(rounds.discussed) & (due < np.datetime64(today, "ns"))
    _emit(
        parts,
        rounds,
        late,
        "not_discussed",
        characteristic=None,
        rater=None,
        detail=_Detail(f"not discussed within {s.not_discussed_days} days"),
    )


def _stopped(parts: list[_Part], rounds: _Rounds, s: SignalSettings) -> None:
    """The client submitted before, then skipped ``stopped_rounds`` rounds in a row."""
    done = rounds.submitted["client"]
    ever = _group_cumsum(done.astype(np.float64), rounds)
    run = _run_length(~done, np.ones(len(done), dtype=bool), rounds)
    stopped = (run >= s.stopped_rounds) & (ever > 0)
    _emit(
        parts,
        rounds,
        _episodes(stopped, rounds),
        "stopped_responding",
        characteristic=None,
        rater="client",
        detail=_Detail(f"the client skipped {s.stopped_rounds} rounds in a row"),
    )


def detect_signals(
    scores: pd.DataFrame,
    *,
    settings: SignalSettings | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Every warning signal raised in ``scores``: one row per signal (see the module docs).

    ``scores`` has one row per (trajectory, round, rater) with the columns in
    :data:`REQUIRED_COLUMNS`, one float column per characteristic (NaN = missing) and
    optionally ``discussed_date``. ``today`` is needed only for "not discussed" (without it
    that signal is not computed). Returns a frame with :data:`OUTPUT_COLUMNS`, sorted by
    trajectory, round and kind. A signal is raised at the first round of every run of rounds
    in which its rule holds, using only the rounds up to that one; ``last_round_index`` is the
    last round of that run in the data given (each of those rounds judged on the rounds up to
    it), so a run that reaches the latest round still holds. "Not discussed" is judged per
    round against ``today``: its ``last_round_index`` is its ``round_index``.

    Raises :class:`SignalInputError` for missing columns, unknown raters or duplicate rows.
    """
    s = settings or SignalSettings()
    rounds = _reshape(scores, s)
    parts: list[_Part] = []
    if len(rounds.round_index):
        trends, since = _series_trends(rounds, s)
        _deterioration(parts, rounds, s, trends, since)
        del since
        _friction_high(parts, rounds, s)
        _after_handover(parts, rounds, s)
        _disagreement(parts, rounds, s, trends)
        del trends
        _not_discussed(parts, rounds, s, today)
        _stopped(parts, rounds, s)
    out = _assemble(parts, rounds)
    # Fixed types, also when nothing is raised: text columns as str, the optional ones as
    # objects holding a str or None.
    return pd.DataFrame(
        {
            "trajectory_id": out["trajectory_id"].astype(str),
            "kind": out["kind"].astype(str),
            "round_index": out["round_index"].astype(np.int64),
            "last_round_index": out["last_round_index"].astype(np.int64),
            "characteristic": out["characteristic"].astype(object),
            "rater": out["rater"].astype(object),
            "detail": out["detail"].astype(str),
        }
    )


def trends_at_latest(
    series: Sequence[tuple[str, str, Sequence[float]]], *, settings: SignalSettings | None = None
) -> list[bool]:
    """Whether the trend rule for one characteristic holds at the last value of each series.

    Each series is (rater, characteristic, its values in round order, none missing), judged
    as :func:`detect_signals` judges a trajectory that has only that view and that
    characteristic: the ``deterioration`` (``friction`` for a negative characteristic) rule
    for one characteristic, both views, over the rounds so far, at the last one. The same
    arithmetic on the same arrays, in the same order, without building the input frame and
    reading the signals back from one: a course page asks this for its eight series, where
    the frames took three quarters of the time. Series of fewer than two values never hold.
    """
    s = settings or SignalSettings()
    answer = [False] * len(series)
    judged = [i for i, (_r, _c, values) in enumerate(series) if len(values) >= 2]
    if not judged:
        return answer
    keys = tuple(dict.fromkeys(series[i][1] for i in judged))
    rater_codes = []
    for i in judged:
        rater = series[i][0]
        if rater not in _RATERS:
            raise SignalInputError(f"unknown rater(s): {rater} (client or professional)")
        rater_codes.append(_RATERS.index(rater))
    sizes = np.array([len(series[i][2]) for i in judged], dtype=np.int64)
    total = int(sizes.sum())
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    group_start = np.repeat(starts, sizes)
    position = np.arange(total, dtype=np.int64) - group_start
    column = np.array([keys.index(series[i][1]) for i in judged], dtype=np.int64)
    row_rater = np.repeat(np.array(rater_codes, dtype=np.int64), sizes)
    row_column = np.repeat(column, sizes)
    flat = np.array([float(v) for i in judged for v in series[i][2]], dtype=np.float64)
    values: dict[str, FloatArray] = {}
    present: dict[str, BoolArray] = {}
    for code, rater in enumerate(_RATERS):
        mine = row_rater == code
        block = np.full((total, len(keys)), np.nan)
        block[np.flatnonzero(mine), row_column[mine]] = flat[mine]
        values[rater] = block
        present[rater] = mine
    codes = np.arange(len(judged), dtype=np.int64)
    rounds = _Rounds(
        trajectory=codes.astype(object)[np.repeat(codes, sizes)],
        trajectory_code=np.repeat(codes, sizes),
        trajectory_rank=codes,
        round_index=position + 1,
        round_date=np.full(total, np.datetime64("NaT"), dtype="datetime64[ns]"),
        after_handover=np.zeros(total, dtype=bool),
        group_start=group_start,
        starts=starts,
        sizes=sizes,
        position=position,
        keys=keys,
        negative=np.array([k in s.negative_characteristics for k in keys]),
        values=values,
        submitted=dict(present),
        present=present,
        discussed=None,
    )
    trends, _since = _series_trends(rounds, s)  # no handover here: ``_since`` is None
    last = starts + sizes - 1
    for k in range(len(keys)):
        z, n, _change = trends.pooled([(_CLIENT, k), (_PROFESSIONAL, k)], 0.0)
        crossed = _crossed(z, s.critical(s.characteristic_z, s.characteristic_z_per_round, n))
        for j in np.flatnonzero(column == k):
            answer[judged[j]] = bool(crossed[last[j]])
    return answer


def scores_from_answers(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """Score a long answers table (one row per response, as ``synth`` writes) for the signals.

    Each row is scored with the items of the rater named in its ``rater`` column
    (:func:`~alliantiemonitor.core.scoring.score_frame`); the result is ``answers`` without the
    item columns and with one float column per characteristic. Raises
    :class:`~alliantiemonitor.core.scoring.AnswerError` for answers off the scale and
    :class:`SignalInputError` when the ``rater`` column is missing or holds another value.
    """
    if "rater" not in answers.columns:
        raise SignalInputError("missing column(s): rater")
    raters = answers["rater"].astype(str)
    bad = sorted(set(raters.unique()) - set(_RATERS))
    if bad:
        raise SignalInputError(f"unknown rater(s): {', '.join(bad[:5])} (client or professional)")
    keys = list(characteristic_keys(instrument))
    item_ids = [i.id for r in _RATERS for i in instrument.items_for(r)]
    result = answers.drop(columns=[c for c in item_ids if c in answers.columns])
    clash = [k for k in keys if k in result.columns]
    if clash:
        raise SignalInputError(f"the table already has column(s) {', '.join(clash)}")
    # One characteristic per row: each becomes a contiguous column of the result.
    block = np.full((len(keys), len(answers)), np.nan)
    for rater in _RATERS:
        mine = (raters == rater).to_numpy()
        if mine.any():
            # score_frame reads only the rater's item columns of the rows (taking the rows of
            # the whole table, keys and text columns, cost more than the scoring itself).
            scored = score_frame(instrument, answers, rater, rows=mine).to_numpy()
            block[:, np.flatnonzero(mine)] = scored.T
    for j, key in enumerate(keys):
        result[key] = block[j]
    return result
