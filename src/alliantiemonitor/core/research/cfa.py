"""Confirmatory factor analysis and measurement invariance of a mapping of items to scales.

The model is the correlated-factors model: every item loads on exactly one factor (its scale),
the factors correlate freely, the residuals are uncorrelated. It is estimated by maximum
likelihood on the sample covariance matrix (and, across groups, the means) with the conventions
of lavaan's defaults for ``estimator = "ML"`` (normal likelihood), so that the numbers can be
checked against lavaan's published results and against semopy:

* rows with a missing answer on any mapped item are left out (listwise deletion);
* the covariance matrix has divisor N and χ² = N · F_ML (lavaan's ``likelihood = "normal"``;
  semopy's ``MLW`` objective gives the same χ²);
* one group: factor variances fixed to 1, so loadings are free and factor covariances are
  correlations; reported loadings are standardised (``std.all``);
* several groups: the same, except that once loadings are held equal the factor variances are
  free in every group but the first, and once intercepts are held equal the latent means are
  free in every group but the first — equivalent to lavaan's marker parameterisation with
  ``group.equal``, which gives the same χ²;
* RMSEA = √G · √(max(χ² − df, 0) / (N · df)) with N, as lavaan does (semopy divides by N − 1),
  and its 90 % interval by inverting the noncentral χ² distribution;
* SRMR as lavaan's default (Bentler's): residual covariances divided by the observed standard
  deviations, root mean square over the lower triangle with the diagonal.

The formulas and the tests that check them are in docs/analyses/factor-structure.md. A model
that cannot be estimated on valid data (too few rows, a covariance matrix that is not positive
definite, no convergence) is a result with ``status == "not_estimable"``; bad input (a mapping
naming a missing column, an empty frame, a constant item) raises :class:`CfaInputError`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from alliantiemonitor.core.research.fit_indices import (
    FitIndices,
    baseline,
    finite,
    fit_indices,
    srmr,
)
from alliantiemonitor.core.research.measurement import (
    LEVELS,
    CfaInputError,
    Layout,
    Level,
    MappingError,
    complete_rows,
    layout_of,
    model_specs,
    moments,
    singular_items,
    start_matrices,
    start_vector,
)
from alliantiemonitor.core.research.sem import (
    FloatArray,
    GroupMoments,
    GroupSpec,
    Problem,
    fit,
    matrices,
)

__all__ = [
    "CfaInputError",
    "CfaResult",
    "FactorCorrelation",
    "FitIndices",
    "InvarianceResult",
    "InvarianceStep",
    "Loading",
    "MappingError",
    "ResidualVariance",
    "StepComparison",
    "fit_cfa",
    "invariance",
]

Status = Literal["ok", "not_estimable"]

#: How missing answers are handled; written into every result.
MISSING_RULE = "listwise"
ESTIMATOR = "ML"


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loading:
    """One item's loading: standardised (with its delta-method SE) and unstandardised."""

    factor: str
    item: str
    std: float
    std_se: float | None
    estimate: float
    se: float | None


@dataclass(frozen=True)
class FactorCorrelation:
    factor_a: str
    factor_b: str
    estimate: float
    se: float | None


@dataclass(frozen=True)
class ResidualVariance:
    """Residual variance of an item; ``std`` is its share of the item's implied variance."""

    item: str
    estimate: float
    se: float | None
    std: float


@dataclass(frozen=True)
class CfaResult:
    """The fitted correlated-factors model, or why it could not be estimated."""

    status: Status
    reason: str | None
    message: str | None
    n: int
    n_excluded: int
    factors: tuple[str, ...]
    items: tuple[str, ...]
    converged: bool
    iterations: int
    loadings: tuple[Loading, ...] = ()
    factor_correlations: tuple[FactorCorrelation, ...] = ()
    residual_variances: tuple[ResidualVariance, ...] = ()
    fit: FitIndices | None = None
    notes: tuple[str, ...] = ()
    missing: str = MISSING_RULE
    estimator: str = ESTIMATOR

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary (no NaN: undefined values are None with a note)."""
        out: dict[str, Any] = _json_safe(asdict(self))
        return out


@dataclass(frozen=True)
class StepComparison:
    """A model against the previous, less constrained one (χ² difference test, Δ indices)."""

    against: Level
    delta_chi2: float
    delta_df: int
    p_value: float | None
    delta_cfi: float | None
    delta_rmsea: float | None


@dataclass(frozen=True)
class InvarianceStep:
    """One model of the sequence, or why it could not be estimated."""

    level: Level
    status: Status
    reason: str | None
    message: str | None
    converged: bool
    iterations: int
    n_params: int
    fit: FitIndices | None = None
    comparison: StepComparison | None = None


@dataclass(frozen=True)
class InvarianceResult:
    """Configural, metric and scalar models across the groups of one column."""

    status: Status
    reason: str | None
    message: str | None
    group: str
    groups: tuple[str, ...]
    group_sizes: tuple[int, ...]
    n: int
    n_excluded: int
    factors: tuple[str, ...]
    items: tuple[str, ...]
    steps: tuple[InvarianceStep, ...] = ()
    notes: tuple[str, ...] = ()
    missing: str = MISSING_RULE
    estimator: str = ESTIMATOR
    reference_group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary (no NaN: undefined values are None with a reason)."""
        out: dict[str, Any] = _json_safe(asdict(self))
        return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return finite(float(value))
    raise TypeError(f"not JSON-safe: {value!r}")  # pragma: no cover - a programming error


