"""Reliability per scale: Cronbach's alpha with its Feldt interval, McDonald's omega, items.

Everything is computed from the item covariance matrix (sample covariances, ddof=1) of the
rows the missing-data policy keeps: listwise the complete rows, pairwise every pair of items
over the rows that answered both (as pingouin and ``psych::alpha(use="pairwise")``). So one
path serves both policies. The formulas are in docs/analyses/reliability.md:

* alpha = k/(k−1) · (1 − Σ var(item) / var(sum)), with var(sum) the sum of the covariance matrix;
* its 95 % interval after Feldt: 1 − (1 − alpha) · F(α/2 and 1 − α/2; n−1, (n−1)(k−1));
* omega total = (Σλ)² / ((Σλ)² + Σθ) from a one-factor model fitted by maximum likelihood
  (the loadings λ and unique variances θ in the items' own units);
* the corrected item–rest correlation of an item with the sum of the other items, and alpha
  with the item left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from alliantiemonitor.core.research.data import MissingPolicy, PreparedData
from alliantiemonitor.core.research.jsonsafe import NOT_ESTIMABLE, OK, Status, interval, number

FloatArray = NDArray[np.float64]

#: Fewer rows than this and alpha is not estimated (its interval needs n − 1 ≥ 2).
MIN_ROWS = 3
#: Unique variances are kept at least this share of the item variance (a Heywood case stops
#: at the bound instead of going negative).
_MIN_UNIQUE = 1e-6


def alpha_from_covariance(cov: ArrayLike) -> float:
    """Cronbach's alpha from a k × k item covariance matrix; NaN when it has no answer."""
    matrix = np.asarray(cov, dtype=np.float64)
    k = matrix.shape[0]
    total = float(matrix.sum())
    if k < 2 or not math.isfinite(total) or total <= 0:
        return math.nan
    return float(k / (k - 1) * (1 - float(np.trace(matrix)) / total))


