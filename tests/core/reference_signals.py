"""The signals rules as first written (before the speed work): a straightforward reference.

``_reference_detect_signals`` is the implementation of ``core.signals.detect_signals`` as it
was when its output was accepted (one trend computation per pooled view, one DataFrame per rule
and a pandas sort of the output), with later changes of the rules themselves (the loadings and
the decline since a change of professional in the both-view rule) written the same plain way.
The optimised function must give exactly the same output;
``tests/core/test_signals_reference.py`` compares the two. Do not optimise this file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliantiemonitor.core.instrument import RATERS
from alliantiemonitor.core.signals import (
    OUTPUT_COLUMNS,
    REQUIRED_COLUMNS,
    SIGNAL_KINDS,
    SignalInputError,
    SignalSettings,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_RATERS = RATERS


# ------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class _Rounds:
    """The input reshaped: one entry per (trajectory, round), in trajectory and round order."""

    trajectory: npt.NDArray[Any]  # trajectory id per round
    round_index: IntArray
    round_date: npt.NDArray[np.datetime64]
    after_handover: BoolArray
    group_start: IntArray  # position of the trajectory's first round, per round
    position: IntArray  # 0, 1, … within the trajectory
    keys: tuple[str, ...]
    negative: BoolArray  # per characteristic
    #: values[rater][round, characteristic]; NaN when missing or not submitted.
    values: dict[str, FloatArray]
    submitted: dict[str, BoolArray]
    present: dict[str, BoolArray]  # a row of this rater exists
    discussed: npt.NDArray[np.datetime64] | None


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
    raters = scores["rater"].astype(str)
    bad = sorted(set(raters.unique()) - set(_RATERS))
    if bad:
        raise SignalInputError(f"unknown rater(s): {', '.join(bad[:5])} (client or professional)")
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
    traj_codes, traj_uniques = pd.factorize(scores["trajectory_id"].astype(str), sort=False)
    try:
        round_index = pd.to_numeric(scores["round_index"], errors="raise").to_numpy(np.int64)
    except (ValueError, TypeError) as exc:
        raise SignalInputError("round_index must hold whole numbers") from exc
    rater_code = (scores["rater"].astype(str).to_numpy() == "professional").astype(np.int64)
    order = np.lexsort((rater_code, round_index, traj_codes))
    t = traj_codes[order]
    r = round_index[order]
    rc = rater_code[order]
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
    group_start = traj_start[np.cumsum(new_traj) - 1]
    position = np.arange(n_rounds) - group_start

    dates = pd.to_datetime(scores["round_date"], errors="coerce").to_numpy()[order]
    after = _as_bool(scores["after_handover"])[order]
    submitted_rows = _as_bool(scores["submitted"])[order]
    raw = scores[list(keys)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)[order]

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
    np.logical_or.at(after_round, round_id, after)
    discussed = None
    if "discussed_date" in scores.columns:
        disc_rows = pd.to_datetime(scores["discussed_date"], errors="coerce").to_numpy()[order]
        discussed = np.full(n_rounds, np.datetime64("NaT"), dtype="datetime64[ns]")
        # The latest date given on any row of the round (both rows normally carry the same).
        valid = ~np.isnat(disc_rows)
        discussed[round_id[valid]] = disc_rows[valid].astype("datetime64[ns]")
    return _Rounds(
        trajectory=np.asarray(traj_uniques, dtype=object)[round_traj],
        round_index=r[first_row],
        round_date=dates[first_row].astype("datetime64[ns]"),
        after_handover=after_round,
        group_start=group_start,
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


def _group_cumsum(x: FloatArray, group_start: IntArray) -> FloatArray:
    """Cumulative sum down axis 0 of ``x``, restarting at every trajectory (rows in round order).

    Differences of running totals lose a little precision on long inputs; the sums here are of
    values of a few units over a few million rounds, far inside float64's exact range.
    """
    total = np.cumsum(x, axis=0)
    zero = np.zeros((1, *x.shape[1:]))
    before = np.concatenate([zero, total])[group_start]
    return np.asarray(total - before, dtype=np.float64)


def _previous(x: npt.NDArray[Any], rounds: _Rounds, fill: Any) -> npt.NDArray[Any]:
    """The value at the trajectory's previous round (``fill`` at its first round)."""
    out = np.empty_like(x)
    out[0:1] = fill
    out[1:] = x[:-1]
    out[rounds.position == 0] = fill
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
    ok = ~np.isnan(block)
    t = rounds.position.astype(np.float64)[:, None]
    yy = np.where(ok, block, 0.0)
    w = ok.astype(np.float64)
    gs = rounds.group_start
    n = _group_cumsum(w, gs)
    s_t = _group_cumsum(w * t, gs)
    s_tt = _group_cumsum(w * t * t, gs)
    s_y = _group_cumsum(yy, gs)
    s_ty = _group_cumsum(t * yy, gs)
    denom = n * s_tt - s_t * s_t
    valid = (n >= 2) & (denom > 1e-9)
    safe = np.where(valid, denom, 1.0)
    slope = np.where(valid, (n * s_ty - s_t * s_y) / safe, np.nan)
    var = np.where(valid, n / safe, np.nan)
    return slope, var, n


