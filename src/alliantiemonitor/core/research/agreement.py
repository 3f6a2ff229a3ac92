"""Agreement between client and professional per characteristic, on paired scale scores.

Input is one row per round with both parties' scores of a characteristic (or two frames that
:func:`join_raters` pairs on a key). Per characteristic, only the rows where both scores are
present are used (pairwise complete for that characteristic); ``n`` says how many.

What is computed (formulas in docs/analyses/agreement.md):

* Pearson's r with a 95 % interval from Fisher's z transformation;
* the paired mean difference (client − professional) with its paired t-test and 95 % interval;
* the six intraclass correlations of Shrout & Fleiss / McGraw & Wong from the two-way ANOVA of
  rows × raters, with F-test and 95 % interval. For client versus professional, ICC(A,1)
  (two-way, absolute agreement) and ICC(C,1) (two-way, consistency) are the ones that apply;
  ICC(1,1) assumes interchangeable raters, which a client and a professional are not;
* Bland–Altman: the bias (mean difference) and the 95 % limits of agreement, bias ± 1.96 SD of
  the differences, each limit with an approximate 95 % interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from alliantiemonitor.core.instrument import CLIENT, PROFESSIONAL, Instrument
from alliantiemonitor.core.research.data import AnalysisInputError
from alliantiemonitor.core.research.jsonsafe import NOT_ESTIMABLE, OK, Status, interval, number
from alliantiemonitor.core.research.keys import factorize
from alliantiemonitor.core.scoring import AnswerError, score_frame

FloatArray = NDArray[np.float64]

#: Fewer complete pairs than this and nothing is estimated (Fisher's z needs n − 3 > 0).
MIN_PAIRS = 4
#: The normal quantile of the Bland–Altman limits.
LOA_Z = 1.96

#: (form, meaning, applies to client versus professional)
ICC_FORMS: tuple[tuple[str, str, bool], ...] = (
    ("ICC(1,1)", "one-way random, single score; raters interchangeable", False),
    ("ICC(A,1)", "two-way, absolute agreement, single score (Shrout & Fleiss ICC(2,1))", True),
    ("ICC(C,1)", "two-way, consistency, single score (Shrout & Fleiss ICC(3,1))", True),
    ("ICC(1,k)", "one-way random, mean of the k raters; raters interchangeable", False),
    ("ICC(A,k)", "two-way, absolute agreement, mean of the k raters (ICC(2,k))", True),
    ("ICC(C,k)", "two-way, consistency, mean of the k raters (ICC(3,k))", True),
)


@dataclass(frozen=True)
class IntraclassCorrelation:
    """One ICC form with its F-test and 95 % interval."""

    form: str
    meaning: str
    applies: bool
    icc: float
    ci: tuple[float, float]
    f: float
    df1: float
    df2: float
    p: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "meaning": self.meaning,
            "applies": self.applies,
            "icc": number(self.icc),
            "ci95": interval(self.ci),
            "f": number(self.f),
            "df1": number(self.df1),
            "df2": number(self.df2),
            "p": number(self.p),
        }


def intraclass_correlations(ratings: ArrayLike, level: float = 0.95) -> list[IntraclassCorrelation]:
    """The six ICCs of an n targets × k raters array without missing values.

    From the two-way ANOVA: MSR (targets), MSC (raters), MSE (residual) and
    MSW = (SSC + SSE) / (n(k − 1)) (within targets). The interval of ICC(A,·) uses the
    Satterthwaite degrees of freedom of McGraw & Wong (1996).
    """
    y = np.asarray(ratings, dtype=np.float64)
    n, k = int(y.shape[0]), int(y.shape[1])
    grand = y.mean()
    # NumPy scalars, not floats: identical scores make a mean square 0, and a division by it
    # should give inf/NaN (reported as "cannot be computed"), not raise ZeroDivisionError.
    ss_rows = k * np.float64(((y.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * np.float64(((y.mean(axis=0) - grand) ** 2).sum())
    ss_total = np.float64(((y - grand) ** 2).sum())
    # A residual that is rounding noise (identical or shifted scores) is zero, not a tiny
    # negative number that would turn F negative.
    ss_error = max(ss_total - ss_rows - ss_cols, np.float64(0.0))
    if ss_error <= 1e-12 * ss_total:
        ss_error = np.float64(0.0)
    df_rows, df_cols, df_error = n - 1, k - 1, (n - 1) * (k - 1)
    ms_rows, ms_cols, ms_error = ss_rows / df_rows, ss_cols / df_cols, ss_error / df_error
    df_within = n * (k - 1)
    ms_within = (ss_cols + ss_error) / df_within

    tail = (1 - level) / 2
    one = (ms_rows - ms_within) / (ms_rows + (k - 1) * ms_within)
    one_k = (ms_rows - ms_within) / ms_rows
    f_one = ms_rows / ms_within
    f_one_low = f_one / stats.f.isf(tail, df_rows, df_within)
    f_one_high = f_one * stats.f.isf(tail, df_within, df_rows)

    consistency = (ms_rows - ms_error) / (ms_rows + (k - 1) * ms_error)
    consistency_k = (ms_rows - ms_error) / ms_rows
    f_two = ms_rows / ms_error
    f_two_low = f_two / stats.f.isf(tail, df_rows, df_error)
    f_two_high = f_two * stats.f.isf(tail, df_error, df_rows)

    absolute = (ms_rows - ms_error) / (ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n)
    absolute_k = (ms_rows - ms_error) / (ms_rows + (ms_cols - ms_error) / n)
    # McGraw & Wong: Satterthwaite's df for the mix of MSC and MSE in the denominator.
    a = k * absolute / (n * (1 - absolute))
    b = 1 + k * absolute * (n - 1) / (n * (1 - absolute))
    v = (a * ms_cols + b * ms_error) ** 2 / (
        (a * ms_cols) ** 2 / df_cols + (b * ms_error) ** 2 / df_error
    )
    f_star_low = stats.f.isf(tail, df_rows, v)
    f_star_high = stats.f.isf(tail, v, df_rows)
    spread = k * ms_cols + (k * n - k - n) * ms_error
    absolute_low = n * (ms_rows - f_star_low * ms_error) / (f_star_low * spread + n * ms_rows)
    absolute_high = n * (f_star_high * ms_rows - ms_error) / (spread + n * f_star_high * ms_rows)

    def single(f_value: float) -> float:
        return (f_value - 1) / (f_value + k - 1)

    def average(f_value: float) -> float:
        return 1 - 1 / f_value

    def stepped_up(icc: float) -> float:  # Spearman–Brown to the mean of k raters
        return k * icc / (1 + (k - 1) * icc)

    p_one = float(stats.f.sf(f_one, df_rows, df_within))
    p_two = float(stats.f.sf(f_two, df_rows, df_error))
    values = (
        (one, (single(f_one_low), single(f_one_high)), f_one, df_within, p_one),
        (absolute, (absolute_low, absolute_high), f_two, df_error, p_two),
        (consistency, (single(f_two_low), single(f_two_high)), f_two, df_error, p_two),
        (one_k, (average(f_one_low), average(f_one_high)), f_one, df_within, p_one),
        (absolute_k, (stepped_up(absolute_low), stepped_up(absolute_high)), f_two, df_error, p_two),
        (consistency_k, (average(f_two_low), average(f_two_high)), f_two, df_error, p_two),
    )
    return [
        IntraclassCorrelation(
            form=form,
            meaning=meaning,
            applies=applies,
            icc=float(icc),
            ci=(float(ci[0]), float(ci[1])),
            f=float(f_value),
            df1=float(df_rows),
            df2=float(df2),
            p=p,
        )
        for (form, meaning, applies), (icc, ci, f_value, df2, p) in zip(
            ICC_FORMS, values, strict=True
        )
    ]


@dataclass(frozen=True)
class CharacteristicAgreement:
    """Client versus professional on one characteristic; ``difference`` = client − professional.

    ``status`` is ``not_estimable`` (with ``reason``) when there are too few complete pairs;
    a single statistic that cannot be computed (r when one side never varies, t when the
    differences never vary) is ``None`` and ``notes`` says why.
    """

    characteristic: str
    status: Status
    reason: str | None
    n: int
    client_mean: float | None = None
    client_sd: float | None = None
    professional_mean: float | None = None
    professional_sd: float | None = None
    pearson_r: float | None = None
    pearson_ci: tuple[float, float] | None = None
    pearson_p: float | None = None
    mean_difference: float | None = None
    difference_sd: float | None = None
    difference_ci: tuple[float, float] | None = None
    t: float | None = None
    df: int | None = None
    t_p: float | None = None
    icc: tuple[IntraclassCorrelation, ...] = ()
    limits: tuple[float, float] | None = None
    lower_limit_ci: tuple[float, float] | None = None
    upper_limit_ci: tuple[float, float] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "characteristic": self.characteristic,
            "status": self.status,
            "reason": self.reason,
            "missing": "pairs with both scores (complete pairs per characteristic)",
            "n": self.n,
            "client": {"mean": number(self.client_mean), "sd": number(self.client_sd)},
            "professional": {
                "mean": number(self.professional_mean),
                "sd": number(self.professional_sd),
            },
            "pearson": {
                "r": number(self.pearson_r),
                "ci95": interval(self.pearson_ci),
                "p": number(self.pearson_p),
            },
            "paired_difference": {
                "mean": number(self.mean_difference),
                "sd": number(self.difference_sd),
                "ci95": interval(self.difference_ci),
                "t": number(self.t),
                "df": self.df,
                "p": number(self.t_p),
            },
            "icc": [icc.to_dict() for icc in self.icc],
            "bland_altman": {
                "bias": number(self.mean_difference),
                "lower_limit": number(self.limits[0]) if self.limits else None,
                "upper_limit": number(self.limits[1]) if self.limits else None,
                "lower_limit_ci95": interval(self.lower_limit_ci),
                "upper_limit_ci95": interval(self.upper_limit_ci),
            },
            "notes": list(self.notes),
        }


def characteristic_agreement(
    client: ArrayLike, professional: ArrayLike, *, characteristic: str, level: float = 0.95
) -> CharacteristicAgreement:
    """Agreement of two equally long arrays of scores; pairs with a missing score are skipped."""
    x = np.asarray(client, dtype=np.float64)
    y = np.asarray(professional, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("client and professional scores must be two arrays of the same length")
    incomplete = np.isnan(x) | np.isnan(y)
    if incomplete.any():
        # By position: a boolean mask over two million pairs is several times slower.
        complete = np.flatnonzero(~incomplete)
        x, y = x.take(complete), y.take(complete)
    n = int(x.size)
    if n < MIN_PAIRS:
        return CharacteristicAgreement(
            characteristic=characteristic,
            status=NOT_ESTIMABLE,
            reason=f"{n} complete pair(s); agreement needs at least {MIN_PAIRS}",
            n=n,
        )
    notes: list[str] = []
    quantile = float(stats.t.isf((1 - level) / 2, n - 1))
    difference = x - y
    bias = float(difference.mean())
    sd_difference = float(difference.std(ddof=1))
    se = sd_difference / math.sqrt(n)

    # Each SD once: positive exactly when the population SD is (the same sum of squares).
    client_sd, professional_sd = float(x.std(ddof=1)), float(y.std(ddof=1))
    r = r_ci = r_p = None
    if client_sd > 0 and professional_sd > 0:
        r = float(np.corrcoef(x, y)[0, 1])
        r = max(-1.0, min(1.0, r))
        z, z_se = math.atanh(r) if abs(r) < 1 else math.copysign(math.inf, r), 1 / math.sqrt(n - 3)
        z_quantile = float(stats.norm.isf((1 - level) / 2))
        r_ci = (math.tanh(z - z_quantile * z_se), math.tanh(z + z_quantile * z_se))
        r_p = (
            0.0
            if abs(r) == 1
            else float(2 * stats.t.sf(abs(r) * math.sqrt((n - 2) / (1 - r * r)), n - 2))
        )
    else:
        notes.append("Pearson's r: one party's scores do not vary")

    t = t_p = None
    if sd_difference > 0:
        t = bias / se
        t_p = float(2 * stats.t.sf(abs(t), n - 1))
    else:
        notes.append("t-test: the differences do not vary")

    with np.errstate(divide="ignore", invalid="ignore"):
        icc = tuple(intraclass_correlations(np.column_stack([x, y]), level))
    if not all(math.isfinite(i.icc) and all(map(math.isfinite, i.ci)) for i in icc):
        notes.append(
            "ICC: not every form can be computed without variance between or within rounds"
        )

    # Bland & Altman (1999): var(limit) ≈ SD² · (1/n + z²/(2(n − 1))).
    limit_se = sd_difference * math.sqrt(1 / n + LOA_Z**2 / (2 * (n - 1)))
    lower, upper = bias - LOA_Z * sd_difference, bias + LOA_Z * sd_difference
    return CharacteristicAgreement(
        characteristic=characteristic,
        status=OK,
        reason=None,
        n=n,
        client_mean=float(x.mean()),
        client_sd=client_sd,
        professional_mean=float(y.mean()),
        professional_sd=professional_sd,
        pearson_r=r,
        pearson_ci=r_ci,
        pearson_p=r_p,
        mean_difference=bias,
        difference_sd=sd_difference,
        difference_ci=(bias - quantile * se, bias + quantile * se),
        t=t,
        df=n - 1,
        t_p=t_p,
        icc=icc,
        limits=(lower, upper),
        lower_limit_ci=(lower - quantile * limit_se, lower + quantile * limit_se),
        upper_limit_ci=(upper - quantile * limit_se, upper + quantile * limit_se),
        notes=tuple(notes),
    )


def agreement(
    frame: pd.DataFrame, pairs: Mapping[str, tuple[str, str]]
) -> list[CharacteristicAgreement]:
    """Agreement per characteristic; ``pairs`` maps it to its (client, professional) columns.

    Raises :class:`AnalysisInputError` when a named column is absent or not numeric.
    """
    problems = []
    for client_column, professional_column in pairs.values():
        for column in (client_column, professional_column):
            if column not in frame.columns:
                problems.append(f"the paired data have no column {column}")
            elif frame[column].dtype.kind not in "iuf":
                problems.append(f"column {column}: holds values that are not numbers")
    if problems:
        raise AnalysisInputError(problems)
    return [
        characteristic_agreement(
            frame[client_column].to_numpy(dtype=np.float64),
            frame[professional_column].to_numpy(dtype=np.float64),
            characteristic=name,
        )
        for name, (client_column, professional_column) in pairs.items()
    ]


def _key_codes(
    left: pd.DataFrame, right: pd.DataFrame, on: Sequence[str]
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """One dense integer per distinct key (the columns ``on``), over both sides together.

    Missing values in a key column are a value of their own, as ``DataFrame.merge`` matches
    them. Columns are factorised one at a time and the codes combined and made dense again
    after each, so no product of group counts can overflow.
    """
    total = len(left) + len(right)
    codes = np.zeros(total, dtype=np.int64)
    groups = 1
    for column in on:
        values = pd.concat([left[column], right[column]], ignore_index=True)
        if values.dtype.kind in "iu" and total and not values.isna().any():
            # Whole numbers (a round's number): their offset from the smallest is the code.
            column_codes = values.to_numpy(dtype=np.int64)
            low = int(column_codes.min())
            column_codes = column_codes - low
            span = int(column_codes.max()) + 1
        else:
            column_codes, distinct = factorize(values, use_na_sentinel=False)
            span = max(len(distinct), 1)
        codes = codes * span + column_codes
        groups *= span
        if groups > 4 * total + 1:
            dense, seen = pd.factorize(codes)
            codes = dense.astype(np.int64)
            groups = len(seen)
    groups = groups if total else 0
    return codes[: len(left)], codes[len(left) :], groups


def join_raters(
    client: pd.DataFrame,
    professional: pd.DataFrame,
    *,
    on: Sequence[str],
    characteristics: Sequence[str],
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """Pair the client's and the professional's scores on the key columns ``on``.

    Returns the joined frame (columns ``<characteristic>_client`` and
    ``<characteristic>_professional``; an inner join, so a round only one party scored is
    left out) and the ``pairs`` that :func:`agreement` takes. Raises
    :class:`AnalysisInputError` when a key column is absent or a key occurs twice on one side.
    """
    sides = (("client", client), ("professional", professional))
    absent = {
        side: [column for column in (*on, *characteristics) if column not in frame.columns]
        for side, frame in sides
    }
    complete = not any(absent.values())
    if complete:
        left_codes, right_codes, groups = _key_codes(client, professional, on)
        codes = {"client": left_codes, "professional": right_codes}
    problems = []
    for side, frame in sides:
        if absent[side]:
            problems.append(f"the {side} data have no column(s) {', '.join(absent[side])}")
            continue
        if complete:
            own, own_groups = codes[side], groups
        elif all(column in frame.columns for column in on):
            own, _unused, own_groups = _key_codes(frame, frame.iloc[:0], on)
        else:
            continue
        if len(own) and np.bincount(own, minlength=own_groups).max() > 1:
            problems.append(f"the {side} data have more than one row for a key ({', '.join(on)})")
    if problems:
        raise AnalysisInputError(problems)
    return _inner_join(
        client,
        professional,
        left_codes,
        right_codes,
        groups,
        on=on,
        characteristics=characteristics,
    )


def _inner_join(
    client: pd.DataFrame,
    professional: pd.DataFrame,
    left_codes: NDArray[np.int64],
    right_codes: NDArray[np.int64],
    groups: int,
    *,
    on: Sequence[str],
    characteristics: Sequence[str],
    left_rows: NDArray[np.intp] | None = None,
    right_rows: NDArray[np.intp] | None = None,
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """The inner join of unique keys, in the client's row order (as DataFrame.merge gives it).

    ``left_codes``/``right_codes`` are the key codes of the client's and the professional's
    rows; those rows are ``client``'s and ``professional``'s (all of them, or the positions
    ``left_rows``/``right_rows``).
    """
    if left_rows is None:
        left_rows = np.arange(len(left_codes))
    if right_rows is None:
        right_rows = np.arange(len(right_codes))
    # The position of each key on the professional's side, looked up per client row.
    position = np.full(groups, -1, dtype=np.int64)
    position[right_codes] = right_rows
    match = position[left_codes]
    paired = match >= 0
    left = client[[*on, *characteristics]].iloc[left_rows[paired]]
    right = professional[list(characteristics)].iloc[match[paired]]
    joined = pd.concat(
        [
            left.reset_index(drop=True).rename(columns={c: f"{c}_client" for c in characteristics}),
            right.reset_index(drop=True).add_suffix("_professional"),
        ],
        axis=1,
    )
    pairs = {c: (f"{c}_client", f"{c}_professional") for c in characteristics}
    return joined, pairs


def join_long(
    frame: pd.DataFrame,
    *,
    on: Sequence[str],
    characteristics: Sequence[str],
    rater: str = "rater",
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """:func:`join_raters` on long data: one frame, a ``rater`` column says whose row it is.

    The same result as ``join_raters(frame[client rows], frame[professional rows], ...)``,
    without copying each side first: the keys are coded once for the whole frame. The
    ``rater`` column holds ``client`` or ``professional`` (anything else is an error).
    """
    needed = [*on, *characteristics, rater]
    absent = [column for column in needed if column not in frame.columns]
    if absent:
        raise AnalysisInputError([f"the data have no column(s) {', '.join(absent)}"])
    raters = frame[rater]
    is_client = raters.eq(CLIENT).fillna(False).to_numpy(dtype=bool)
    is_professional = raters.eq(PROFESSIONAL).fillna(False).to_numpy(dtype=bool)
    other = ~(is_client | is_professional)
    if other.any():
        shown = sorted(
            {"(empty)" if pd.isna(value) else str(value) for value in raters[other].head(1000)}
        )[:5]
        raise AnalysisInputError(
            [
                f"the {rater!r} column holds other values than client or professional: "
                + ", ".join(shown)
            ]
        )
    codes, _unused, groups = _key_codes(frame, frame.iloc[:0], on)
    left_rows, right_rows = np.flatnonzero(is_client), np.flatnonzero(is_professional)
    left_codes, right_codes = codes[left_rows], codes[right_rows]
    problems = [
        f"the {side} data have more than one row for a key ({', '.join(on)})"
        for side, own in (("client", left_codes), ("professional", right_codes))
        if len(own) and np.bincount(own, minlength=groups).max() > 1
    ]
    if problems:
        raise AnalysisInputError(problems)
    return _inner_join(
        frame,
        frame,
        left_codes,
        right_codes,
        groups,
        on=on,
        characteristics=characteristics,
        left_rows=left_rows,
        right_rows=right_rows,
    )


def instrument_pairs(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    on: Sequence[str] = (),
    rater_column: str = "rater",
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """Client and professional characteristic scores of item data, paired per round.

    The scores are the product's own (``core.scoring``: reverse keying, the two-thirds rule).
    With a ``rater_column`` in ``frame`` the client rows and the professional rows are paired
    on the key columns ``on``; without one, every row holds both parties' items of one round.
    Raises :class:`AnalysisInputError` when a party's items are all absent, a key is missing,
    or (from scoring) an answer is not on the scale.
    """
    try:
        return _instrument_pairs(frame, instrument, on=on, rater_column=rater_column)
    except AnswerError as exc:
        raise AnalysisInputError(str(problem) for problem in exc.problems) from None


def _instrument_pairs(
    frame: pd.DataFrame, instrument: Instrument, *, on: Sequence[str], rater_column: str
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    keys = [c.key for c in instrument.characteristics]
    absent = [
        rater
        for rater in (CLIENT, PROFESSIONAL)
        if not any(item.id in frame.columns for item in instrument.items_for(rater))
    ]
    if absent:
        raise AnalysisInputError([f"the data hold no {' or '.join(absent)} items"])
    if rater_column not in frame.columns:
        client = score_frame(instrument, frame, CLIENT)
        professional = score_frame(instrument, frame, PROFESSIONAL)
        joined = pd.concat(
            [client.add_suffix("_client"), professional.add_suffix("_professional")], axis=1
        )
        return joined, {c: (f"{c}_client", f"{c}_professional") for c in keys}
    if not on:
        raise AnalysisInputError(
            [f"the data have a {rater_column!r} column: name the columns that pair a round"]
        )
    missing_keys = [column for column in on if column not in frame.columns]
    if missing_keys:
        raise AnalysisInputError([f"the data have no key column(s) {', '.join(missing_keys)}"])
    sides = {}
    for rater in (CLIENT, PROFESSIONAL):
        spelled = frame[rater_column].astype("string").str.strip().str.lower()
        rows = frame[spelled.eq(rater).fillna(False).to_numpy(dtype=bool)]
        scores = score_frame(instrument, rows, rater)
        sides[rater] = pd.concat([rows[list(on)], scores], axis=1)
    return join_raters(sides[CLIENT], sides[PROFESSIONAL], on=on, characteristics=keys)
