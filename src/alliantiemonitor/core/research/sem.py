"""A small maximum-likelihood estimator for (multi-group) confirmatory factor models.

The model per group ``g``: ``Σ_g = Λ_g Φ_g Λ_gᵀ + Θ_g`` (``Θ`` diagonal) and, with a mean
structure, ``μ_g = ν_g + Λ_g α_g``. Every entry of every matrix is either fixed or points at one
element of the free-parameter vector; two entries pointing at the same element are an equality
constraint (that is how loadings and intercepts are held equal across groups).

The fit function is the normal-theory discrepancy, weighted by group size as lavaan does::

    F = Σ_g (n_g / N) [log|Σ_g| + tr(S_g Σ_g⁻¹) − log|S_g| − p + (ȳ_g − μ_g)ᵀ Σ_g⁻¹ (ȳ_g − μ_g)]

with ``S_g`` the covariance matrix with divisor ``n_g``. ``N·F`` at the minimum is the likelihood
ratio χ². It is minimised by Fisher scoring (the expected information is cheap and exact for this
model) with step halving, falling back to BFGS when scoring stalls. Only the sample moments
enter, so the cost does not depend on the number of rows.

This module knows nothing about items or mappings; :mod:`alliantiemonitor.core.research.cfa`
builds the specifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Fisher scoring stops when the largest gradient element is below this.
GRADIENT_TOLERANCE = 1e-9
#: A solution counts as converged when the largest gradient element is below this.
CONVERGED_GRADIENT = 1e-5
#: Fisher scoring iterations before giving up (and trying BFGS from the start values).
MAX_ITERATIONS = 200
#: BFGS iterations of the fallback: enough for any identified model seen, small enough that a
#: model without a proper solution (a Heywood drift) is reported within seconds.
MAX_FALLBACK_ITERATIONS = 1000


@dataclass(frozen=True)
class GroupSpec:
    """Which matrix entries are free (index ≥ 0 into the parameter vector) or fixed (−1)."""

    lam_idx: IntArray  # p × k
    lam_fix: FloatArray
    phi_idx: IntArray  # k × k, symmetric
    phi_fix: FloatArray
    theta_idx: IntArray  # p (diagonal of Θ)
    theta_fix: FloatArray
    nu_idx: IntArray | None = None  # p; None: no mean structure
    nu_fix: FloatArray | None = None
    alpha_idx: IntArray | None = None  # k
    alpha_fix: FloatArray | None = None


@dataclass(frozen=True)
class GroupMoments:
    """The sufficient statistics of one group: size, ML covariance (divisor n) and means."""

    n: int
    cov: FloatArray
    mean: FloatArray | None = None


@dataclass(frozen=True)
class Matrices:
    """The model matrices of one group at a parameter vector."""

    lam: FloatArray
    phi: FloatArray
    theta: FloatArray
    nu: FloatArray | None
    alpha: FloatArray | None

    @property
    def sigma(self) -> FloatArray:
        out: FloatArray = self.lam @ self.phi @ self.lam.T + np.diag(self.theta)
        return out

    @property
    def mu(self) -> FloatArray | None:
        if self.nu is None or self.alpha is None:
            return None
        out: FloatArray = self.nu + self.lam @ self.alpha
        return out


@dataclass(frozen=True)
class Estimate:
    """The outcome of a fit: parameters, minimum, convergence and the expected information."""

    params: FloatArray
    fmin: float
    converged: bool
    iterations: int
    gradient_max: float
    information: FloatArray  # expected Hessian of F at the solution (q × q)


def _fill(idx: IntArray, fixed: FloatArray, params: FloatArray) -> FloatArray:
    out = fixed.astype(np.float64, copy=True)
    mask = idx >= 0
    out[mask] = params[idx[mask]]
    return out


def matrices(spec: GroupSpec, params: FloatArray) -> Matrices:
    """The model matrices of one group at ``params``."""
    nu = alpha = None
    if spec.nu_idx is not None and spec.nu_fix is not None:
        nu = _fill(spec.nu_idx, spec.nu_fix, params)
    if spec.alpha_idx is not None and spec.alpha_fix is not None:
        alpha = _fill(spec.alpha_idx, spec.alpha_fix, params)
    return Matrices(
        lam=_fill(spec.lam_idx, spec.lam_fix, params),
        phi=_fill(spec.phi_idx, spec.phi_fix, params),
        theta=_fill(spec.theta_idx, spec.theta_fix, params),
        nu=nu,
        alpha=alpha,
    )


class _NotPositiveDefinite(Exception):
    """An implied covariance matrix is not positive definite at this parameter vector."""


def _discrepancy(
    mats: Matrices, data: GroupMoments
) -> tuple[float, FloatArray, FloatArray | None, FloatArray]:
    """One group's F, the matrix gradient dF/dΣ, dF/dμ and Σ⁻¹."""
    sigma = mats.sigma
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError as exc:
        raise _NotPositiveDefinite from exc
    inv_chol = np.linalg.inv(chol)
    sigma_inv = inv_chol.T @ inv_chol
    logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))
    _, logdet_s = np.linalg.slogdet(data.cov)
    p = sigma.shape[0]
    target = data.cov
    g_mu: FloatArray | None = None
    mu = mats.mu
    if mu is not None and data.mean is not None:
        d = data.mean - mu
        target = data.cov + np.outer(d, d)
        g_mu = -2.0 * (sigma_inv @ d)
    f = logdet + float(np.sum(target * sigma_inv)) - float(logdet_s) - p
    g_sigma: FloatArray = sigma_inv - sigma_inv @ target @ sigma_inv
    return f, g_sigma, g_mu, sigma_inv