# --- one group --------------------------------------------------------------------------------


def _not_estimable_cfa(
    layout: Layout, n: int, excluded: int, reason: str, message: str, iterations: int = 0
) -> CfaResult:
    return CfaResult(
        status="not_estimable",
        reason=reason,
        message=message,
        n=n,
        n_excluded=excluded,
        factors=layout.factors,
        items=layout.items,
        converged=False,
        iterations=iterations,
    )


def fit_cfa(frame: pd.DataFrame, mapping: Mapping[str, Sequence[str]]) -> CfaResult:
    """Fit the correlated-factors model of ``mapping`` (factor → item columns) to ``frame``.

    Maximum likelihood on the covariance matrix of the complete rows (listwise deletion), factor
    variances fixed to 1. Returns standardised loadings (with delta-method standard errors from
    the expected information), factor correlations, residual variances and χ², df, p, CFI, TLI,
    RMSEA with its 90 % interval, SRMR. Raises :class:`MappingError` for an unusable mapping and
    :class:`CfaInputError` for unusable data; a model that cannot be estimated on valid data
    comes back with ``status == "not_estimable"`` and the reason.
    """
    layout = layout_of(frame, mapping)
    block, complete = complete_rows(frame, layout.items)
    n = int(complete.sum())
    excluded = len(frame) - n
    specs, n_params = model_specs(layout, 1, None)
    p = len(layout.items)
    if n < n_params or n <= p:
        return _not_estimable_cfa(
            layout,
            n,
            excluded,
            "too_few_rows",
            f"{n} complete row(s) for a model with {n_params} free parameters and {p} items",
        )
    _, cov = moments(block[complete] if excluded else block)
    singular = singular_items(cov, layout.items)
    if singular:
        return _not_estimable_cfa(layout, n, excluded, "covariance_not_positive_definite", singular)
    data = [GroupMoments(n=n, cov=cov)]
    problem = Problem(specs, data, n_params)
    start = start_vector(specs, [start_matrices(layout, cov, None)], n_params)
    estimate = fit(problem, start)
    if not estimate.converged:
        return _not_estimable_cfa(
            layout,
            n,
            excluded,
            "not_converged",
            _no_convergence_message(layout, estimate.gradient_max),
            estimate.iterations,
        )
    params = _align_signs(specs[0], estimate.params, len(layout.factors))
    return _single_result(layout, n, excluded, problem, params, estimate.fmin, estimate.iterations)


def _no_convergence_message(layout: Layout, gradient_max: float) -> str:
    message = f"the estimator did not converge (largest gradient element {gradient_max:.2g})"
    if any(layout.factor_of.count(j) == 2 for j in range(len(layout.factors))):
        message += (
            "; a factor with two items is identified only through its correlations with the "
            "other factors, and these may be too close to zero in these data"
        )
    return message


def _align_signs(spec: GroupSpec, params: FloatArray, k: int) -> FloatArray:
    """Flip factors whose standardised loadings sum below zero (the likelihood cannot tell).

    Standardised, so that rescaling an item cannot flip a factor.
    """
    out = params.copy()
    mats = matrices(spec, out)
    std_lam = mats.lam / np.sqrt(np.diag(mats.sigma))[:, None]
    for j in range(k):
        if std_lam[:, j].sum() < 0:
            for i in np.nonzero(spec.lam_idx[:, j] >= 0)[0]:
                out[spec.lam_idx[i, j]] *= -1
            for m in range(k):
                if m != j and spec.phi_idx[j, m] >= 0:
                    out[spec.phi_idx[j, m]] *= -1
    return out


def _standardised(spec: GroupSpec, params: FloatArray) -> FloatArray:
    """Standardised loadings (one per item) followed by standardised residual variances."""
    mats = matrices(spec, params)
    implied_sd = np.sqrt(np.diag(mats.sigma))
    factor_sd = np.sqrt(np.diag(mats.phi))
    std_lam = (mats.lam * factor_sd).sum(axis=1) / implied_sd
    return np.concatenate([std_lam, mats.theta / implied_sd**2])


