"""Shared pieces of the regression and survival models: input checks and coefficients.

Private to :mod:`alliantiemonitor.core.research.outcomes`, ``survival`` and ``cox``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FloatArray = npt.NDArray[np.float64]
Status = Literal["ok", "not_estimable"]


def _safe(value: float | None) -> float | None:
    """``value`` as a float, or ``None`` when missing or not finite (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Coefficient:
    """One estimated coefficient, its Wald test and confidence interval.

    ``ratio`` is ``exp(estimate)``: the odds ratio (logistic) or hazard ratio (Cox).
    """

    name: str
    estimate: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    ratio: float
    ratio_low: float
    ratio_high: float

    def to_dict(self) -> dict[str, Any]:
        """The coefficient as JSON-safe plain data."""
        return {
            "name": self.name,
            **{
                key: _safe(getattr(self, key))
                for key in (
                    "estimate",
                    "se",
                    "z",
                    "p_value",
                    "ci_low",
                    "ci_high",
                    "ratio",
                    "ratio_low",
                    "ratio_high",
                )
            },
        }


def _coefficients(
    names: Sequence[str], beta: FloatArray, covariance: FloatArray, confidence: float
) -> tuple[Coefficient, ...]:
    z_crit = float(stats.norm.ppf(0.5 + confidence / 2))
    se = np.sqrt(np.diag(covariance))
    result = []
    for name, b, s in zip(names, beta, se, strict=True):
        z = float(b / s)
        low, high = float(b - z_crit * s), float(b + z_crit * s)
        with np.errstate(over="ignore"):
            ratios = np.exp([b, low, high])
        result.append(
            Coefficient(
                name=name,
                estimate=float(b),
                se=float(s),
                z=z,
                p_value=float(2 * stats.norm.sf(abs(z))),
                ci_low=low,
                ci_high=high,
                ratio=float(ratios[0]),
                ratio_low=float(ratios[1]),
                ratio_high=float(ratios[2]),
            )
        )
    return tuple(result)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence}")


def _require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"column(s) not in the data: {', '.join(map(str, missing))}")
    if len(set(columns)) != len(columns):
        raise ValueError(f"a column is named more than once: {', '.join(columns)}")


def _numeric(frame: pd.DataFrame, column: str) -> FloatArray:
    """A column as floats (booleans as 0/1, missing as NaN); refuse text or categories."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series):
        return np.asarray(series.astype("float64"), dtype=np.float64)
    if series.dtype == object:
        values = series.dropna()
        if all(isinstance(v, bool | np.bool_) for v in values):
            return np.asarray(series.astype("float64"), dtype=np.float64)
        raise ValueError(f"column {column!r} is not numeric (dtype {series.dtype})")
    if not pd.api.types.is_numeric_dtype(series):
        raise ValueError(f"column {column!r} is not numeric (dtype {series.dtype})")
    values_f = np.asarray(series.astype("float64"), dtype=np.float64)
    if np.isinf(values_f).any():
        raise ValueError(f"column {column!r} contains infinite values")
    return values_f


def _binary(frame: pd.DataFrame, column: str) -> FloatArray:
    values = _numeric(frame, column)
    present = values[~np.isnan(values)]
    odd = np.setdiff1d(np.unique(present), [0.0, 1.0])
    if odd.size:
        shown = ", ".join(f"{v:g}" for v in odd[:5])
        raise ValueError(f"column {column!r} must be 0/1 or true/false, found {shown}")
    return values


def _survival_data(
    frame: pd.DataFrame, duration: str, event: str, extra: Sequence[str]
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Durations, 0/1 events and the mask of complete rows; refuse negative durations."""
    _require_columns(frame, [duration, event, *extra])
    times = _numeric(frame, duration)
    observed = _binary(frame, event)
    keep = ~np.isnan(times) & ~np.isnan(observed)
    if (times[keep] < 0).any():
        raise ValueError(f"column {duration!r} has negative durations")
    return times, observed, keep


@dataclass(frozen=True)
class _RiskTable:
    """Per distinct time (ascending): at risk just before it, events and censorings at it."""

    times: FloatArray
    at_risk: FloatArray
    events: FloatArray
    censored: FloatArray


def _risk_table(times: FloatArray, observed: FloatArray, grid: FloatArray) -> _RiskTable:
    """Counts on ``grid`` (sorted distinct times that include every time in ``times``)."""
    where = np.searchsorted(grid, times)
    leaving = np.bincount(where, minlength=len(grid)).astype(np.float64)
    events = np.asarray(np.bincount(where, weights=observed, minlength=len(grid)), np.float64)
    # At risk at t: everyone whose time is t or later (a censoring at t still counts at t).
    at_risk = np.cumsum(leaving[::-1])[::-1]
    return _RiskTable(grid, at_risk, events, leaving - events)
