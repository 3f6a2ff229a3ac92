"""The measurement model of a mapping: checked input, sample moments, specification, start values.

Shared by :func:`~alliantiemonitor.core.research.cfa.fit_cfa` and
:func:`~alliantiemonitor.core.research.cfa.invariance`: the checks that turn bad input into a
:class:`CfaInputError` naming the problem, the moments the estimator works on, and which matrix
entries are free or shared for each invariance level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliantiemonitor.core.research.sem import FloatArray, GroupSpec, IntArray

__all__ = [
    "LEVELS",
    "CfaInputError",
    "Layout",
    "Level",
    "MappingError",
    "complete_rows",
    "layout_of",
    "model_specs",
    "moments",
    "singular_items",
    "start_matrices",
    "start_vector",
]

BoolArray = npt.NDArray[np.bool_]
Level = Literal["configural", "metric", "scalar"]
LEVELS: tuple[Level, ...] = ("configural", "metric", "scalar")

#: Rows per block when accumulating cross-products, so a million rows need no centred copy.
_CHUNK_ROWS = 200_000
# An eigenvalue below this share of the largest makes a covariance matrix singular in practice.
_SINGULAR_RATIO = 1e-10


class CfaInputError(ValueError):
    """The data or the mapping cannot be analysed as given; the message names the problem."""


class MappingError(CfaInputError):
    """The mapping of items to factors is unusable (missing column, empty or shared factor …)."""


# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    factors: tuple[str, ...]
    items: tuple[str, ...]
    factor_of: tuple[int, ...]  # per item, the index of its factor


def layout_of(frame: pd.DataFrame, mapping: Mapping[str, Sequence[str]]) -> Layout:
    if not isinstance(frame, pd.DataFrame):
        raise CfaInputError(f"data must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(mapping, Mapping) or not mapping:
        raise MappingError("the mapping names no factors")
    factors: list[str] = []
    items: list[str] = []
    factor_of: list[int] = []
    owner: dict[str, str] = {}
    for factor, members in mapping.items():
        if isinstance(members, str) or not isinstance(members, Sequence):
            raise MappingError(f"factor {factor!r}: its items must be a list of column names")
        if len(set(members)) != len(members):
            raise MappingError(f"factor {factor!r} names an item more than once")
        for item in members:
            if item in owner:
                raise MappingError(
                    f"item {item!r} is mapped to both {owner[item]!r} and {factor!r}; "
                    "each item loads on one factor"
                )
            if item not in frame.columns:
                raise MappingError(f"factor {factor!r} names column {item!r}, not in the data")
            owner[item] = str(factor)
            items.append(item)
            factor_of.append(len(factors))
        factors.append(str(factor))
    for index, factor in enumerate(factors):
        count = factor_of.count(index)
        needed = 3 if len(factors) == 1 else 2
        if count < needed:
            raise MappingError(
                f"factor {factor!r} has {count} item(s); a factor needs at least {needed} "
                "to be identified" + (" when it is the only factor" if needed == 3 else "")
            )
    if len(frame) == 0:
        raise CfaInputError("the data have no rows")
    for item in items:
        column = frame[item]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            raise CfaInputError(f"column {item!r} is not numeric (dtype {column.dtype})")
    return Layout(tuple(factors), tuple(items), tuple(factor_of))


def complete_rows(frame: pd.DataFrame, items: Sequence[str]) -> tuple[FloatArray, BoolArray]:
    """The item block as floats and the mask of complete rows (listwise deletion).

    Raises :class:`CfaInputError` for an item without answers, with an infinite value, or with
    one value only (checked column-wise in NumPy: a hash-based ``nunique`` would cost more than
    the whole fit on a million rows).
    """
    block = frame[list(items)].to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(block).any():
        bad = [item for item, hit in zip(items, np.isinf(block).any(axis=0), strict=True) if hit]
        raise CfaInputError(f"column(s) with an infinite value: {', '.join(bad)}")
    missing = np.isnan(block)
    empty = missing.all(axis=0)
    if empty.any():
        bad = [item for item, hit in zip(items, empty, strict=True) if hit]
        raise CfaInputError(f"column(s) without answers: {', '.join(bad)}")
    with np.errstate(invalid="ignore"):
        constant = np.nanmin(block, axis=0) == np.nanmax(block, axis=0)
    if constant.any():
        bad = [item for item, hit in zip(items, constant, strict=True) if hit]
        raise CfaInputError(
            f"constant column(s): {', '.join(bad)}; an item with one value cannot load on a factor"
        )
    return block, ~missing.any(axis=1)


def moments(block: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Means and the ML covariance matrix (divisor n), accumulated in blocks of rows."""
    n = block.shape[0]
    mean = block.mean(axis=0)
    cross = np.zeros((block.shape[1], block.shape[1]))
    for start in range(0, n, _CHUNK_ROWS):
        centred = block[start : start + _CHUNK_ROWS] - mean
        cross += centred.T @ centred
    return mean, cross / n