def _single_result(
    layout: Layout,
    n: int,
    excluded: int,
    problem: Problem,
    params: FloatArray,
    fmin: float,
    iterations: int,
) -> CfaResult:
    spec, data = problem.specs[0], problem.data[0]
    p, k = len(layout.items), len(layout.factors)
    notes: list[str] = []
    information = problem.information(params)
    covariance: FloatArray | None = None
    if np.linalg.matrix_rank(information) == information.shape[0]:
        # Cov(θ̂) = (N/2 · E[∂²F])⁻¹: F is −2/N times the log-likelihood up to a constant.
        covariance = 2.0 * np.linalg.inv(information) / n
    else:
        notes.append("standard errors unavailable: the information matrix is singular")
    se = np.sqrt(np.clip(np.diag(covariance), 0, None)) if covariance is not None else None
    std = _standardised(spec, params)
    std_se = None
    if covariance is not None:
        jac = _numeric_jacobian(lambda x: _standardised(spec, x), params)
        std_se = np.sqrt(np.clip(np.diag(jac @ covariance @ jac.T), 0, None))
    mats = matrices(spec, params)
    loadings = []
    for i, item in enumerate(layout.items):
        j = layout.factor_of[i]
        t = int(spec.lam_idx[i, j])
        loadings.append(
            Loading(
                factor=layout.factors[j],
                item=item,
                std=float(std[i]),
                std_se=finite(std_se[i]) if std_se is not None else None,
                estimate=float(mats.lam[i, j]),
                se=finite(se[t]) if se is not None else None,
            )
        )
    correlations = [
        FactorCorrelation(
            factor_a=layout.factors[a],
            factor_b=layout.factors[b],
            estimate=float(mats.phi[a, b]),
            se=finite(se[int(spec.phi_idx[a, b])]) if se is not None else None,
        )
        for a in range(k)
        for b in range(a + 1, k)
    ]
    residuals = [
        ResidualVariance(
            item=item,
            estimate=float(mats.theta[i]),
            se=finite(se[int(spec.theta_idx[i])]) if se is not None else None,
            std=float(std[p + i]),
        )
        for i, item in enumerate(layout.items)
    ]
    heywood = [r.item for r in residuals if r.estimate < 0]
    if heywood:
        notes.append(
            "negative residual variance (Heywood case) for: "
            + ", ".join(heywood)
            + "; standardised loadings beyond ±1 follow from it"
        )
    if any(abs(c.estimate) > 1 for c in correlations):
        notes.append("a factor correlation lies beyond ±1: the solution is improper")
    df = p * (p + 1) // 2 - problem.n_params
    baseline_chi2, baseline_df = baseline([data])
    indices = fit_indices(
        chi2=n * fmin,
        df=df,
        n=n,
        groups=1,
        baseline_chi2=baseline_chi2,
        baseline_df=baseline_df,
        srmr=srmr(data.cov, mats.sigma),
    )
    return CfaResult(
        status="ok",
        reason=None,
        message=None,
        n=n,
        n_excluded=excluded,
        factors=layout.factors,
        items=layout.items,
        converged=True,
        iterations=iterations,
        loadings=tuple(loadings),
        factor_correlations=tuple(correlations),
        residual_variances=tuple(residuals),
        fit=indices,
        notes=tuple(notes),
    )


def _numeric_jacobian(func: Any, x: FloatArray) -> FloatArray:
    """Central-difference Jacobian of a vector function (for delta-method standard errors)."""
    base = np.asarray(func(x))
    jac = np.zeros((base.size, x.size))
    for t in range(x.size):
        h = 1e-6 * max(1.0, abs(float(x[t])))
        up, down = x.copy(), x.copy()
        up[t] += h
        down[t] -= h
        jac[:, t] = (np.asarray(func(up)) - np.asarray(func(down))) / (2 * h)
    return jac


# --- several groups ---------------------------------------------------------------------------