def cronbach_alpha(item_scores: ArrayLike) -> float:
    """Cronbach's alpha of a rows × items array of item scores (after reverse keying).

    Rows with any missing item are left out (listwise). Uses sample variances (ddof=1):
    ``alpha = k/(k−1) · (1 − Σ var(item) / var(sum))``. Returns NaN when there are fewer than
    two items, fewer than two complete rows or no variance in the sum score. Alpha may be
    negative for items that do not hang together.
    """
    data = np.asarray(item_scores, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"expected a rows × items array, got {data.ndim} dimension(s)")
    complete = data[~np.isnan(data).any(axis=1)]
    n, k = complete.shape
    if k < 2 or n < 2:
        return math.nan
    return alpha_from_covariance(np.cov(complete, rowvar=False, ddof=1))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for alpha from ``n`` rows and ``k`` items."""
    from scipy import stats  # imported here for the reason given in fit_one_factor

    tail = (1 - level) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return float(lower), float(upper)


@dataclass(frozen=True)
class OneFactor:
    """A one-factor model fitted by maximum likelihood to a covariance matrix.

    ``loadings`` and ``unique`` (the unique variances θ) are in the items' units, with the
    factor's variance fixed at 1 and the sum of the loadings made positive. ``heywood`` lists
    the items whose unique variance stopped at its lower bound.
    """

    loadings: FloatArray
    unique: FloatArray
    converged: bool
    heywood: tuple[int, ...] = ()

    @property
    def omega(self) -> float:
        common = float(self.loadings.sum()) ** 2
        return common / (common + float(self.unique.sum()))


def fit_one_factor(cov: ArrayLike) -> OneFactor:
    """Fit ``Σ = λλᵀ + diag(θ)`` to ``cov`` by maximum likelihood.

    Minimises the ML discrepancy ``log|Σ| + tr(SΣ⁻¹)`` (which differs from the usual
    ``F_ML`` by a constant) with a bounded truncated-Newton method (TNC) and the analytic
    gradient, on the correlation matrix; ML is scale-free, so the solution is scaled back to
    the items' units afterwards.
    Raises ``ValueError`` for fewer than three items (the model is then not identified) or a
    matrix with a non-positive variance.
    """
    matrix = np.asarray(cov, dtype=np.float64)
    k = matrix.shape[0]
    if k < 3:
        raise ValueError("a one-factor model needs at least 3 items")
    variances = np.diag(matrix)
    if not np.all(np.isfinite(matrix)) or np.any(variances <= 0):
        raise ValueError("the covariance matrix has a missing or non-positive variance")
    scale = np.sqrt(variances)
    corr = matrix / np.outer(scale, scale)

    def discrepancy(params: FloatArray) -> tuple[float, FloatArray]:
        loadings, unique = params[:k], params[k:]
        sigma = np.outer(loadings, loadings) + np.diag(unique)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return math.inf, np.zeros_like(params)
        inverse = np.linalg.inv(sigma)
        value = logdet + float(np.trace(corr @ inverse))
        gradient_sigma = inverse - inverse @ corr @ inverse
        gradient = np.concatenate([2 * gradient_sigma @ loadings, np.diag(gradient_sigma)])
        return value, gradient

    # Start from the first principal axis, a point close to the optimum for item sets.
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
    start_loadings = eigenvectors[:, -1] * math.sqrt(max(eigenvalues[-1], 1e-3))
    start_loadings = np.clip(np.abs(start_loadings), 0.05, 0.95) * np.sign(
        start_loadings.sum() or 1.0
    )
    start = np.concatenate([start_loadings, 1 - start_loadings**2])
    bounds = [(None, None)] * k + [(_MIN_UNIQUE, None)] * k
    # Imported here: core.change reuses cronbach_alpha from this module, every page of the app
    # imports core.change, and SciPy takes seconds to load that a page should not wait for.
    from scipy import optimize

    fitted = optimize.minimize(
        discrepancy,
        start,
        jac=True,
        # TNC rather than L-BFGS-B: on a busy machine L-BFGS-B's calls into a multi-threaded
        # BLAS for vectors of ten numbers made each fit twenty times slower.
        method="TNC",
        bounds=bounds,
        options={"maxfun": 10000, "ftol": 1e-14, "xtol": 1e-12, "gtol": 1e-10},
    )
    loadings, unique = fitted.x[:k], fitted.x[k:]
    if loadings.sum() < 0:
        loadings = -loadings
    heywood = tuple(int(i) for i in np.flatnonzero(unique <= _MIN_UNIQUE * 1.0001))
    return OneFactor(
        loadings=loadings * scale,
        unique=unique * variances,
        converged=bool(fitted.success),
        heywood=heywood,
    )


@dataclass(frozen=True)
class ItemStatistics:
    """One item within its scale; ``item_rest_r`` is the corrected item–total correlation."""

    item: str
    reverse: bool
    n: int
    mean: float | None
    sd: float | None
    item_rest_r: float | None
    alpha_if_deleted: float | None
    loading: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "reverse": self.reverse,
            "n": self.n,
            "mean": number(self.mean),
            "sd": number(self.sd),
            "item_rest_r": number(self.item_rest_r),
            "alpha_if_deleted": number(self.alpha_if_deleted),
            "loading": number(self.loading),
        }


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability of one scale (in one group, when ``group`` is set).

    ``status`` is ``not_estimable`` with a ``reason`` when alpha cannot be computed (too few
    rows, no variance); omega can be missing on its own, with ``omega_reason``. ``mean`` and
    ``sd`` describe the scale score as the mean of its item scores. ``n`` is the number of
    rows used: listwise the complete rows, pairwise the rows with at least one answer.
    """

    scale: str
    group: str | None
    status: Status
    reason: str | None
    missing: MissingPolicy
    n: int
    k: int
    alpha: float | None = None
    alpha_ci: tuple[float, float] | None = None
    omega: float | None = None
    omega_reason: str | None = None
    mean: float | None = None
    sd: float | None = None
    items: tuple[ItemStatistics, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "group": self.group,
            "status": self.status,
            "reason": self.reason,
            "missing": self.missing,
            "n": self.n,
            "k": self.k,
            "alpha": number(self.alpha),
            "alpha_ci95": interval(self.alpha_ci),
            "omega": number(self.omega),
            "omega_method": "maximum likelihood one-factor model, omega total",
            "omega_reason": self.omega_reason,
            "mean": number(self.mean),
            "sd": number(self.sd),
            "items": [item.to_dict() for item in self.items],
        }


def _item_rest(cov: FloatArray, position: int) -> float:
    rest = [j for j in range(cov.shape[0]) if j != position]
    covariance = float(cov[position, rest].sum())
    rest_variance = float(cov[np.ix_(rest, rest)].sum())
    item_variance = float(cov[position, position])
    if rest_variance <= 0 or item_variance <= 0:
        return math.nan
    return covariance / math.sqrt(item_variance * rest_variance)


def _omega(cov: FloatArray, n: int) -> tuple[OneFactor | None, str | None]:
    k = cov.shape[0]
    if k < 3:
        return None, "the one-factor model needs at least 3 items (2 items leave it unidentified)"
    if n <= k:
        return None, f"{n} rows for {k} items: the one-factor model needs more rows than items"
    try:
        model = fit_one_factor(cov)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return None, str(exc)
    if not model.converged:
        return None, "the one-factor model did not converge"
    return model, None


def _take_rows(columns: FloatArray, positions: NDArray[np.intp]) -> FloatArray:
    """``columns[:, positions]`` (items × rows), one item at a time into one new array.

    A boolean mask over interleaved rows, or a fancy index on the second axis, is several
    times slower than ``take`` per item; ``mode="clip"`` because the positions are valid (the
    default mode buffers ``out``).
    """
    kept = np.empty((columns.shape[0], positions.size), dtype=np.float64)
    for row, column in zip(kept, columns, strict=True):
        np.take(column, positions, out=row, mode="clip")
    return kept