def singular_items(cov: FloatArray, items: Sequence[str]) -> str | None:
    """None if ``cov`` is positive definite, else a message naming what makes it singular."""
    zero = [item for item, v in zip(items, np.diag(cov), strict=True) if v <= 0]
    if zero:
        return f"item(s) without variance in these rows: {', '.join(zero)}"
    eigenvalues = np.linalg.eigvalsh(cov)
    if eigenvalues[0] <= _SINGULAR_RATIO * eigenvalues[-1]:
        return "the item covariance matrix is not positive definite (items are linearly dependent)"
    return None


# --- model specification ----------------------------------------------------------------------


def model_specs(layout: Layout, groups: int, level: Level | None) -> tuple[list[GroupSpec], int]:
    """Group specifications; ``level`` None: one group without a mean structure."""
    p, k = len(layout.items), len(layout.factors)
    counter = 0

    def fresh(count: int) -> IntArray:
        nonlocal counter
        out = np.arange(counter, counter + count, dtype=np.int64)
        counter += count
        return out

    shared_lam: IntArray | None = None
    shared_nu: IntArray | None = None
    specs: list[GroupSpec] = []
    for g in range(groups):
        if level in ("metric", "scalar") and shared_lam is not None:
            lam_free = shared_lam
        else:
            lam_free = fresh(p)
            shared_lam = lam_free
        lam_idx = np.full((p, k), -1, dtype=np.int64)
        lam_idx[np.arange(p), np.asarray(layout.factor_of)] = lam_free
        phi_idx = np.full((k, k), -1, dtype=np.int64)
        for a in range(k):
            for b in range(a):
                phi_idx[a, b] = phi_idx[b, a] = fresh(1)[0]
        free_variances = g > 0 and level in ("metric", "scalar")
        if free_variances:
            phi_idx[np.arange(k), np.arange(k)] = fresh(k)
        theta_idx = fresh(p)
        nu_idx = nu_fix = alpha_idx = alpha_fix = None
        if level is not None:
            if level == "scalar" and shared_nu is not None:
                nu_idx = shared_nu
            else:
                nu_idx = fresh(p)
                shared_nu = nu_idx
            nu_fix = np.zeros(p)
            alpha_idx = fresh(k) if (g > 0 and level == "scalar") else np.full(k, -1, np.int64)
            alpha_fix = np.zeros(k)
        specs.append(
            GroupSpec(
                lam_idx=lam_idx,
                lam_fix=np.zeros((p, k)),
                phi_idx=phi_idx,
                phi_fix=np.eye(k),
                theta_idx=theta_idx,
                theta_fix=np.zeros(p),
                nu_idx=nu_idx,
                nu_fix=nu_fix,
                alpha_idx=alpha_idx,
                alpha_fix=alpha_fix,
            )
        )
    return specs, counter


def start_matrices(
    layout: Layout, cov: FloatArray, mean: FloatArray | None
) -> dict[str, FloatArray]:
    """Starting values from one group's moments: a one-component fit per factor.

    Per factor, the first principal component of the items' correlations gives loadings (in
    correlation units, kept between 0.2 and 0.95 in size so no residual starts at zero), the
    residual variances are what is left of each item's variance, and the factor correlations
    start at the correlations of the unit-weighted (sign-aligned) standardised sum scores.
    """
    p, k = len(layout.items), len(layout.factors)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    factor_of = np.asarray(layout.factor_of)
    lam = np.zeros((p, k))
    theta = np.zeros(p)
    weights = np.zeros((p, k))
    for j in range(k):
        members = np.nonzero(factor_of == j)[0]
        values, vectors = np.linalg.eigh(corr[np.ix_(members, members)])
        vector = vectors[:, -1]
        if vector.sum() < 0:
            vector = -vector
        loading = np.sqrt(max(values[-1], 1e-6)) * vector
        loading = np.sign(loading + 1e-12) * np.clip(np.abs(loading), 0.2, 0.95)
        lam[members, j] = loading * sd[members]
        theta[members] = (1 - loading**2) * sd[members] ** 2
        weights[members, j] = np.sign(loading) / sd[members]
    composite = weights.T @ cov @ weights
    c_sd = np.sqrt(np.diag(composite))
    phi = np.clip(composite / np.outer(c_sd, c_sd), -0.9, 0.9)
    np.fill_diagonal(phi, 1.0)
    out = {"lam": lam, "phi": phi, "theta": theta, "alpha": np.zeros(k)}
    out["nu"] = mean if mean is not None else np.zeros(p)
    return out


def start_vector(
    specs: list[GroupSpec], starts: list[dict[str, FloatArray]], n_params: int
) -> FloatArray:
    """Average, per free parameter, the starting values of every entry that points at it."""
    total = np.zeros(n_params)
    count = np.zeros(n_params)
    for spec, start in zip(specs, starts, strict=True):
        pairs: list[tuple[IntArray | None, FloatArray]] = [
            (spec.lam_idx, start["lam"]),
            (spec.phi_idx, start["phi"]),
            (spec.theta_idx, start["theta"]),
            (spec.nu_idx, start["nu"]),
            (spec.alpha_idx, start["alpha"]),
        ]
        for idx, values in pairs:
            if idx is None:
                continue
            mask = idx >= 0
            np.add.at(total, idx[mask], values[mask])
            np.add.at(count, idx[mask], 1.0)
    return total / np.maximum(count, 1.0)
