"""Kaplan–Meier survival per group, with Greenwood intervals, medians and the log-rank test.

Formulas, choices and the tests against lifelines: docs/analyses/outcomes.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from alliantiemonitor.core.research._regression_common import (
    FloatArray,
    Status,
    _check_confidence,
    _risk_table,
    _safe,
    _survival_data,
)

__all__ = ["KaplanMeierResult", "LogRankResult", "SurvivalCurve", "SurvivalRow", "kaplan_meier"]


@dataclass(frozen=True)
class SurvivalRow:
    """The Kaplan–Meier estimate just after ``time``."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    se: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-safe plain data."""
        return {
            "time": self.time,
            "at_risk": self.at_risk,
            "events": self.events,
            "censored": self.censored,
            "survival": self.survival,
            "se": _safe(self.se),
            "ci_low": _safe(self.ci_low),
            "ci_high": _safe(self.ci_high),
        }


@dataclass(frozen=True)
class SurvivalCurve:
    """The survival table of one group; ``median`` is ``None`` when never reached."""

    group: str
    n: int
    events: int
    table: tuple[SurvivalRow, ...]
    median: float | None

    def survival_at(self, time: float) -> float:
        """The estimated survival at ``time`` (a step function, 1 before the first time)."""
        times = [row.time for row in self.table]
        position = int(np.searchsorted(times, time, side="right")) - 1
        return 1.0 if position < 0 else self.table[position].survival

    def to_dict(self) -> dict[str, Any]:
        """The curve as JSON-safe plain data."""
        return {
            "group": self.group,
            "n": self.n,
            "events": self.events,
            "median": _safe(self.median),
            "table": [row.to_dict() for row in self.table],
        }


@dataclass(frozen=True)
class LogRankResult:
    """The log-rank test that the groups' survival curves are equal."""

    chi2: float
    df: int
    p_value: float
    observed: dict[str, float]
    expected: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The test as JSON-safe plain data."""
        return {
            "chi2": _safe(self.chi2),
            "df": self.df,
            "p_value": _safe(self.p_value),
            "observed": dict(self.observed),
            "expected": {key: _safe(value) for key, value in self.expected.items()},
        }


@dataclass(frozen=True)
class KaplanMeierResult:
    """Survival curves per group and, for two or more groups, the log-rank test."""

    duration: str
    event: str
    group: str | None
    status: Status
    reason: str
    n_excluded: int
    confidence: float
    curves: tuple[SurvivalCurve, ...] = ()
    logrank: LogRankResult | None = None
    logrank_reason: str = ""

    def curve(self, group: str) -> SurvivalCurve:
        """The curve of ``group`` (``KeyError`` when absent)."""
        for one in self.curves:
            if one.group == group:
                return one
        raise KeyError(group)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe plain data."""
        return {
            "analysis": "kaplan_meier",
            "duration": self.duration,
            "event": self.event,
            "group": self.group,
            "status": self.status,
            "reason": self.reason,
            "n_excluded": self.n_excluded,
            "missing": "listwise",
            "confidence": self.confidence,
            "ci_method": "Greenwood variance, log(-log) transformed",
            "curves": [curve.to_dict() for curve in self.curves],
            "logrank": None if self.logrank is None else self.logrank.to_dict(),
            "logrank_reason": self.logrank_reason,
        }


def _km_curve(label: str, times: FloatArray, observed: FloatArray, z_crit: float) -> SurvivalCurve:
    grid = np.unique(times)
    table = _risk_table(times, observed, grid)
    factor = 1 - table.events / table.at_risk
    survival = np.cumprod(factor)
    # Greenwood: Var(S) = S² Σ d / (n (n − d)); undefined once S reaches 0 (n = d).
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(table.events / (table.at_risk * (table.at_risk - table.events)))
        se = survival * np.sqrt(greenwood)
        log_s = np.log(survival)
        # On the log(−log) scale: Var = Σ d / (n (n − d)) / (log S)²; S^exp(±z·sd) keeps [0, 1].
        spread = z_crit * np.sqrt(greenwood) / np.abs(log_s)
        low = survival ** np.exp(spread)
        high = survival ** np.exp(-spread)
    # Before the first event the estimate is 1 with no uncertainty.
    none_yet = np.cumsum(table.events) == 0
    rows = []
    for i, time in enumerate(grid):
        defined = not none_yet[i] and 0 < survival[i] < 1
        rows.append(
            SurvivalRow(
                time=float(time),
                at_risk=int(table.at_risk[i]),
                events=int(table.events[i]),
                censored=int(table.censored[i]),
                survival=float(survival[i]),
                se=float(se[i]) if not none_yet[i] and math.isfinite(se[i]) else None,
                ci_low=float(low[i]) if defined else (1.0 if none_yet[i] else None),
                ci_high=float(high[i]) if defined else (1.0 if none_yet[i] else None),
            )
        )
    reached = np.flatnonzero(survival <= 0.5)
    return SurvivalCurve(
        group=label,
        n=len(times),
        events=int(observed.sum()),
        table=tuple(rows),
        median=float(grid[reached[0]]) if reached.size else None,
    )