def _pooled_z(slope: FloatArray, var: FloatArray, rho: float) -> tuple[FloatArray, FloatArray]:
    """Combine the columns' slopes (inverse-variance weights) into one z per round.

    The variance of the weighted mean is inflated by ``1 + (m − 1)·rho`` for ``m`` series whose
    wobble correlates ``rho``. Returns the z and the largest number of rounds behind it.
    """
    ok = ~np.isnan(slope)
    weight = np.where(ok, 1.0 / np.where(ok, var, 1.0), 0.0)
    total = weight.sum(axis=1)
    m = ok.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (weight * np.where(ok, slope, 0.0)).sum(axis=1) / total
        z = mean / np.sqrt((1.0 + (m - 1.0) * rho) / total)
    return np.where(m > 0, z, np.nan), m


def _quiet_nanmean(block: FloatArray) -> FloatArray:
    """Row means over the non-missing values; NaN (without a warning) for an empty row."""
    ok = ~np.isnan(block)
    count = ok.sum(axis=1)
    total = np.where(ok, block, 0.0).sum(axis=1)
    return np.asarray(np.where(count > 0, total / np.maximum(count, 1), np.nan), dtype=np.float64)


def _trend_z(
    block: FloatArray, rounds: _Rounds, rho: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Pooled trend z of the columns of ``block``, the rounds behind it, the pooled change.

    The change is the pooled slope times the rounds so far (in wobble units), for the detail.
    """
    slope, var, n = _slopes(block, rounds)
    z, _ = _pooled_z(slope, var, rho)
    rounds_so_far = np.nanmax(np.where(np.isnan(slope), np.nan, n), axis=1, initial=0.0)
    change = _quiet_nanmean(slope) * np.maximum(rounds_so_far - 1, 0)
    return z, rounds_so_far, change


def _episodes(flag: BoolArray, rounds: _Rounds) -> BoolArray:
    """True at the first round of every run of flagged rounds (a signal is raised once per run)."""
    first: BoolArray = flag & ~_previous(flag, rounds, False)
    return first


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


def _emit(
    parts: list[pd.DataFrame],
    rounds: _Rounds,
    raised: BoolArray,
    kind: str,
    *,
    characteristic: str | None,
    rater: str | None,
    detail: _Detail,
) -> None:
    idx = np.flatnonzero(raised)
    if idx.size == 0:
        return
    parts.append(
        pd.DataFrame(
            {
                "trajectory_id": rounds.trajectory[idx],
                "kind": kind,
                "round_index": rounds.round_index[idx],
                "characteristic": characteristic,
                "rater": rater,
                "detail": detail.texts(idx),
            }
        )
    )


def _crossed(z: FloatArray, critical: FloatArray) -> BoolArray:
    with np.errstate(invalid="ignore"):
        crossed: BoolArray = np.nan_to_num(z, nan=-np.inf) > critical
    return crossed


def _loaded_z(block: FloatArray, rounds: _Rounds, loading: FloatArray, rho: float) -> FloatArray:
    """The z of a common trend that each column carries times its loading (best linear estimate)."""
    slope, var, _ = _slopes(block, rounds)
    ok = ~np.isnan(slope)
    weight = np.where(ok, 1.0 / np.where(ok, var, 1.0), 0.0)
    lw = weight * loading
    m = ok.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lw * np.where(ok, slope, 0.0)).sum(axis=1) / np.sqrt(
            (1.0 + (m - 1.0) * rho) * (lw * loading).sum(axis=1)
        )
    return np.asarray(np.where(m > 0, z, np.nan), dtype=np.float64)


def _deterioration(parts: list[pd.DataFrame], rounds: _Rounds, s: SignalSettings) -> None:
    """Pooled trends per view and of both views; then one characteristic (both views).

    Both views: loadings, the larger z of the trend over all rounds and of the trend against the
    rounds counted from the change of professional, a higher bar in the first rounds after it.
    """
    rho = s.wobble_correlation
    worse = {rater: _worse(rounds, rater, s) for rater in _RATERS}
    both = np.concatenate([worse["client"], worse["professional"]], axis=1)
    loading = np.array([s.loading(k) for k in rounds.keys] * 2)
    after = _group_cumsum(rounds.after_handover.astype(np.float64)[:, None], rounds.group_start)
    counted = after[:, 0]
    window = rounds.after_handover & (counted <= s.handover_rounds)
    views: list[tuple[str | None, FloatArray]] = [
        ("client", worse["client"]),
        ("professional", worse["professional"]),
        (None, both),
    ]
    for rater, block in views:
        z, n, change = _trend_z(block, rounds, rho)
        if rater is None:
            critical = s.critical(s.deterioration_z, s.deterioration_z_per_round, n)
            critical = critical + s.deterioration_handover_z * window
            z = _loaded_z(block, rounds, loading, rho)
            if s.handover_trend and rounds.after_handover.any():
                since = dataclasses.replace(rounds, position=counted.astype(np.int64))
                z = np.fmax(z, _loaded_z(block, since, loading, rho))
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
        block = np.stack([worse["client"][:, k], worse["professional"][:, k]], axis=1)
        z, n, change = _trend_z(block, rounds, 0.0)
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
    hits = _group_cumsum((counted & flag).astype(np.float64), rounds.group_start)
    last_reset = np.maximum.accumulate(np.where(counted & ~flag, pos, -1))
    in_group = last_reset >= rounds.group_start
    at_reset = hits[np.maximum(last_reset, 0)]
    return np.asarray(np.where(in_group, hits - at_reset, hits), dtype=np.float64)


def _friction_high(parts: list[pd.DataFrame], rounds: _Rounds, s: SignalSettings) -> None:
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


def _after_handover(parts: list[pd.DataFrame], rounds: _Rounds, s: SignalSettings) -> None:
    """Trust and bond (both views) with the new professional against the rounds before."""
    cols = [rounds.keys.index(k) for k in s.handover_characteristics if k in rounds.keys]
    if not cols:
        return
    block = np.concatenate([_worse(rounds, rater, s)[:, cols] for rater in _RATERS], axis=1)
    after = rounds.after_handover[:, None]
    ok = ~np.isnan(block)
    gs = rounds.group_start
    n_before = _group_cumsum((ok & ~after).astype(np.float64), gs)
    n_after = _group_cumsum((ok & after).astype(np.float64), gs)
    sum_before = _group_cumsum(np.where(ok & ~after, block, 0.0), gs)
    sum_after = _group_cumsum(np.where(ok & after, block, 0.0), gs)
    valid = (n_before > 0) & (n_after > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(valid, sum_after / n_after - sum_before / n_before, np.nan)
        var = np.where(valid, 1.0 / n_after + 1.0 / n_before, np.nan)
    z, _ = _pooled_z(diff, var, s.wobble_correlation)
    rounds_after = _group_cumsum(rounds.after_handover.astype(np.float64), gs)
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


def _disagreement(parts: list[pd.DataFrame], rounds: _Rounds, s: SignalSettings) -> None:
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
    gap_trend = (_worse(rounds, "client", s) - _worse(rounds, "professional", s)) / math.sqrt(2)
    for sign, label in ((1.0, "client"), (-1.0, "professional")):
        z, n, change = _trend_z(sign * gap_trend, rounds, s.wobble_correlation)
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
    parts: list[pd.DataFrame], rounds: _Rounds, s: SignalSettings, today: dt.date | None
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


def _stopped(parts: list[pd.DataFrame], rounds: _Rounds, s: SignalSettings) -> None:
    """The client submitted before, then skipped ``stopped_rounds`` rounds in a row."""
    done = rounds.submitted["client"]
    ever = _group_cumsum(done.astype(np.float64), rounds.group_start)
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


def _reference_detect_signals(
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
    in which its rule holds, using only the rounds up to that one.

    Raises :class:`SignalInputError` for missing columns, unknown raters or duplicate rows.
    """
    s = settings or SignalSettings()
    rounds = _reshape(scores, s)
    parts: list[pd.DataFrame] = []
    if len(rounds.round_index):
        _deterioration(parts, rounds, s)
        _friction_high(parts, rounds, s)
        _after_handover(parts, rounds, s)
        _disagreement(parts, rounds, s)
        _not_discussed(parts, rounds, s, today)
        _stopped(parts, rounds, s)
    if not parts:
        parts.append(pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS}))
    out = pd.concat(parts, ignore_index=True)
    kind_rank = out["kind"].map({k: i for i, k in enumerate(SIGNAL_KINDS)})
    out = (
        out.assign(_rank=kind_rank)
        .sort_values(["trajectory_id", "round_index", "_rank"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
    # Fixed types, also when nothing is raised: text columns as str, the optional ones as
    # objects holding a str or None.
    return pd.DataFrame(
        {
            "trajectory_id": out["trajectory_id"].astype(str),
            "kind": out["kind"].astype(str),
            "round_index": out["round_index"].astype(np.int64),
            "characteristic": out["characteristic"].astype(object),
            "rater": out["rater"].astype(object),
            "detail": out["detail"].astype(str),
        }
    )
