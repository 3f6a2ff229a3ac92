"""Cox proportional hazards regression (Breslow or Efron ties) and Harrell's concordance.

Formulas, choices and the tests against statsmodels and lifelines: docs/analyses/outcomes.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliantiemonitor.core.research._regression_common import (
    Coefficient,
    FloatArray,
    Status,
    _check_confidence,
    _coefficients,
    _numeric,
    _safe,
    _survival_data,
)

__all__ = ["CoxResult", "Ties", "concordance_index", "cox_regression"]

Ties = Literal["breslow", "efron"]


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional hazards model (or why it could not be fitted)."""

    duration: str
    event: str
    ties: Ties
    status: Status
    reason: str
    n: int
    events: int
    n_excluded: int
    coefficients: tuple[Coefficient, ...] = ()
    log_likelihood: float | None = None
    null_log_likelihood: float | None = None
    concordance: float | None = None
    iterations: int = 0
    converged: bool = False

    def coefficient(self, name: str) -> Coefficient:
        """The coefficient called ``name`` (``KeyError`` when absent)."""
        for one in self.coefficients:
            if one.name == name:
                return one
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe plain data."""
        return {
            "analysis": "cox_regression",
            "duration": self.duration,
            "event": self.event,
            "ties": self.ties,
            "status": self.status,
            "reason": self.reason,
            "n": self.n,
            "events": self.events,
            "n_excluded": self.n_excluded,
            "missing": "listwise",
            "coefficients": [c.to_dict() for c in self.coefficients],
            "log_likelihood": _safe(self.log_likelihood),
            "null_log_likelihood": _safe(self.null_log_likelihood),
            "concordance": _safe(self.concordance),
            "iterations": self.iterations,
            "converged": self.converged,
        }


@dataclass(frozen=True)
class _CoxData:
    """Rows sorted by time, with what the partial likelihood needs per event."""

    x: FloatArray  # n × p, sorted by time
    time_code: npt.NDArray[np.int64]  # index of each row's distinct time
    event_rows: npt.NDArray[np.int64]  # rows with an event
    event_code: npt.NDArray[np.int64]  # distinct time of each event
    tie_fraction: FloatArray  # l / d of each event within its tied group (0 for Breslow)
    n_times: int


def _cox_data(times: FloatArray, observed: FloatArray, x: FloatArray, ties: Ties) -> _CoxData:
    order = np.argsort(times, kind="stable")
    times, observed, x = times[order], observed[order], x[order]
    grid, time_code = np.unique(times, return_inverse=True)
    event_rows = np.flatnonzero(observed == 1)
    event_code = time_code[event_rows]
    tied = np.bincount(event_code, minlength=len(grid))[event_code].astype(np.float64)
    first = np.searchsorted(event_code, event_code, side="left")
    rank = np.arange(len(event_rows)) - first
    fraction = rank / tied if ties == "efron" else np.zeros(len(event_rows))
    return _CoxData(x, time_code.astype(np.int64), event_rows, event_code, fraction, len(grid))


def _cox_derivatives(data: _CoxData, beta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    """Log partial likelihood, its gradient and Hessian at ``beta``.

    Per event i at distinct time g with tied-event sums D (Efron: ``c = l/d``; Breslow: 0)::

        denominator_i = S0_g − c·D0_g,  S0_g = Σ_{t_j ≥ t_g} exp(x_j β)
        log L = Σ_i [x_i β − log denominator_i]
    """
    x = data.x
    n, p = x.shape
    eta = x @ beta
    shift = float(eta.max())
    w = np.exp(eta - shift)
    wx = w[:, None] * x
    wxx = wx[:, :, None] * x[:, None, :]
    m = data.n_times

    def per_time(values: FloatArray, mask: npt.NDArray[np.bool_] | None = None) -> FloatArray:
        flat = values.reshape(n, -1)
        codes = data.time_code
        if mask is not None:
            flat, codes = flat[mask], codes[mask]
        out = np.zeros((m, flat.shape[1]))
        np.add.at(out, codes, flat)
        return out

    def at_or_after(values: FloatArray) -> FloatArray:
        return np.cumsum(values[::-1], axis=0)[::-1]

    is_event = np.zeros(n, dtype=bool)
    is_event[data.event_rows] = True
    s0 = at_or_after(per_time(w))[:, 0]
    s1 = at_or_after(per_time(wx))
    s2 = at_or_after(per_time(wxx)).reshape(m, p, p)
    d0 = per_time(w, is_event)[:, 0]
    d1 = per_time(wx, is_event)
    d2 = per_time(wxx, is_event).reshape(m, p, p)

    g = data.event_code
    c = data.tie_fraction
    denominator = s0[g] - c * d0[g]
    first = (s1[g] - c[:, None] * d1[g]) / denominator[:, None]
    second = (s2[g] - c[:, None, None] * d2[g]) / denominator[:, None, None]
    loglik = float(eta[data.event_rows].sum() - (np.log(denominator) + shift).sum())
    gradient = x[data.event_rows].sum(axis=0) - first.sum(axis=0)
    hessian = -(second.sum(axis=0) - np.einsum("ei,ej->ij", first, first))
    return loglik, gradient, hessian


def concordance_index(
    times: npt.ArrayLike, risk: npt.ArrayLike, observed: npt.ArrayLike
) -> float | None:
    """Harrell's C: the share of comparable pairs whose higher ``risk`` has the earlier event.

    A pair is comparable when the earlier time is an event and the other time is later, or
    equal and censored (outlived it); tied risks count half. ``None`` when no pair is
    comparable. Runs in O(n log n) with a Fenwick tree over the ranks of ``risk``.
    """
    t = np.asarray(times, dtype=np.float64)
    r = np.asarray(risk, dtype=np.float64)
    e = np.asarray(observed, dtype=np.float64) == 1
    uniques, rank = np.unique(r, return_inverse=True)
    size = len(uniques)
    tree = [0] * (size + 1)

    def add(position: int) -> None:
        i = position + 1
        while i <= size:
            tree[i] += 1
            i += i & -i

    def below(position: int) -> int:  # how many stored ranks are < position
        total, i = 0, position
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    # Walk the distinct times from late to early: first store the censored rows at this time
    # (they outlive this time's events), count each event against what is stored, then store
    # this time's events (comparable with everything earlier).
    order = np.lexsort((e, -t))
    concordant = 0.0
    pairs = 0
    stored = 0
    i = 0
    n = len(t)
    ranks = rank.tolist()
    while i < n:
        j = i
        while j < n and t[order[j]] == t[order[i]]:
            j += 1
        group = order[i:j]
        for row in group[~e[group]]:
            add(ranks[row])
            stored += 1
        for row in group[e[group]]:
            lower = below(ranks[row])
            equal = below(ranks[row] + 1) - lower
            concordant += lower + 0.5 * equal
            pairs += stored
        for row in group[e[group]]:
            add(ranks[row])
            stored += 1
        i = j
    return concordant / pairs if pairs else None


def cox_regression(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    predictors: Sequence[str],
    ties: Ties = "breslow",
    confidence: float = 0.95,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> CoxResult:
    """Fit the Cox proportional hazards model ``h(t | x) = h₀(t) · exp(xβ)``.

    Maximises the partial likelihood by Newton–Raphson with step halving; ``ties`` is
    ``"breslow"`` (every tied event sees the whole risk set) or ``"efron"`` (tied events leave
    the risk set gradually). Returns estimates, standard errors, Wald tests, ``confidence``
    intervals, hazard ratios, the log partial likelihoods and Harrell's concordance. Not
    estimable when there are no events, a predictor is constant or collinear, or the
    likelihood keeps rising (monotone likelihood, the survival form of separation).
    """
    _check_confidence(confidence)
    if ties not in ("breslow", "efron"):
        raise ValueError(f"ties must be 'breslow' or 'efron', not {ties!r}")
    predictors = list(predictors)
    if not predictors:
        raise ValueError("a Cox model needs at least one predictor")
    times, observed, keep = _survival_data(frame, duration, event, predictors)
    x_all = np.column_stack([_numeric(frame, name) for name in predictors])
    keep &= ~np.isnan(x_all).any(axis=1)
    times, observed, x = times[keep], observed[keep], x_all[keep]
    n, p = x.shape
    events = int(observed.sum())
    base: dict[str, Any] = {
        "duration": duration,
        "event": event,
        "ties": ties,
        "n": n,
        "events": events,
        "n_excluded": int((~keep).sum()),
    }
    if events == 0:
        return CoxResult(**base, status="not_estimable", reason="no events")
    centred = x - x.mean(axis=0) if n else x
    if n <= p or np.linalg.matrix_rank(centred) < p:
        return CoxResult(
            **base,
            status="not_estimable",
            reason="a predictor is constant or a linear combination of the others",
        )
    # Centring changes no estimate (it cancels in the partial likelihood) but keeps exp() tame.
    data = _cox_data(times, observed, centred, ties)
    beta = np.zeros(p)
    loglik, gradient, hessian = _cox_derivatives(data, beta)
    null_loglik = loglik
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        try:
            step = np.linalg.solve(-hessian, gradient)
        except np.linalg.LinAlgError:
            break
        factor = 1.0
        for _ in range(30):
            candidate = beta + factor * step
            new = _cox_derivatives(data, candidate)
            if new[0] >= loglik - 1e-12:
                break
            factor /= 2
        change = new[0] - loglik
        beta = candidate
        loglik, gradient, hessian = new
        if abs(change) <= tol * (abs(loglik) + tol) and np.max(np.abs(factor * step)) < 1e-8:
            converged = True
            break
    if not converged or np.max(np.abs(beta)) * np.max(np.abs(centred)) > 50:
        return CoxResult(
            **base,
            status="not_estimable",
            reason="the partial likelihood keeps rising (monotone likelihood: a predictor "
            "separates those with and without an event) or no convergence",
            iterations=iterations,
        )
    covariance = np.asarray(np.linalg.inv(-hessian), dtype=np.float64)
    return CoxResult(
        **base,
        status="ok",
        reason="",
        coefficients=_coefficients(predictors, beta, covariance, confidence),
        log_likelihood=loglik,
        null_log_likelihood=null_loglik,
        concordance=concordance_index(times, x @ beta, observed),
        iterations=iterations,
        converged=True,
    )
