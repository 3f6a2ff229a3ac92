"""Change over a trajectory: reliable-change patterns and data-driven trajectory classes.

Two views on how the alliance develops:

* **Reliable-change patterns** per trajectory, rater and characteristic, by the rule of
  :func:`~alliantiemonitor.core.change.classify_pattern` (reliable change index between
  consecutive scores and between the first and latest score), computed for a whole long frame
  at once with :func:`~alliantiemonitor.core.change.reliable_change_array`; or, with
  ``method="signals"``, by the course labels of :mod:`alliantiemonitor.core.patterns`.
* **Trajectory classes**: each trajectory's intercept and slope over the round index (ordinary
  least squares), then a Gaussian mixture on those two numbers with K classes, K chosen by the
  BIC. The EM algorithm is in :mod:`.mixture` (seeded k-means++ starts); every K is reported
  with its log-likelihood, BIC and entropy, and the chosen one with class means, sizes and
  posterior probabilities.

Formulas, choices and the tests that check them against classify_pattern, scikit-learn's
GaussianMixture and adjusted_rand_score are in docs/analyses/change.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliantiemonitor.core.change import (
    DETERIORATED,
    IMPROVED,
    Pattern,
    reliable_change_array,
)
from alliantiemonitor.core.instrument import RATERS, Instrument, Polarity
from alliantiemonitor.core.patterns import Series, course_patterns
from alliantiemonitor.core.research.keys import factorize
from alliantiemonitor.core.research.mixture import (
    MixtureFit,
    adjusted_rand_index,
    fit_mixture,
    initial_parameters,
)

__all__ = [
    "ChangeReference",
    "ChangeResult",
    "MixtureFit",
    "TrajectoryClassesResult",
    "adjusted_rand_index",
    "change_patterns",
    "fit_mixture",
    "growth_parameters",
    "initial_parameters",
    "references_from_instrument",
    "trajectory_classes",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Method = Literal["rci", "signals"]

#: Pattern codes used while classifying; their order is the order of the shares table.
_PATTERNS: tuple[Pattern, ...] = (
    Pattern.STABLE,
    Pattern.IMPROVING,
    Pattern.DETERIORATING,
    Pattern.FLUCTUATING,
    Pattern.INSUFFICIENT,
)


def _safe(value: float | None) -> float | None:
    """``value`` as a float, or ``None`` when missing or not finite (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-safe dicts (NaN becomes ``None``, NumPy scalars plain)."""
    out: list[dict[str, Any]] = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, bool | np.bool_):
                clean[str(key)] = bool(value)
            elif isinstance(value, int | np.integer):
                clean[str(key)] = int(value)
            elif isinstance(value, float | np.floating):
                clean[str(key)] = _safe(float(value))
            else:
                clean[str(key)] = None if value is None else str(value)
        out.append(clean)
    return out


def _require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"column(s) not in the data: {', '.join(missing)}")


def _scores(frame: pd.DataFrame, column: str) -> FloatArray:
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise ValueError(f"column {column!r} must hold numeric scores (dtype {series.dtype})")
    values = np.asarray(series.astype("float64"), dtype=np.float64)
    if np.isinf(values).any():
        raise ValueError(f"column {column!r} contains infinite values")
    return values


# --- reliable-change patterns ---------------------------------------------------------------


@dataclass(frozen=True)
class ChangeReference:
    """What the reliable change index needs for one characteristic and rater."""

    polarity: Polarity
    sd: float
    reliability: float


def references_from_instrument(instrument: Instrument) -> dict[tuple[str, str], ChangeReference]:
    """The instrument's reference values per ``(characteristic, rater)`` that it has."""
    result: dict[tuple[str, str], ChangeReference] = {}
    for characteristic in instrument.characteristics:
        for rater in RATERS:
            reference = characteristic.reference.get(rater)
            if reference is not None:
                result[(characteristic.key, rater)] = ChangeReference(
                    characteristic.polarity, reference.sd, reference.reliability
                )
    return result


@dataclass(frozen=True)
class ChangeResult:
    """Patterns per trajectory, rater and characteristic, and their shares.

    ``patterns`` has one row per trajectory × rater × characteristic: ``trajectory``,
    ``rater``, ``characteristic``, ``n_scores``, ``first``, ``last``, ``rc`` (first → latest)
    and ``pattern``. ``shares`` has per rater, characteristic and pattern the count ``n``, the
    ``share`` of all trajectories and ``share_classified`` (of those with two or more scores).
    ``trajectory``, ``rater``, ``characteristic`` and ``pattern`` are categorical columns.
    """

    method: Method
    patterns: pd.DataFrame
    shares: pd.DataFrame

    def to_dict(self, *, include_patterns: bool = False) -> dict[str, Any]:
        """The shares (and, when asked, every pattern) as JSON-safe plain data."""
        result: dict[str, Any] = {
            "analysis": "change_patterns",
            "method": self.method,
            "missing": "a missing score is skipped; its neighbours are compared",
            "n_series": len(self.patterns),
            "shares": _records(self.shares),
        }
        if include_patterns:
            result["patterns"] = _records(self.patterns)
        return result


def _sorted_rows(
    frame: pd.DataFrame, trajectory: str, round_index: str, rater: str
) -> tuple[IntArray, npt.NDArray[Any], IntArray, IntArray]:
    """Row order by trajectory, rater and round; trajectory codes, their labels, rater codes."""
    traj_codes, traj_labels = factorize(frame[trajectory], sort=True)
    if (traj_codes < 0).any():
        raise ValueError(f"column {trajectory!r} has missing trajectory ids")
    rater_values, rater_names = pd.factorize(frame[rater])
    if (rater_values < 0).any():
        raise ValueError(f"column {rater!r} has missing raters")
    unknown = sorted(set(map(str, rater_names)) - set(RATERS))
    if unknown:
        raise ValueError(f"unknown rater(s) in {rater!r}: {', '.join(unknown[:5])}")
    is_second = np.array([str(name) == RATERS[1] for name in rater_names], dtype=bool)
    rater_codes = is_second[rater_values].astype(np.int64)
    rounds = _scores(frame, round_index)
    if np.isnan(rounds).any():
        raise ValueError(f"column {round_index!r} has missing round numbers")
    lowest = rounds.min(initial=0.0)
    if (rounds == np.round(rounds)).all() and rounds.max(initial=0.0) - lowest < 1e6:
        round_codes = (rounds - lowest).astype(np.int64)  # whole round numbers: no sort needed
    else:
        round_codes = np.unique(rounds, return_inverse=True)[1].astype(np.int64)
    n_rounds = int(round_codes.max(initial=0)) + 1
    # One integer key; a stable sort is close to linear on data already in trajectory order.
    key = (traj_codes.astype(np.int64) * 2 + rater_codes) * n_rounds + round_codes
    order = np.argsort(key, kind="stable")
    if (np.diff(key[order]) == 0).any():
        raise ValueError(
            f"a trajectory has two rows for the same {rater!r} and {round_index!r}; "
            "give one score per rater per round"
        )
    return order, np.asarray(traj_labels), traj_codes.astype(np.int64), rater_codes


def _classify_sorted(
    group: IntArray, values: FloatArray, n_groups: int, reference: ChangeReference
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, IntArray]:
    """classify_pattern for every group at once; ``values`` sorted by round within groups.

    Returns per group: the number of scores, first and latest score, the RC from first to
    latest and the index into :data:`_PATTERNS`.
    """
    missing = np.isnan(values)
    if missing.any():
        kept = np.flatnonzero(~missing)
        group, values = group.take(kept), values.take(kept)
    count = np.bincount(group, minlength=n_groups).astype(np.int64)
    first = np.full(n_groups, np.nan)
    last = np.full(n_groups, np.nan)
    same = group[1:] == group[:-1]  # consecutive scores of one group
    starts = np.flatnonzero(np.r_[True, ~same]) if group.size else group
    ends = np.r_[starts[1:] - 1, group.size - 1] if group.size else group
    first[group[starts]] = values[starts]
    last[group[ends]] = values[ends]
    sd, reliability, polarity = reference.sd, reference.reliability, reference.polarity
    # Every consecutive pair at once (views, no copies); a pair that crosses from one group
    # to the next is not a step and is left out by ``same``.
    steps = reliable_change_array(
        values[:-1], values[1:], sd=sd, reliability=reliability, polarity=polarity
    )
    overall = reliable_change_array(first, last, sd=sd, reliability=reliability, polarity=polarity)
    up = np.zeros(n_groups, dtype=bool)
    down = np.zeros(n_groups, dtype=bool)
    # Reliable steps are few: mark their groups by position.
    up[group[1:][np.flatnonzero((steps.direction == IMPROVED) & same)]] = True
    down[group[1:][np.flatnonzero((steps.direction == DETERIORATED) & same)]] = True
    up |= overall.direction == IMPROVED
    down |= overall.direction == DETERIORATED
    pattern = np.select(
        [count < 2, up & down, up, down],
        [
            _PATTERNS.index(Pattern.INSUFFICIENT),
            _PATTERNS.index(Pattern.FLUCTUATING),
            _PATTERNS.index(Pattern.IMPROVING),
            _PATTERNS.index(Pattern.DETERIORATING),
        ],
        _PATTERNS.index(Pattern.STABLE),
    ).astype(np.int64)
    return count, first, last, overall.rc, pattern


def _classify_signals(
    group: IntArray, values: FloatArray, n_groups: int, characteristic: str, rater: str
) -> IntArray:
    """The labels of :func:`~alliantiemonitor.core.patterns.course_patterns` per group."""
    bounds = np.searchsorted(group, np.arange(n_groups + 1))
    series = [
        Series(characteristic, rater, values[bounds[g] : bounds[g + 1]].tolist())
        for g in range(n_groups)
    ]
    labels = course_patterns(series)
    return np.array([_PATTERNS.index(label) for label in labels], dtype=np.int64)


def change_patterns(
    frame: pd.DataFrame,
    *,
    references: Mapping[tuple[str, str], ChangeReference],
    characteristics: Sequence[str] | None = None,
    trajectory: str = "trajectory_id",
    round_index: str = "round_index",
    rater: str = "rater",
    method: Method = "rci",
) -> ChangeResult:
    """Classify the course of every trajectory per rater and characteristic, and count them.

    ``frame`` is long: one row per trajectory, rater and round, with one score column per
    characteristic (as :func:`~alliantiemonitor.core.signals.scores_from_answers` makes).
    ``references`` maps ``(characteristic, rater)`` to its polarity, SD and reliability (see
    :func:`references_from_instrument`); ``characteristics`` default to every characteristic
    that has a reference and a column. A missing score is skipped. ``method="rci"`` applies the
    rule of :func:`~alliantiemonitor.core.change.classify_pattern` to all series at once;
    ``"signals"`` the course labels of :mod:`alliantiemonitor.core.patterns` (no
    ``fluctuating``). Raises :class:`ValueError` for missing columns, unknown raters, duplicate
    rounds, non-numeric scores or a characteristic without a reference.
    """
    if method not in ("rci", "signals"):
        raise ValueError(f"method must be 'rci' or 'signals', not {method!r}")
    _require_columns(frame, [trajectory, round_index, rater])
    if characteristics is None:
        keys = sorted({key for key, _ in references})
        characteristics = [key for key in keys if key in frame.columns]
        if not characteristics:
            raise ValueError("no score column matches a characteristic with reference values")
    _require_columns(frame, characteristics)
    order, labels, traj_codes, rater_codes = _sorted_rows(frame, trajectory, round_index, rater)
    n_traj = len(labels)
    # Each score column is read (and checked) once, for both raters.
    scores = {characteristic: _scores(frame, characteristic) for characteristic in characteristics}
    columns: dict[str, list[npt.NDArray[Any]]] = {
        name: [] for name in ("trajectory", "rater", "characteristic", "n_scores")
    }
    columns |= {name: [] for name in ("first", "last", "rc", "pattern")}
    tallies: list[tuple[str, str, IntArray]] = []
    for which, rater_name in enumerate(RATERS):
        mine = order[rater_codes[order] == which]
        if mine.size == 0:
            continue
        group = traj_codes[mine]
        present_groups = group[np.r_[True, group[1:] != group[:-1]]]  # sorted: first of each
        size = len(present_groups)
        for position, characteristic in enumerate(characteristics):
            reference = references.get((characteristic, rater_name))
            if reference is None:
                raise ValueError(
                    f"no reference values (SD, reliability) for {characteristic!r} "
                    f"rated by the {rater_name}"
                )
            values = scores[characteristic].take(mine)
            count, first, last, rc, pattern = _classify_sorted(group, values, n_traj, reference)
            if method == "signals":
                kept = ~np.isnan(values)
                pattern = _classify_signals(
                    group[kept], values[kept], n_traj, characteristic, rater_name
                )
            tallies.append(
                (rater_name, characteristic, np.bincount(pattern[present_groups], minlength=5))
            )
            columns["trajectory"].append(present_groups)
            columns["rater"].append(np.full(size, which, dtype=np.int8))
            columns["characteristic"].append(np.full(size, position, dtype=np.int8))
            for name, per_group in (
                ("n_scores", count),
                ("first", first),
                ("last", last),
                ("rc", rc),
                ("pattern", pattern),
            ):
                columns[name].append(per_group.take(present_groups))
    joined = {
        name: np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        for name, parts in columns.items()
    }
    # Categories keep two million rows light (the trajectory ids are stored once each); the
    # shares table is small and plain.
    patterns = pd.DataFrame(
        {
            "trajectory": pd.Categorical.from_codes(
                joined["trajectory"], categories=pd.Index(labels)
            ),
            "rater": pd.Categorical.from_codes(joined["rater"], categories=pd.Index(RATERS)),
            "characteristic": pd.Categorical.from_codes(
                joined["characteristic"], categories=pd.Index(list(characteristics))
            ),
            "n_scores": joined["n_scores"].astype(np.int64, copy=False),
            "first": joined["first"].astype(np.float64, copy=False),
            "last": joined["last"].astype(np.float64, copy=False),
            "rc": joined["rc"].astype(np.float64, copy=False),
            "pattern": pd.Categorical.from_codes(
                joined["pattern"], categories=pd.Index([p.value for p in _PATTERNS])
            ),
        }
    )
    return ChangeResult(method=method, patterns=patterns, shares=_shares(tallies))


def _shares(tallies: Sequence[tuple[str, str, IntArray]]) -> pd.DataFrame:
    """Counts and shares per rater, characteristic and pattern from the per-series tallies."""
    rows = []
    insufficient = _PATTERNS.index(Pattern.INSUFFICIENT)
    for rater_name, characteristic, counts in tallies:
        total = int(counts.sum())
        classified = total - int(counts[insufficient])
        for code, pattern in enumerate(_PATTERNS):
            n = int(counts[code])
            rows.append(
                {
                    "rater": rater_name,
                    "characteristic": characteristic,
                    "pattern": pattern.value,
                    "n": n,
                    "share": n / total if total else math.nan,
                    "share_classified": (
                        n / classified if classified and code != insufficient else math.nan
                    ),
                }
            )
    return pd.DataFrame(rows)


# --- growth parameters ----------------------------------------------------------------------


def growth_parameters(
    frame: pd.DataFrame,
    *,
    score: str,
    trajectory: str = "trajectory_id",
    round_index: str = "round_index",
) -> pd.DataFrame:
    """Per trajectory the OLS intercept and slope of ``score`` on ``round_index``.

    One pass of sums per trajectory (no per-group loop): ``slope = Sxy / Sxx`` and
    ``intercept = ȳ − slope · x̄``, so the intercept is the expected score at round 0. Rows with
    a missing score are left out; a trajectory with fewer than two distinct rounds gets a NaN
    slope and intercept (``n_rounds`` says how many scores it had).
    """
    _require_columns(frame, [trajectory, round_index, score])
    y = _scores(frame, score)
    x = _scores(frame, round_index)
    codes, labels = pd.factorize(frame[trajectory], sort=True)
    keep = ~np.isnan(y) & ~np.isnan(x) & (codes >= 0)
    codes, x, y = codes[keep], x[keep], y[keep]
    m = len(labels)
    n = np.bincount(codes, minlength=m).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_mean = np.bincount(codes, weights=x, minlength=m) / n
        y_mean = np.bincount(codes, weights=y, minlength=m) / n
        dx = x - x_mean[codes]
        sxx = np.bincount(codes, weights=dx * dx, minlength=m)
        sxy = np.bincount(codes, weights=dx * (y - y_mean[codes]), minlength=m)
        # Relative tolerance: rounds that differ only by rounding error count as one.
        estimable = sxx > 1e-12 * np.maximum(1.0, np.bincount(codes, weights=x * x, minlength=m))
        slope = np.where(estimable, sxy / np.where(estimable, sxx, 1.0), np.nan)
    intercept = y_mean - slope * x_mean
    return pd.DataFrame(
        {
            "trajectory": np.asarray(labels),
            "n_rounds": n.astype(np.int64),
            "intercept": intercept,
            "slope": slope,
        }
    )


# --- trajectory classes ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrajectoryClassesResult:
    """Trajectory classes on intercept and slope, with every K tried."""

    score: str
    status: Literal["ok", "not_estimable"]
    reason: str
    n: int
    n_excluded: int
    seed: int
    #: Per K: ``k``, ``log_likelihood``, ``n_parameters``, ``bic``, ``aic``, ``entropy``.
    comparison: pd.DataFrame
    chosen_k: int | None = None
    #: Per class (ordered by slope): ``class``, ``size``, ``weight``, ``intercept``, ``slope``,
    #: their SDs within the class, and the mean posterior probability of its members.
    classes: pd.DataFrame | None = None
    #: Per trajectory: ``trajectory``, ``class``, ``posterior`` (of that class) and one
    #: ``p_<class>`` column per class.
    assignments: pd.DataFrame | None = None
    entropy: float | None = None

    def to_dict(self, *, include_assignments: bool = False) -> dict[str, Any]:
        """The result as JSON-safe plain data (assignments only when asked)."""
        result: dict[str, Any] = {
            "analysis": "trajectory_classes",
            "score": self.score,
            "status": self.status,
            "reason": self.reason,
            "n": self.n,
            "n_excluded": self.n_excluded,
            "seed": self.seed,
            "features": ["intercept", "slope"],
            "criterion": "BIC",
            "comparison": _records(self.comparison),
            "chosen_k": self.chosen_k,
            "entropy": _safe(self.entropy),
            "classes": None if self.classes is None else _records(self.classes),
        }
        if include_assignments and self.assignments is not None:
            result["assignments"] = _records(self.assignments)
        return result


def trajectory_classes(
    frame: pd.DataFrame,
    *,
    score: str,
    trajectory: str = "trajectory_id",
    round_index: str = "round_index",
    k_values: Sequence[int] = (1, 2, 3, 4, 5),
    seed: int = 0,
    n_init: int = 3,
    min_rounds: int = 2,
    warm_start_sample: int | None = None,
) -> TrajectoryClassesResult:
    """Find classes of trajectories with a similar level and course of ``score``.

    Per trajectory the OLS intercept and slope over ``round_index`` (see
    :func:`growth_parameters`); trajectories with fewer than ``min_rounds`` scores are left
    out. A Gaussian mixture is fitted for every K in ``k_values`` (seeded) and the K with the
    lowest BIC is chosen. Classes are numbered by ascending mean slope, so with the usual
    three the first deteriorates and the last improves. Not estimable when fewer trajectories
    than ten times the largest K's parameters remain.

    ``warm_start_sample`` (for large data) fits each K first on a seeded sample of that many
    trajectories and continues EM on all of them from there (see :func:`fit_mixture`): the
    classes, posteriors and criteria are still those of a fit to every trajectory.
    """
    if not k_values or min(k_values) < 1:
        raise ValueError("k_values must be positive class counts")
    if min_rounds < 2:
        raise ValueError("min_rounds must be at least 2: a slope needs two rounds")
    params = growth_parameters(frame, score=score, trajectory=trajectory, round_index=round_index)
    usable = (params["n_rounds"] >= min_rounds) & params["slope"].notna()
    kept = params[usable].reset_index(drop=True)
    x = kept[["intercept", "slope"]].to_numpy(np.float64)
    n = len(kept)
    needed = 10 * max(
        k - 1 + k * 2 + k * 3 for k in k_values
    )  # ten trajectories per parameter of the largest model
    empty = pd.DataFrame(columns=["k", "log_likelihood", "n_parameters", "bic", "aic", "entropy"])
    base: dict[str, Any] = {
        "score": score,
        "n": n,
        "n_excluded": int((~usable).sum()),
        "seed": seed,
    }
    if n < needed:
        return TrajectoryClassesResult(
            **base,
            status="not_estimable",
            reason=f"{n} trajectories with {min_rounds}+ scores; the largest model needs {needed}",
            comparison=empty,
        )
    fits = {
        k: fit_mixture(x, k, seed=seed + k, n_init=n_init, warm_start_sample=warm_start_sample)
        for k in sorted(set(k_values))
    }
    comparison = pd.DataFrame(
        [
            {
                "k": k,
                "log_likelihood": fit.log_likelihood,
                "n_parameters": fit.n_parameters(),
                "bic": fit.bic(),
                "aic": fit.aic(),
                "entropy": fit.entropy(),
                "converged": fit.converged,
                "iterations": fit.iterations,
                "sample_iterations": fit.sample_iterations,
            }
            for k, fit in fits.items()
        ]
    )
    chosen = min(fits, key=lambda k: fits[k].bic())
    fit = fits[chosen]
    order = np.argsort(fit.means[:, 1], kind="stable")
    resp = fit.responsibilities[:, order]
    label = resp.argmax(axis=1)
    sds = np.sqrt(np.stack([np.diag(c) for c in fit.covariances[order]]))
    classes = pd.DataFrame(
        {
            "class": np.arange(1, chosen + 1),
            "size": np.bincount(label, minlength=chosen),
            "weight": fit.weights[order],
            "intercept": fit.means[order, 0],
            "slope": fit.means[order, 1],
            "intercept_sd": sds[:, 0],
            "slope_sd": sds[:, 1],
            "mean_posterior": [
                float(resp[label == c, c].mean()) if (label == c).any() else math.nan
                for c in range(chosen)
            ],
        }
    )
    assignments = pd.DataFrame(
        {
            "trajectory": kept["trajectory"],
            "class": label + 1,
            "posterior": resp[np.arange(n), label],
        }
    )
    for c in range(chosen):
        assignments[f"p_{c + 1}"] = resp[:, c]
    return TrajectoryClassesResult(
        **base,
        status="ok",
        reason="",
        comparison=comparison,
        chosen_k=chosen,
        classes=classes,
        assignments=assignments,
        entropy=fit.entropy(),
    )