class Problem:
    """A multi-group model with its data: the objective, its gradient and the information."""

    def __init__(self, specs: list[GroupSpec], data: list[GroupMoments], n_params: int) -> None:
        self.specs = specs
        self.data = data
        self.n_params = n_params
        total = sum(d.n for d in data)
        self.n_total = total
        self.weights = [d.n / total for d in data]

    def objective(self, params: FloatArray) -> tuple[float, FloatArray]:
        """F and its gradient; raises ``_NotPositiveDefinite`` outside the admissible region."""
        f_total = 0.0
        grad = np.zeros(self.n_params)
        for spec, data, w in zip(self.specs, self.data, self.weights, strict=True):
            mats = matrices(spec, params)
            f, g_sigma, g_mu, _ = _discrepancy(mats, data)
            f_total += w * f
            g_lam = 2.0 * g_sigma @ mats.lam @ mats.phi
            if g_mu is not None and mats.alpha is not None:
                g_lam = g_lam + np.outer(g_mu, mats.alpha)
            g_phi = mats.lam.T @ g_sigma @ mats.lam
            _accumulate(grad, spec.lam_idx, w * g_lam)
            _accumulate(grad, spec.phi_idx, w * g_phi)
            _accumulate(grad, spec.theta_idx, w * np.diag(g_sigma))
            if g_mu is not None and spec.nu_idx is not None and spec.alpha_idx is not None:
                _accumulate(grad, spec.nu_idx, w * g_mu)
                _accumulate(grad, spec.alpha_idx, w * (mats.lam.T @ g_mu))
        return f_total, grad

    def information(self, params: FloatArray) -> FloatArray:
        """The expected Hessian of F: Σ_g w_g [tr(Σ⁻¹ Σ_s Σ⁻¹ Σ_t) + 2 μ_sᵀ Σ⁻¹ μ_t]."""
        q = self.n_params
        out = np.zeros((q, q))
        for spec, data, w in zip(self.specs, self.data, self.weights, strict=True):
            mats = matrices(spec, params)
            d_sigma, d_mu = _jacobian(spec, mats, q)
            _, _, _, sigma_inv = _discrepancy(mats, data)
            a = np.einsum("ij,tjk->tik", sigma_inv, d_sigma)
            out += w * np.einsum("sij,tji->st", a, a)
            if d_mu is not None:
                out += w * 2.0 * (d_mu @ sigma_inv @ d_mu.T)
        return out

    def safe_value(self, params: FloatArray) -> float:
        try:
            return self.objective(params)[0]
        except _NotPositiveDefinite:
            return np.inf


