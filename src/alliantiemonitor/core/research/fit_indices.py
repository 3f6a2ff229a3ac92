"""Global fit indices of a model fitted by maximum likelihood, with lavaan's conventions.

χ² = N · F_ML; CFI and TLI against the independence (baseline) model; RMSEA with N (not N − 1)
and √G for G groups, its 90 % interval by inverting the noncentral χ² distribution; Bentler's
SRMR. The formulas are in docs/analyses/factor-structure.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from alliantiemonitor.core.research.sem import FloatArray, GroupMoments

__all__ = ["CLOSE_FIT_RMSEA", "FitIndices", "baseline", "finite", "fit_indices", "srmr"]

#: RMSEA of "close fit" for the p-value of H0: RMSEA ≤ this (as lavaan reports).
CLOSE_FIT_RMSEA = 0.05


def finite(value: float | None) -> float | None:
    """A finite float or None: results never carry NaN or infinity."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class FitIndices:
    """Global fit of one model; None where an index is undefined (the reason is in ``notes``)."""

    chi2: float
    df: int
    p_value: float | None
    cfi: float | None
    tli: float | None
    rmsea: float | None
    rmsea_ci_lower: float | None
    rmsea_ci_upper: float | None
    rmsea_p_close: float | None
    srmr: float | None
    baseline_chi2: float
    baseline_df: int
    notes: tuple[str, ...] = ()


# --- computation ------------------------------------------------------------------------------


def noncentrality(chi2: float, df: int, probability: float) -> float:
    """The noncentrality λ with P(χ²_df(λ) ≤ chi2) = probability (0 if already below at λ=0)."""
    if stats.chi2.cdf(chi2, df) <= probability:
        return 0.0

    def gap(lam: float) -> float:
        return float(stats.ncx2.cdf(chi2, df, lam)) - probability

    upper = max(chi2, 1.0)
    while gap(upper) > 0:
        upper *= 2.0
    return float(optimize.brentq(gap, 1e-12, upper, xtol=1e-12, rtol=1e-14, maxiter=500))


def fit_indices(
    *,
    chi2: float,
    df: int,
    n: int,
    groups: int,
    baseline_chi2: float,
    baseline_df: int,
    srmr: float | None,
    srmr_note: str | None = None,
) -> FitIndices:
    notes: list[str] = []
    if srmr_note:
        notes.append(srmr_note)
    chi2 = max(chi2, 0.0)
    p_value = rmsea = lower = upper = p_close = tli = None
    if df > 0:
        p_value = float(stats.chi2.sf(chi2, df))
        scale = math.sqrt(groups)
        rmsea = scale * math.sqrt(max(chi2 - df, 0.0) / (n * df))
        lower = scale * math.sqrt(noncentrality(chi2, df, 0.95) / (n * df))
        upper = scale * math.sqrt(noncentrality(chi2, df, 0.05) / (n * df))
        close = CLOSE_FIT_RMSEA**2 * n * df / groups
        p_close = float(stats.ncx2.sf(chi2, df, close))
    else:
        notes.append("df = 0: the model is saturated, so χ² has no p-value and RMSEA is undefined")
    model_gap = max(chi2 - df, 0.0)
    denominator = max(chi2 - df, baseline_chi2 - baseline_df, 0.0)
    cfi = 1.0 - model_gap / denominator if denominator > 0 else 1.0
    if df > 0 and baseline_df > 0 and baseline_chi2 / baseline_df != 1.0:
        ratio = baseline_chi2 / baseline_df
        tli = (ratio - chi2 / df) / (ratio - 1.0)
    elif df > 0:
        notes.append("TLI is undefined: the baseline χ²/df equals 1")
    return FitIndices(
        chi2=chi2,
        df=df,
        p_value=finite(p_value),
        cfi=finite(cfi),
        tli=finite(tli),
        rmsea=finite(rmsea),
        rmsea_ci_lower=finite(lower),
        rmsea_ci_upper=finite(upper),
        rmsea_p_close=finite(p_close),
        srmr=finite(srmr),
        baseline_chi2=baseline_chi2,
        baseline_df=baseline_df,
        notes=tuple(notes),
    )


def baseline(data: Sequence[GroupMoments]) -> tuple[float, int]:
    """χ² and df of the independence model (free variances, and free means per group)."""
    chi2 = 0.0
    for moments in data:
        _, logdet = np.linalg.slogdet(moments.cov)
        chi2 += moments.n * (float(np.sum(np.log(np.diag(moments.cov)))) - float(logdet))
    p = data[0].cov.shape[0]
    return chi2, len(data) * p * (p - 1) // 2


def srmr(cov: FloatArray, sigma: FloatArray) -> float:
    """Bentler's SRMR: residuals scaled by the observed SDs, over the lower triangle + diagonal."""
    sd = np.sqrt(np.diag(cov))
    standardised = (cov - sigma) / np.outer(sd, sd)
    lower = standardised[np.tril_indices_from(standardised)]
    return float(np.sqrt(np.mean(lower**2)))
