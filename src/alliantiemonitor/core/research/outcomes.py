"""Outcome models: logistic regression, Kaplan–Meier with the log-rank test, Cox regression.

Every function takes a DataFrame and column names and returns a frozen result with
``to_dict()`` (JSON-safe: no NaN or infinity, ``None`` instead). Rows with a missing value in
any column a model uses are left out (listwise) and counted in ``n_excluded``.

* **Logistic regression** by Newton–Raphson (iteratively reweighted least squares) with step
  halving; standard errors from the inverse of the observed information; Wald z tests and
  confidence intervals; odds ratios. Perfect or quasi-complete separation (no finite maximum
  likelihood) is detected with a linear programme and reported as not estimable.
* **Kaplan–Meier** per group: the product-limit estimate at every observed time, Greenwood's
  variance, a confidence interval on the log(−log) scale, the median survival time, and the
  log-rank test over the groups.
* **Cox proportional hazards** by Newton–Raphson on the partial likelihood, with Breslow's or
  Efron's handling of tied event times; hazard ratios and Harrell's concordance.

The formulas and the tests that compare every number with statsmodels and lifelines are in
docs/analyses/outcomes.md. Bad input (a missing column, a non-numeric predictor, an outcome
that is not 0/1) raises :class:`ValueError` naming the problem; a model that cannot be estimated
on valid data returns a result with ``status="not_estimable"`` and the reason.

Logistic regression lives here; Kaplan–Meier in :mod:`.survival` and Cox in :mod:`.cox`, both
importable from this module too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from alliantiemonitor.core.research._regression_common import (
    Coefficient,
    FloatArray,
    Status,
    _binary,
    _check_confidence,
    _coefficients,
    _numeric,
    _require_columns,
    _safe,
)
from alliantiemonitor.core.research.cox import CoxResult, Ties, concordance_index, cox_regression
from alliantiemonitor.core.research.survival import (
    KaplanMeierResult,
    LogRankResult,
    SurvivalCurve,
    SurvivalRow,
    kaplan_meier,
)

__all__ = [
    "Coefficient",
    "CoxResult",
    "KaplanMeierResult",
    "LogRankResult",
    "LogisticResult",
    "SurvivalCurve",
    "SurvivalRow",
    "Ties",
    "concordance_index",
    "cox_regression",
    "kaplan_meier",
    "logistic_regression",
]

#: A linear predictor beyond this (a fitted probability within about 1e-13 of 0 or 1) makes the
#: logistic fit suspect of separation, which the linear programme then decides.
_SEPARATION_ETA = 30.0


@dataclass(frozen=True)
class LogisticResult:
    """A fitted logistic regression (or why it could not be fitted)."""

    outcome: str
    status: Status
    reason: str
    n: int
    events: int
    n_excluded: int
    coefficients: tuple[Coefficient, ...] = ()
    log_likelihood: float | None = None
    null_log_likelihood: float | None = None
    iterations: int = 0
    converged: bool = False
    separation: bool = False

    @property
    def pseudo_r2(self) -> float | None:
        """McFadden's R²: ``1 − log L / log L₀``."""
        if self.log_likelihood is None or not self.null_log_likelihood:
            return None
        return 1 - self.log_likelihood / self.null_log_likelihood

    def coefficient(self, name: str) -> Coefficient:
        """The coefficient called ``name`` (``KeyError`` when absent)."""
        for one in self.coefficients:
            if one.name == name:
                return one
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-safe plain data."""
        return {
            "analysis": "logistic_regression",
            "outcome": self.outcome,
            "status": self.status,
            "reason": self.reason,
            "n": self.n,
            "events": self.events,
            "n_excluded": self.n_excluded,
            "missing": "listwise",
            "coefficients": [c.to_dict() for c in self.coefficients],
            "log_likelihood": _safe(self.log_likelihood),
            "null_log_likelihood": _safe(self.null_log_likelihood),
            "pseudo_r2": _safe(self.pseudo_r2),
            "iterations": self.iterations,
            "converged": self.converged,
            "separation": self.separation,
        }


def _logistic_loglik(y: FloatArray, eta: FloatArray) -> float:
    # log L = Σ y·η − log(1 + e^η), written stably for large |η|.
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def _separated(x: FloatArray, y: FloatArray) -> bool:
    """Whether some direction β ≠ 0 has ``(2y − 1)·xβ ≥ 0`` for every row, > 0 for some.

    Then the likelihood keeps rising along β (complete or quasi-complete separation) and no
    finite maximum exists. Decided by the linear programme: maximise Σ (2y − 1)·xβ over the box
    −1 ≤ β ≤ 1 subject to every term ≥ 0; separation when the maximum is positive.
    """
    signed = (2 * y - 1)[:, None] * x
    scale = np.maximum(np.abs(signed).max(axis=0), 1e-300)
    signed = signed / scale
    result = optimize.linprog(
        c=-signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(len(y)),
        bounds=[(-1.0, 1.0)] * x.shape[1],
        method="highs",
    )
    return bool(result.status == 0 and -result.fun > 1e-7 * len(y))


def logistic_regression(
    frame: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    intercept: bool = True,
    confidence: float = 0.95,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> LogisticResult:
    """Fit ``P(outcome = 1) = 1 / (1 + exp(−(β₀ + Σ βⱼ·xⱼ)))`` by maximum likelihood.

    ``outcome`` is a 0/1 or boolean column; ``predictors`` numeric or boolean columns. Rows
    with a missing value in any of them are left out. Returns estimates with standard errors
    (inverse observed information), Wald z and p, ``confidence`` intervals and odds ratios,
    plus n, the number of events (outcome = 1) and the log-likelihoods. Not estimable (with
    the reason) when there are no events or no non-events, fewer rows than coefficients, a
    predictor that is constant or a linear combination of others, separation, or no
    convergence. Raises :class:`ValueError` for bad input.
    """
    _check_confidence(confidence)
    predictors = list(predictors)
    _require_columns(frame, [outcome, *predictors])
    y_all = _binary(frame, outcome)
    columns = [_numeric(frame, name) for name in predictors]
    parts = ([np.ones(len(frame))] if intercept else []) + columns
    if not parts:
        raise ValueError("the model needs an intercept or at least one predictor")
    x_all = np.column_stack(parts)
    names = (["intercept"] if intercept else []) + predictors
    keep = ~np.isnan(y_all) & ~np.isnan(x_all).any(axis=1)
    y, x = y_all[keep], x_all[keep]
    n, p = x.shape
    events = int(y.sum())

    def not_estimable(reason: str, **extra: Any) -> LogisticResult:
        return LogisticResult(
            outcome=outcome,
            status="not_estimable",
            reason=reason,
            n=n,
            events=events,
            n_excluded=int((~keep).sum()),
            **extra,
        )

    if events == 0 or events == n:
        return not_estimable(f"the outcome {outcome!r} does not vary ({events} events in {n})")
    if n <= p:
        return not_estimable(f"{n} complete rows for {p} coefficients")
    if np.linalg.matrix_rank(x) < p:
        return not_estimable(
            "a predictor is constant or a linear combination of the others (collinear design)"
        )

    beta = np.zeros(p)
    if intercept:
        beta[0] = math.log(events / (n - events))
    loglik = _logistic_loglik(y, x @ beta)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        eta = x @ beta
        prob = 1 / (1 + np.exp(-eta))
        weight = prob * (1 - prob)
        information = (x * weight[:, None]).T @ x
        score = x.T @ (y - prob)
        try:
            step = np.linalg.solve(information, score)
        except np.linalg.LinAlgError:
            break
        # Step halving: never accept a step that lowers the likelihood.
        new_loglik = -math.inf
        factor = 1.0
        for _ in range(30):
            candidate = beta + factor * step
            new_loglik = _logistic_loglik(y, x @ candidate)
            if new_loglik >= loglik - 1e-12:
                break
            factor /= 2
        change = new_loglik - loglik
        beta, loglik = candidate, new_loglik
        if abs(change) <= tol * (abs(loglik) + tol) and np.max(np.abs(factor * step)) < 1e-8:
            converged = True
            break

    eta = x @ beta
    suspect = not converged or bool(np.max(np.abs(eta)) > _SEPARATION_ETA)
    if suspect and _separated(x, y):
        return not_estimable(
            "separation: a combination of the predictors predicts the outcome (almost) "
            "perfectly, so the estimates have no finite maximum likelihood",
            separation=True,
            iterations=iterations,
        )
    if not converged:
        return not_estimable(f"no convergence in {max_iter} iterations", iterations=iterations)
    prob = 1 / (1 + np.exp(-eta))
    information = (x * (prob * (1 - prob))[:, None]).T @ x
    covariance = np.asarray(np.linalg.inv(information), dtype=np.float64)
    null_p = events / n
    null_loglik = events * math.log(null_p) + (n - events) * math.log(1 - null_p)
    return LogisticResult(
        outcome=outcome,
        status="ok",
        reason="",
        n=n,
        events=events,
        n_excluded=int((~keep).sum()),
        coefficients=_coefficients(names, beta, covariance, confidence),
        log_likelihood=loglik,
        null_log_likelihood=null_loglik,
        iterations=iterations,
        converged=True,
    )