def scale_reliability(
    block: pd.DataFrame,
    *,
    scale: str,
    missing: MissingPolicy = "listwise",
    reverse: Sequence[str] = (),
    group: str | None = None,
) -> ScaleReliability:
    """Reliability of the items in ``block`` (rows × items, reverse-keyed, NaN = missing).

    ``block`` holds the rows to use: with ``listwise`` rows with a missing answer are dropped
    here; with ``pairwise`` each covariance uses the rows that answered both items.
    """
    names = [str(name) for name in block.columns]
    # Items × rows: pandas keeps a float frame column by column, so this is its own memory
    # (no copy) and every step below runs along contiguous rows.
    columns = block.to_numpy(dtype=np.float64, na_value=np.nan).T
    unanswered = np.isnan(columns)
    keep = ~unanswered.any(axis=0) if missing == "listwise" else ~unanswered.all(axis=0)
    del unanswered
    # Selecting rows copies them: the copy is ours to centre in place below.
    owned = not keep.all()
    if owned:
        columns = _take_rows(columns, np.flatnonzero(keep))
    k, n = columns.shape
    base: dict[str, Any] = {"scale": scale, "group": group, "missing": missing, "n": n, "k": k}
    if k < 2:
        return ScaleReliability(
            status=NOT_ESTIMABLE, reason="a scale needs at least 2 items", **base
        )
    if n < MIN_ROWS:
        rows = "complete rows" if missing == "listwise" else "rows with an answer"
        return ScaleReliability(
            status=NOT_ESTIMABLE, reason=f"{n} {rows}; alpha needs at least {MIN_ROWS}", **base
        )
    if missing == "listwise":
        # Complete rows: the covariance as np.cov computes it (centre, then one product), with
        # the means computed once and the centring done in place on our own copy.
        means = columns.mean(axis=1)
        if owned:
            columns -= means[:, None]
            centred = columns
        else:
            centred = columns - means[:, None]
        cov = (centred @ centred.T) / (n - 1)
        counts = np.full(k, n)
    else:
        kept = pd.DataFrame(columns.T, columns=names)
        cov = kept.cov(ddof=1).to_numpy(dtype=np.float64)
        means = kept.mean().to_numpy()
        counts = kept.count().to_numpy()
    if not np.all(np.isfinite(cov)):
        return ScaleReliability(
            status=NOT_ESTIMABLE,
            reason="some pairs of items were never answered together by two or more rows",
            **base,
        )
    total = float(cov.sum())
    if total <= 0:
        return ScaleReliability(
            status=NOT_ESTIMABLE, reason="the scale score does not vary in these rows", **base
        )
    alpha = alpha_from_covariance(cov)
    model, omega_reason = _omega(cov, n)
    # Pairwise, an item's variance is over every row that answered it, as its covariances.
    sds = np.sqrt(np.diag(cov))
    items = []
    for position, name in enumerate(names):
        rest = [j for j in range(k) if j != position]
        items.append(
            ItemStatistics(
                item=name,
                reverse=name in reverse,
                n=int(counts[position]),
                mean=float(means[position]),
                sd=float(sds[position]),
                item_rest_r=_item_rest(cov, position),
                alpha_if_deleted=alpha_from_covariance(cov[np.ix_(rest, rest)]) if k > 2 else None,
                loading=float(model.loadings[position]) if model is not None else None,
            )
        )
    return ScaleReliability(
        status=OK,
        reason=None,
        alpha=alpha,
        alpha_ci=feldt_interval(alpha, n, k),
        omega=model.omega if model is not None else None,
        omega_reason=omega_reason,
        mean=float(np.mean(means)),
        sd=math.sqrt(total) / k,
        items=tuple(items),
        **base,
    )


def reliability(data: PreparedData) -> list[ScaleReliability]:
    """Reliability of every scale of the mapping, over all rows and then per group.

    Groups come in sorted order; rows without a group value are left out of the groups (but
    count in the overall result).
    """
    results: list[ScaleReliability] = []
    selections: list[tuple[str | None, pd.Series | None]] = [(None, None)]
    if data.groups is not None:
        labels = sorted(str(value) for value in data.groups.dropna().unique())
        selections += [(label, data.groups == label) for label in labels]
    for label, rows in selections:
        for scale in data.mapping.scales:
            # The missing-data policy is applied by scale_reliability itself.
            block = data.items[list(scale.items)]
            if rows is not None:
                block = block[rows.fillna(False).to_numpy(dtype=bool)]
            results.append(
                scale_reliability(
                    block,
                    scale=scale.name,
                    missing=data.missing,
                    reverse=sorted(scale.reverse),
                    group=label,
                )
            )
    return results