def _accumulate(grad: FloatArray, idx: IntArray, values: FloatArray) -> None:
    mask = idx >= 0
    np.add.at(grad, idx[mask], values[mask])


def _jacobian(spec: GroupSpec, mats: Matrices, q: int) -> tuple[FloatArray, FloatArray | None]:
    """dΣ/dθ (q × p × p) and dμ/dθ (q × p) of one group."""
    p = mats.lam.shape[0]
    d_sigma = np.zeros((q, p, p))
    means = spec.nu_idx is not None and mats.alpha is not None
    d_mu = np.zeros((q, p)) if means else None
    lam_phi = mats.lam @ mats.phi
    for i, j in zip(*np.nonzero(spec.lam_idx >= 0), strict=True):
        t = spec.lam_idx[i, j]
        d_sigma[t, i, :] += lam_phi[:, j]
        d_sigma[t, :, i] += lam_phi[:, j]
        if d_mu is not None and mats.alpha is not None:
            d_mu[t, i] += mats.alpha[j]
    for i, j in zip(*np.nonzero(spec.phi_idx >= 0), strict=True):
        d_sigma[spec.phi_idx[i, j]] += np.outer(mats.lam[:, i], mats.lam[:, j])
    for i in np.nonzero(spec.theta_idx >= 0)[0]:
        d_sigma[spec.theta_idx[i], i, i] += 1.0
    if d_mu is not None and spec.nu_idx is not None and spec.alpha_idx is not None:
        for i in np.nonzero(spec.nu_idx >= 0)[0]:
            d_mu[spec.nu_idx[i], i] += 1.0
        for j in np.nonzero(spec.alpha_idx >= 0)[0]:
            d_mu[spec.alpha_idx[j]] += mats.lam[:, j]
    return d_sigma, d_mu


def _scoring(problem: Problem, start: FloatArray) -> tuple[FloatArray, int, bool]:
    """Fisher scoring with step halving; returns parameters, iterations and whether it settled."""
    params = start.copy()
    f, grad = problem.objective(params)
    for iteration in range(1, MAX_ITERATIONS + 1):
        if float(np.max(np.abs(grad))) < GRADIENT_TOLERANCE:
            return params, iteration - 1, True
        info = problem.information(params)
        try:
            step = -np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(info, grad, rcond=None)[0]
        scale = 1.0
        for _ in range(40):
            candidate = params + scale * step
            f_new = problem.safe_value(candidate)
            if f_new <= f:
                break
            scale /= 2.0
        else:
            return params, iteration, False
        if f - f_new < 1e-15 and scale < 1.0:
            # No further decrease within floating-point precision: the minimum is reached
            # as far as F can tell; the gradient check below decides convergence.
            params = candidate
            f, grad = problem.objective(params)
            return params, iteration, True
        params = candidate
        f, grad = problem.objective(params)
    return params, MAX_ITERATIONS, False


def fit(problem: Problem, start: FloatArray) -> Estimate:
    """Minimise F from ``start``; BFGS, then scoring again, when scoring does not settle."""
    params, iterations, settled = _scoring(problem, start)
    if not settled:
        result = optimize.minimize(
            _safe_objective(problem),
            start,
            jac=True,
            method="BFGS",
            options={"maxiter": MAX_FALLBACK_ITERATIONS, "gtol": 1e-10},
        )
        params, more, settled = _scoring(problem, np.asarray(result.x, dtype=np.float64))
        iterations += int(result.nit) + more
    try:
        fmin, grad = problem.objective(params)
    except _NotPositiveDefinite:
        return Estimate(params, np.inf, False, iterations, np.inf, np.full((0, 0), np.nan))
    gmax = float(np.max(np.abs(grad))) if grad.size else 0.0
    converged = bool(np.isfinite(fmin)) and gmax < CONVERGED_GRADIENT
    return Estimate(params, fmin, converged, iterations, gmax, problem.information(params))


def _safe_objective(problem: Problem) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """The objective with a large value (and no direction) outside the admissible region."""

    def call(params: FloatArray) -> tuple[float, FloatArray]:
        try:
            return problem.objective(params)
        except _NotPositiveDefinite:
            return 1e10, np.zeros_like(params)

    return call
