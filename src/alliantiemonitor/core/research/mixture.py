"""Gaussian mixtures with full covariances fitted by EM, and the adjusted Rand index.

Written with NumPy for the trajectory classes of :mod:`.growth`: seeded k-means++ starts, the
EM steps, BIC, AIC and relative entropy. docs/analyses/change.md has the formulas and the
tests that check every step against scikit-learn's GaussianMixture and adjusted_rand_score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import comb

__all__ = [
    "MixtureFit",
    "adjusted_rand_index",
    "fit_mixture",
    "initial_parameters",
    "kmeans_plus_plus",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Rows per block of the E-step: 8,192 rows of K ≤ 8 posteriors fit in a 512 KiB cache.
_BLOCK = 8192


@dataclass(frozen=True)
class MixtureFit:
    """A Gaussian mixture with full covariances fitted by EM."""

    weights: FloatArray
    means: FloatArray
    covariances: FloatArray
    log_likelihood: float
    iterations: int
    converged: bool
    responsibilities: FloatArray
    #: EM steps on the warm-start sample before the steps on all rows (0: no sample).
    sample_iterations: int = 0

    @property
    def k(self) -> int:
        """The number of classes."""
        return int(self.weights.shape[0])

    def n_parameters(self) -> int:
        """Free parameters: ``K − 1`` weights, ``K·d`` means, ``K·d(d+1)/2`` covariances."""
        d = int(self.means.shape[1])
        return self.k - 1 + self.k * d + self.k * d * (d + 1) // 2

    def bic(self) -> float:
        """``−2 log L + p · log n``."""
        n = self.responsibilities.shape[0]
        return -2 * self.log_likelihood + self.n_parameters() * math.log(n)

    def aic(self) -> float:
        """``−2 log L + 2p``."""
        return -2 * self.log_likelihood + 2 * self.n_parameters()

    def to_dict(self) -> dict[str, Any]:
        """The fitted parameters and criteria as JSON-safe plain data (no posteriors)."""
        return _to_dict(self)

    def entropy(self) -> float | None:
        """Relative entropy ``1 − Σ −p log p / (n log K)``: 1 is a perfectly clear split."""
        if self.k < 2:
            return None
        p = self.responsibilities
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, p * np.log(p), 0.0)
        return float(1 + terms.sum() / (p.shape[0] * math.log(self.k)))


def _to_dict(fit: MixtureFit) -> dict[str, Any]:
    def plain(values: FloatArray) -> Any:
        cells = values.astype(object)
        cells[~np.isfinite(values)] = None
        return cells.tolist()

    entropy = fit.entropy()
    return {
        "k": fit.k,
        "weights": plain(fit.weights),
        "means": plain(fit.means),
        "covariances": plain(fit.covariances),
        "log_likelihood": fit.log_likelihood if math.isfinite(fit.log_likelihood) else None,
        "n_parameters": fit.n_parameters(),
        "bic": fit.bic() if math.isfinite(fit.bic()) else None,
        "aic": fit.aic() if math.isfinite(fit.aic()) else None,
        "entropy": entropy,
        "iterations": fit.iterations,
        "converged": fit.converged,
    }


class _Design:
    """The rows as sufficient statistics, so that an EM step is two small matrix products.

    The rows are centred and scaled (every class's parameters are worked out in those units
    and turned back at the end), and each row becomes ``[1, x_1 … x_d, x_i·x_j (i ≤ j)]``.
    Then the E-step's log-densities are one product of that ``m × n`` matrix with ``K × m``
    coefficients (a Gaussian log-density is linear in those features), and the M-step's
    weighted counts, sums and cross products are one product with the ``K × n`` posteriors.
    Centring keeps the one-pass covariance ``E[xxᵀ] − μμᵀ`` from losing digits.
    """

    def __init__(self, x: FloatArray) -> None:
        self.n, self.d = x.shape
        self.centre = x.mean(axis=0)
        spread = x.std(axis=0)
        self.scale = np.where(spread > 0, spread, 1.0)
        z = (x - self.centre) / self.scale
        self.pairs = [(i, j) for i in range(self.d) for j in range(i, self.d)]
        features = np.empty((1 + self.d + len(self.pairs), self.n))
        features[0] = 1.0
        features[1 : 1 + self.d] = z.T
        for row, (i, j) in enumerate(self.pairs, start=1 + self.d):
            np.multiply(z[:, i], z[:, j], out=features[row])
        self.features = features
        # log|det| of the scaling: the log-likelihood in the data's own units differs by this.
        self.log_jacobian = float(np.log(self.scale).sum())

    def to_unit(self, means: FloatArray, covariances: FloatArray) -> tuple[FloatArray, FloatArray]:
        outer = np.outer(self.scale, self.scale)
        return (means - self.centre) / self.scale, covariances / outer

    def from_unit(
        self, means: FloatArray, covariances: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        outer = np.outer(self.scale, self.scale)
        return means * self.scale + self.centre, covariances * outer

    def coefficients(
        self, weights: FloatArray, means: FloatArray, covariances: FloatArray
    ) -> FloatArray:
        """``K × m``: the log of weight times density as a linear function of the features."""
        k, d = means.shape
        chol = np.linalg.cholesky(covariances)  # raises on a covariance that is not positive
        log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        precision = np.linalg.inv(covariances)
        linear = np.einsum("kij,kj->ki", precision, means)
        out = np.empty((k, 1 + d + len(self.pairs)))
        out[:, 0] = (
            np.log(weights)
            - 0.5 * (d * math.log(2 * math.pi) + log_det)
            - 0.5 * np.einsum("ki,ki->k", linear, means)
        )
        out[:, 1 : 1 + d] = linear
        for row, (i, j) in enumerate(self.pairs, start=1 + d):
            out[:, row] = -0.5 * precision[:, i, i] if i == j else -precision[:, i, j]
        return out

    def posteriors(
        self, weights: FloatArray, means: FloatArray, covariances: FloatArray
    ) -> tuple[FloatArray, float]:
        """The ``K × n`` posteriors and the log-likelihood (in these units)."""
        resp = np.empty((weights.shape[0], self.n))
        log_likelihood = self._e_step(weights, means, covariances, resp=resp)
        return resp, log_likelihood

    def em_step(
        self, weights: FloatArray, means: FloatArray, covariances: FloatArray, reg_covar: float
    ) -> tuple[tuple[FloatArray, FloatArray, FloatArray], float]:
        """One E-step and M-step: the new parameters and the old ones' log-likelihood."""
        sums = np.zeros((weights.shape[0], self.features.shape[0]))
        log_likelihood = self._e_step(weights, means, covariances, sums=sums)
        return self.m_step(sums, reg_covar), log_likelihood

    def _e_step(
        self,
        weights: FloatArray,
        means: FloatArray,
        covariances: FloatArray,
        *,
        resp: FloatArray | None = None,
        sums: FloatArray | None = None,
    ) -> float:
        # In blocks of rows whose K × block posteriors stay in the CPU cache: the E-step's
        # passes over the posteriors cost memory traffic, not arithmetic.
        coefficients = self.coefficients(weights, means, covariances)
        buffer = np.empty((weights.shape[0], min(_BLOCK, self.n)))
        top, total = np.empty(buffer.shape[1]), np.empty(buffer.shape[1])
        log_likelihood = 0.0
        for first in range(0, self.n, _BLOCK):
            block = self.features[:, first : first + _BLOCK]
            size = block.shape[1]
            joint = buffer[:, :size] if resp is None else resp[:, first : first + size]
            np.matmul(coefficients, block, out=joint)
            joint.max(axis=0, out=top[:size])
            joint -= top[:size]
            np.exp(joint, out=joint)
            joint.sum(axis=0, out=total[:size])
            joint /= total[:size]
            log_likelihood += float(top[:size].sum() + np.log(total[:size]).sum())
            if sums is not None:
                sums += joint @ block.T
        return log_likelihood

    def m_step(
        self, sums: FloatArray, reg_covar: float
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Weights, means and covariances from the posterior-weighted feature sums."""
        d = self.d
        # The 10·eps keeps an empty class from dividing by zero (it then keeps a tiny weight).
        nk = sums[:, 0] + 10 * np.finfo(np.float64).eps
        means = sums[:, 1 : 1 + d] / nk[:, None]
        covariances = np.empty((len(nk), d, d))
        for row, (i, j) in enumerate(self.pairs, start=1 + d):
            value = sums[:, row] / nk - means[:, i] * means[:, j]
            covariances[:, i, j] = covariances[:, j, i] = value
        # reg_covar is added in the data's own units, as in the documented M-step.
        covariances += np.eye(d) * (reg_covar / self.scale**2)
        return nk / self.n, means, covariances


def kmeans_plus_plus(x: FloatArray, k: int, rng: np.random.Generator) -> IntArray:
    """Indices of ``k`` seed rows: the first at random, each next with chance ∝ squared distance."""
    n = x.shape[0]
    chosen = [int(rng.integers(n))]
    closest = ((x - x[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = closest.sum()
        if total <= 0:
            candidates = np.setdiff1d(np.arange(n), chosen)
            pick = int(rng.choice(candidates)) if candidates.size else int(rng.integers(n))
        else:
            pick = int(np.searchsorted(np.cumsum(closest), rng.random() * total, side="right"))
            pick = min(pick, n - 1)
        chosen.append(pick)
        closest = np.minimum(closest, ((x - x[pick]) ** 2).sum(axis=1))
    return np.array(chosen, dtype=np.int64)


def initial_parameters(
    x: FloatArray, k: int, rng: np.random.Generator, *, reg_covar: float = 1e-6
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A start for EM: k-means++ seeds, every row to its nearest seed, the M-step on that."""
    return _initial(_Design(x), x, k, rng, reg_covar)


def _initial(
    design: _Design, x: FloatArray, k: int, rng: np.random.Generator, reg_covar: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    scale = x.std(axis=0)
    scaled = x / np.where(scale > 0, scale, 1.0)
    seeds = kmeans_plus_plus(scaled, k, rng)
    distance = ((scaled[:, None, :] - scaled[seeds][None, :, :]) ** 2).sum(axis=2)
    nearest = distance.argmin(axis=1)
    # The M-step on a hard split: per seed, the sums of the features of its rows.
    sums = np.stack([design.features[:, nearest == c].sum(axis=1) for c in range(k)])
    weights, means, covariances = design.m_step(sums, reg_covar)
    return (weights, *design.from_unit(means, covariances))


def fit_mixture(
    x: npt.ArrayLike,
    k: int,
    *,
    seed: int = 0,
    n_init: int = 3,
    max_iter: int = 1000,
    tol: float = 1e-6,
    reg_covar: float = 1e-6,
    start: tuple[FloatArray, FloatArray, FloatArray] | None = None,
    warm_start_sample: int | None = None,
) -> MixtureFit:
    """Fit a ``k``-class Gaussian mixture with full covariances to the rows of ``x`` by EM.

    Each of ``n_init`` starts (seeded from ``seed``) comes from :func:`initial_parameters`;
    the fit with the highest log-likelihood wins. ``start`` gives one start explicitly
    (weights, means, covariances) instead. EM stops when the mean log-likelihood per row
    changes by less than ``tol``; ``reg_covar`` is added to every covariance diagonal.

    With ``warm_start_sample`` smaller than the number of rows, the starts are drawn from and
    fitted to convergence on a seeded random sample of that many rows; EM then continues on
    all rows from the best sample fit until the same ``tol``. The result is a fit to all rows
    (every row's posterior, the log-likelihood of all rows); it needs far fewer full-data
    steps, since the sample's solution lies close to the full one.
    """
    data = np.asarray(x, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] == 0:
        raise ValueError("expected a non-empty rows × features array")
    if np.isnan(data).any():
        raise ValueError("the features contain missing values")
    if k < 1 or k > data.shape[0]:
        raise ValueError(f"k must lie between 1 and the number of rows, not {k}")
    if warm_start_sample is not None and warm_start_sample < k:
        raise ValueError(f"warm_start_sample must be at least k, not {warm_start_sample}")
    rng = np.random.default_rng(seed)
    if warm_start_sample is not None and warm_start_sample < data.shape[0]:
        rows = np.sort(rng.choice(data.shape[0], size=warm_start_sample, replace=False))
        sample = fit_mixture(
            data[rows],
            k,
            seed=seed,
            n_init=n_init,
            max_iter=max_iter,
            tol=tol,
            reg_covar=reg_covar,
            start=start,
        )
        full = _em(
            _Design(data),
            sample.weights,
            sample.means,
            sample.covariances,
            max_iter=max_iter,
            tol=tol,
            reg=reg_covar,
        )
        return replace(full, sample_iterations=sample.iterations)
    design = _Design(data)
    starts = (
        [start]
        if start is not None
        else [_initial(design, data, k, rng, reg_covar) for _ in range(n_init)]
    )
    best: MixtureFit | None = None
    for weights, means, covariances in starts:
        fit = _em(design, weights, means, covariances, max_iter=max_iter, tol=tol, reg=reg_covar)
        if best is None or fit.log_likelihood > best.log_likelihood:
            best = fit
    assert best is not None  # at least one start
    return best


def _em(
    design: _Design,
    weights: FloatArray,
    means: FloatArray,
    covariances: FloatArray,
    *,
    max_iter: int,
    tol: float,
    reg: float,
) -> MixtureFit:
    means, covariances = design.to_unit(means, covariances)
    previous = -math.inf
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        (weights, means, covariances), log_likelihood = design.em_step(
            weights, means, covariances, reg
        )
        # The scaling shifts every step's log-likelihood by the same constant: the change
        # per row, which decides convergence, is the same as in the data's own units.
        mean_loglik = log_likelihood / design.n
        if abs(mean_loglik - previous) < tol:
            converged = True
            break
        previous = mean_loglik
    resp, log_likelihood = design.posteriors(weights, means, covariances)
    means, covariances = design.from_unit(means, covariances)
    return MixtureFit(
        weights=weights,
        means=means,
        covariances=covariances,
        log_likelihood=log_likelihood - design.n * design.log_jacobian,
        iterations=iterations,
        converged=converged,
        responsibilities=np.ascontiguousarray(resp.T),
    )


def adjusted_rand_index(labels_a: npt.ArrayLike, labels_b: npt.ArrayLike) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items.

    ``(Σ C(n_ij, 2) − E) / (½(Σ C(a_i, 2) + Σ C(b_j, 2)) − E)`` with
    ``E = Σ C(a_i, 2) · Σ C(b_j, 2) / C(n, 2)``: 1 for identical partitions (whatever the
    names), about 0 for unrelated ones. Two partitions that are both a single class (or both
    all singletons) count as identical (1.0).
    """
    a = np.asarray(labels_a)
    b = np.asarray(labels_b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("both labellings must be one-dimensional and of the same length")
    _, a_codes = np.unique(a, return_inverse=True)
    _, b_codes = np.unique(b, return_inverse=True)
    table = np.zeros((a_codes.max(initial=-1) + 1, b_codes.max(initial=-1) + 1))
    np.add.at(table, (a_codes, b_codes), 1)
    pairs = float(comb(table, 2).sum())
    rows = float(comb(table.sum(axis=1), 2).sum())
    cols = float(comb(table.sum(axis=0), 2).sum())
    total = float(comb(len(a), 2))
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (pairs - expected) / (maximum - expected)