def invariance(
    frame: pd.DataFrame, mapping: Mapping[str, Sequence[str]], group: str
) -> InvarianceResult:
    """Configural, metric and scalar invariance of ``mapping`` across the groups in ``group``.

    Multi-group maximum likelihood with a mean structure on the complete rows (listwise over the
    items and the group column). Configural: the same pattern in every group, everything free
    (factor variances 1, latent means 0). Metric: loadings equal across groups, factor variances
    free in every group but the first. Scalar: loadings and intercepts equal, latent means free
    in every group but the first. The first group is the first to appear in the data (lavaan's
    order). Each step has χ², df, p, CFI, TLI, RMSEA (with interval) and the χ² difference test
    and ΔCFI, ΔRMSEA against the step before. Raises :class:`CfaInputError` when ``group`` is
    not a column or has fewer than two groups.
    """
    layout = layout_of(frame, mapping)
    if group not in frame.columns:
        raise CfaInputError(f"group column {group!r} is not in the data")
    if group in layout.items:
        raise CfaInputError(f"group column {group!r} is also mapped as an item")
    block, complete = complete_rows(frame, layout.items)
    labels_all = frame[group]
    complete &= labels_all.notna().to_numpy()
    labels = labels_all[complete]
    order: list[Hashable] = list(pd.unique(labels))
    if len(order) < 2:
        raise CfaInputError(
            f"group column {group!r} has {len(order)} group(s) among the complete rows; "
            "invariance needs at least two"
        )
    n = int(complete.sum())
    excluded = len(frame) - n
    names = tuple(str(label) for label in order)
    if len(set(names)) != len(names):
        raise CfaInputError(f"group column {group!r} has labels that coincide as text")
    codes = labels.map({label: index for index, label in enumerate(order)}).to_numpy()
    rows = block[complete]
    sizes = tuple(int((codes == g).sum()) for g in range(len(order)))
    base = InvarianceResult(
        status="ok",
        reason=None,
        message=None,
        group=group,
        groups=names,
        group_sizes=sizes,
        n=n,
        n_excluded=excluded,
        factors=layout.factors,
        items=layout.items,
        reference_group=names[0],
    )
    p = len(layout.items)
    data: list[GroupMoments] = []
    for g, name in enumerate(names):
        if sizes[g] <= p:
            return _not_estimable_invariance(
                base, "too_few_rows", f"group {name!r} has {sizes[g]} complete row(s), {p} items"
            )
        mean, cov = moments(rows[codes == g])
        singular = singular_items(cov, layout.items)
        if singular:
            return _not_estimable_invariance(
                base, "covariance_not_positive_definite", f"group {name!r}: {singular}"
            )
        data.append(GroupMoments(n=sizes[g], cov=cov, mean=mean))
    steps: list[InvarianceStep] = []
    previous: InvarianceStep | None = None
    starts = [start_matrices(layout, d.cov, d.mean) for d in data]
    for level in LEVELS:
        step = _invariance_step(layout, data, starts, level, previous)
        steps.append(step)
        previous = step
    notes = ("SRMR is reported for the single-group model only",)
    return replace(base, steps=tuple(steps), notes=notes)


def _not_estimable_invariance(
    base: InvarianceResult, reason: str, message: str
) -> InvarianceResult:
    return replace(base, status="not_estimable", reason=reason, message=message)


def _invariance_step(
    layout: Layout,
    data: list[GroupMoments],
    starts: list[dict[str, FloatArray]],
    level: Level,
    previous: InvarianceStep | None,
) -> InvarianceStep:
    specs, n_params = model_specs(layout, len(data), level)
    n = sum(d.n for d in data)
    p = len(layout.items)
    moments = len(data) * (p * (p + 1) // 2 + p)
    df = moments - n_params
    if n < n_params:
        return InvarianceStep(
            level,
            "not_estimable",
            "too_few_rows",
            f"{n} complete row(s) for {n_params} free parameters",
            False,
            0,
            n_params,
        )
    problem = Problem(specs, data, n_params)
    estimate = fit(problem, start_vector(specs, starts, n_params))
    if not estimate.converged:
        return InvarianceStep(
            level,
            "not_estimable",
            "not_converged",
            _no_convergence_message(layout, estimate.gradient_max),
            False,
            estimate.iterations,
            n_params,
        )
    baseline_chi2, baseline_df = baseline(data)
    indices = fit_indices(
        chi2=n * estimate.fmin,
        df=df,
        n=n,
        groups=len(data),
        baseline_chi2=baseline_chi2,
        baseline_df=baseline_df,
        srmr=None,
    )
    comparison = None
    if previous is not None and previous.fit is not None:
        before = previous.fit
        delta_chi2 = indices.chi2 - before.chi2
        delta_df = indices.df - before.df
        comparison = StepComparison(
            against=previous.level,
            delta_chi2=delta_chi2,
            delta_df=delta_df,
            p_value=finite(stats.chi2.sf(max(delta_chi2, 0.0), delta_df)) if delta_df > 0 else None,
            delta_cfi=_difference(indices.cfi, before.cfi),
            delta_rmsea=_difference(indices.rmsea, before.rmsea),
        )
    return InvarianceStep(
        level=level,
        status="ok",
        reason=None,
        message=None,
        converged=True,
        iterations=estimate.iterations,
        n_params=n_params,
        fit=indices,
        comparison=comparison,
    )


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before
