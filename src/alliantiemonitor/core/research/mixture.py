"""Gaussian mixtures with full covariances fitted by EM, and the adjusted Rand index.

Written with NumPy for the trajectory classes of :mod:`.growth`: seeded k-means++ starts, the
EM steps, BIC, AIC and relative entropy. docs/analyses/change.md has the formulas and the
tests that check every step against scikit-learn's GaussianMixture and adjusted_rand_score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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


def _log_densities(x: FloatArray, means: FloatArray, covariances: FloatArray) -> FloatArray:
    """``log N(x_i | μ_k, Σ_k)`` for every row and class (n × K), via Cholesky factors."""
    n, d = x.shape
    columns = np.ascontiguousarray(x.T)
    out = np.empty((n, means.shape[0]))
    for k in range(means.shape[0]):
        chol = np.linalg.cholesky(covariances[k])
        inverse = np.linalg.inv(chol)
        # Column by column: with few features this beats a matrix product on long arrays.
        centred = [columns[j] - means[k, j] for j in range(d)]
        squared = np.zeros(n)
        for i in range(d):
            whitened = np.zeros(n)
            for j in range(i + 1):
                whitened += inverse[i, j] * centred[j]
            squared += whitened * whitened
        log_det = 2 * np.log(np.diag(chol)).sum()
        out[:, k] = -0.5 * (d * math.log(2 * math.pi) + log_det + squared)
    return out


def _logsumexp_rows(values: FloatArray) -> FloatArray:
    """``log Σ_k exp(values[:, k])`` per row, without overflow."""
    top = values.max(axis=1)
    return np.asarray(top + np.log(np.exp(values - top[:, None]).sum(axis=1)), dtype=np.float64)


def _m_step(
    x: FloatArray, resp: FloatArray, reg_covar: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n, d = x.shape
    # The 10·eps keeps an empty class from dividing by zero (it then keeps a tiny weight).
    nk = resp.sum(axis=0) + 10 * np.finfo(np.float64).eps
    # Contiguous copies: dot products over strided columns are several times slower.
    columns = np.ascontiguousarray(x.T)
    by_class = np.ascontiguousarray(resp.T)
    means = np.empty((len(nk), d))
    covariances = np.empty((len(nk), d, d))
    for k in range(len(nk)):
        weight = by_class[k]
        means[k] = [float(weight @ column) / nk[k] for column in columns]
        diff = [column - means[k, j] for j, column in enumerate(columns)]
        weighted = [weight * one for one in diff]
        for i in range(d):
            for j in range(i + 1):
                covariances[k, i, j] = covariances[k, j, i] = float(weighted[i] @ diff[j]) / nk[k]
        covariances[k] += reg_covar * np.eye(d)
    return nk / n, means, covariances


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
    scale = x.std(axis=0)
    scaled = x / np.where(scale > 0, scale, 1.0)
    seeds = kmeans_plus_plus(scaled, k, rng)
    distance = ((scaled[:, None, :] - scaled[seeds][None, :, :]) ** 2).sum(axis=2)
    resp = np.zeros((x.shape[0], k))
    resp[np.arange(x.shape[0]), distance.argmin(axis=1)] = 1.0
    return _m_step(x, resp, reg_covar)


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
) -> MixtureFit:
    """Fit a ``k``-class Gaussian mixture with full covariances to the rows of ``x`` by EM.

    Each of ``n_init`` starts (seeded from ``seed``) comes from :func:`initial_parameters`;
    the fit with the highest log-likelihood wins. ``start`` gives one start explicitly
    (weights, means, covariances) instead. EM stops when the mean log-likelihood per row
    changes by less than ``tol``; ``reg_covar`` is added to every covariance diagonal.
    """
    data = np.asarray(x, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] == 0:
        raise ValueError("expected a non-empty rows × features array")
    if np.isnan(data).any():
        raise ValueError("the features contain missing values")
    if k < 1 or k > data.shape[0]:
        raise ValueError(f"k must lie between 1 and the number of rows, not {k}")
    rng = np.random.default_rng(seed)
    starts = (
        [start]
        if start is not None
        else [initial_parameters(data, k, rng, reg_covar=reg_covar) for _ in range(n_init)]
    )
    best: MixtureFit | None = None
    for weights, means, covariances in starts:
        fit = _em(data, weights, means, covariances, max_iter=max_iter, tol=tol, reg=reg_covar)
        if best is None or fit.log_likelihood > best.log_likelihood:
            best = fit
    assert best is not None  # at least one start
    return best


def _em(
    x: FloatArray,
    weights: FloatArray,
    means: FloatArray,
    covariances: FloatArray,
    *,
    max_iter: int,
    tol: float,
    reg: float,
) -> MixtureFit:
    previous = -math.inf
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        joint = _log_densities(x, means, covariances) + np.log(weights)
        row_total = _logsumexp_rows(joint)
        mean_loglik = float(row_total.mean())
        resp = np.exp(joint - row_total[:, None])
        weights, means, covariances = _m_step(x, resp, reg)
        if abs(mean_loglik - previous) < tol:
            converged = True
            break
        previous = mean_loglik
    joint = _log_densities(x, means, covariances) + np.log(weights)
    row_total = _logsumexp_rows(joint)
    return MixtureFit(
        weights=weights,
        means=means,
        covariances=covariances,
        log_likelihood=float(row_total.sum()),
        iterations=iterations,
        converged=converged,
        responsibilities=np.exp(joint - row_total[:, None]),
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