def _logrank(
    times: FloatArray, observed: FloatArray, codes: npt.NDArray[np.int64], labels: list[str]
) -> LogRankResult:
    """The k-group log-rank statistic (Mantel–Haenszel variance with the tie correction)."""
    grid = np.unique(times[observed == 1])
    k = len(labels)
    at_risk = np.empty((len(grid), k))
    events = np.empty((len(grid), k))
    for g in range(k):
        mine = codes == g
        # At risk at an event time: everyone in the group whose time is that late or later.
        sorted_times = np.sort(times[mine])
        at_risk[:, g] = len(sorted_times) - np.searchsorted(sorted_times, grid, side="left")
        event_times = times[mine & (observed == 1)]
        events[:, g] = np.bincount(np.searchsorted(grid, event_times), minlength=len(grid)).astype(
            np.float64
        )
    total = at_risk.sum(axis=1)
    deaths = events.sum(axis=1)
    expected = at_risk * (deaths / total)[:, None]
    share = at_risk / total[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        tie = np.where(total > 1, deaths * (total - deaths) / (total - 1), 0.0)
    # V_gh = Σ tie · share_g (δ_gh − share_h)
    variance = np.einsum("t,tg,gh->gh", tie, share, np.eye(k)) - np.einsum(
        "t,tg,th->gh", tie, share, share
    )
    difference = events.sum(axis=0) - expected.sum(axis=0)
    reduced = variance[:-1, :-1]
    chi2 = float(difference[:-1] @ np.linalg.pinv(reduced) @ difference[:-1])
    df = k - 1
    return LogRankResult(
        chi2=chi2,
        df=df,
        p_value=float(stats.chi2.sf(chi2, df)),
        observed={label: float(v) for label, v in zip(labels, events.sum(axis=0), strict=True)},
        expected={label: float(v) for label, v in zip(labels, expected.sum(axis=0), strict=True)},
    )


def kaplan_meier(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str | None = None,
    confidence: float = 0.95,
) -> KaplanMeierResult:
    """Kaplan–Meier survival per ``group`` (one curve for all when ``None``) and the log-rank test.

    ``duration`` holds non-negative times (time to the event or to censoring), ``event`` 1/true
    when the event was observed and 0/false when censored. Each curve lists every distinct time
    with the number at risk, events, censorings, the survival estimate, Greenwood's standard
    error and a ``confidence`` interval on the log(−log) scale, plus the median survival time
    (the first time the estimate is at or below 0.5; ``None`` when never). With two or more
    groups the log-rank test compares them (``logrank_reason`` says why it is absent).
    """
    _check_confidence(confidence)
    times, observed, keep = _survival_data(frame, duration, event, [group] if group else [])
    if group is not None:
        labels_all = frame[group]
        keep &= labels_all.notna().to_numpy()
    n_excluded = int((~keep).sum())
    times, observed = times[keep], observed[keep]
    base: dict[str, Any] = {
        "duration": duration,
        "event": event,
        "group": group,
        "n_excluded": n_excluded,
        "confidence": confidence,
    }
    if len(times) == 0:
        return KaplanMeierResult(**base, status="not_estimable", reason="no complete rows")
    if group is None:
        codes = np.zeros(len(times), dtype=np.int64)
        labels = ["all"]
    else:
        # Groups in sorted order of their values, shown as text.
        values = labels_all[keep].to_numpy()
        uniques, codes_raw = np.unique(values.astype(str), return_inverse=True)
        codes = codes_raw.astype(np.int64)
        labels = [str(u) for u in uniques]
    z_crit = float(stats.norm.ppf(0.5 + confidence / 2))
    curves = tuple(
        _km_curve(label, times[codes == g], observed[codes == g], z_crit)
        for g, label in enumerate(labels)
    )
    logrank: LogRankResult | None = None
    reason = ""
    if len(labels) < 2:
        reason = "one group: nothing to compare"
    elif observed.sum() == 0:
        reason = "no events: the curves cannot differ"
    else:
        logrank = _logrank(times, observed, codes, labels)
    return KaplanMeierResult(
        **base, status="ok", reason="", curves=curves, logrank=logrank, logrank_reason=reason
    )
