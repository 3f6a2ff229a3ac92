"""Change over time: the reliable change index, reference values and trajectory patterns.

The reliable change index (RCI) follows Jacobson & Truax with the √2 of Christensen & Mendoza::

    SE     = SD · √(1 − r)
    S_diff = √2 · SE
    RC     = (x₂ − x₁) / S_diff          |RC| > 1.96  →  reliable change
    MDC    = 1.96 · S_diff               the minimum detectable change, in score points

SD and r (reliability) come from the instrument's reference values per characteristic and
rater, or from :func:`estimate_reference` once an organisation has enough scored responses of
its own. Direction respects polarity: for friction (higher is worse) a rise is a deterioration.

There are no published norms for the monitor, so nothing here is a clinical cut-off. Friction's
internal consistency was reported as weaker than that of the other three characteristics; show
that next to its changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from alliantiemonitor.core.instrument import Instrument, Polarity, Rater, ReferenceValues

# One alpha for the whole code base: the research package owns it, this name stays importable.
from alliantiemonitor.core.research.reliability import cronbach_alpha as cronbach_alpha
from alliantiemonitor.core.scoring import (
    MIN_FRACTION,
    AnswerError,
    characteristic_keys,
    read_answers,
    score_array,
)

#: |RC| above this is reliable change (two-sided 95 %).
RC_CRITICAL = 1.96
#: Responses per rater an organisation needs before its own reference values replace the
#: instrument's (INSTRUMENT.md, "Change over time").
MIN_REFERENCE_N = 100

Direction = Literal["improved", "deteriorated", "no_reliable_change"]

#: Codes used by :func:`reliable_change_array` for the direction of each change.
IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED = 1, 0, -1

_POLARITIES: frozenset[str] = frozenset(get_args(Polarity))


class Pattern(StrEnum):
    """The course of one characteristic for one rater over a trajectory (see classify_pattern)."""

    STABLE = "stable"
    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    FLUCTUATING = "fluctuating"
    INSUFFICIENT = "insufficient"


@dataclass(frozen=True)
class ReliableChange:
    """The change from ``x1`` to ``x2`` on one characteristic, judged against measurement error."""

    x1: float
    x2: float
    difference: float
    se: float
    s_diff: float
    rc: float
    mdc: float
    reliable: bool
    direction: Direction


@dataclass(frozen=True)
class ReliableChangeArray:
    """Vectorised reliable change: one entry per pair of scores.

    ``direction`` holds :data:`IMPROVED` (1), :data:`NO_RELIABLE_CHANGE` (0) or
    :data:`DETERIORATED` (-1); where either score is NaN, ``rc`` is NaN and the change is not
    reliable. ``s_diff`` and ``mdc`` are the same for every entry.
    """

    rc: NDArray[np.float64]
    reliable: NDArray[np.bool_]
    direction: NDArray[np.int8]
    s_diff: float
    mdc: float


def _s_diff(sd: float, reliability: float) -> float:
    if not (sd > 0 and math.isfinite(sd)):
        raise ValueError(f"sd must be a positive number, not {sd}")
    if not 0 <= reliability < 1:
        raise ValueError(f"reliability must lie in [0, 1), not {reliability}")
    return math.sqrt(2) * sd * math.sqrt(1 - reliability)


def minimum_detectable_change(*, sd: float, reliability: float) -> float:
    """``1.96 · √2 · SD · √(1 − r)``: the smallest change in points that counts as reliable."""
    return RC_CRITICAL * _s_diff(sd, reliability)


def _check_polarity(polarity: object) -> None:
    # Anything but the exact "negative" used to count as positive (or the other way round):
    # a typo such as "Positive" would silently turn every change around.
    if polarity not in _POLARITIES:
        raise ValueError(f"polarity must be 'positive' or 'negative', not {polarity!r}")


def _present_score(position: int, score: object) -> float | None:
    """``score`` as a float, ``None`` when missing (None, NaN, pd.NA); refuse anything else."""
    if score is None or score is pd.NA:
        return None
    if isinstance(score, bool) or not isinstance(score, int | float | np.integer | np.floating):
        raise ValueError(f"scores[{position}] is {score!r}, not a number")
    value = float(score)
    return None if math.isnan(value) else value


def _direction(difference: float, reliable: bool, polarity: Polarity) -> Direction:
    if not reliable:
        return "no_reliable_change"
    better = difference > 0 if polarity == "positive" else difference < 0
    return "improved" if better else "deteriorated"


def reliable_change(
    x1: float, x2: float, *, sd: float, reliability: float, polarity: Polarity
) -> ReliableChange:
    """Judge the change from score ``x1`` (earlier) to ``x2`` (later).

    ``sd`` is the standard deviation of the characteristic score and ``reliability`` its
    reliability (e.g. Cronbach's alpha), both for the same rater. ``polarity`` is the
    characteristic's: ``"positive"`` (a rise is an improvement) or ``"negative"`` (friction:
    a rise is a deterioration). Change is reliable when ``|RC| > 1.96`` (strictly).

    Example: sd=0.7, r=0.84 gives SE=0.28, S_diff=0.396 and MDC=0.776 points, so 2.0 → 3.0
    (RC=2.53) is reliable: an improvement for trust, a deterioration for friction.
    """
    _check_polarity(polarity)
    if math.isnan(x1) or math.isnan(x2):
        raise ValueError("both scores are needed for a reliable change")
    return _judged(x1, x2, s_diff=_s_diff(sd, reliability), critical=RC_CRITICAL, polarity=polarity)


def _judged(
    x1: float, x2: float, *, s_diff: float, critical: float, polarity: Polarity
) -> ReliableChange:
    """The change from ``x1`` to ``x2``, reliable when ``|x2 − x1| / s_diff > critical``."""
    difference = x2 - x1
    rc = difference / s_diff
    reliable = abs(rc) > critical
    return ReliableChange(
        x1=x1,
        x2=x2,
        difference=difference,
        se=s_diff / math.sqrt(2),
        s_diff=s_diff,
        rc=rc,
        mdc=critical * s_diff,
        reliable=reliable,
        direction=_direction(difference, reliable, polarity),
    )


def clear_change(
    x1: float,
    x2: float,
    *,
    wobble: float,
    comparisons: int,
    polarity: Polarity,
    alpha: float = 0.05,
) -> ReliableChange:
    """Judge the change from ``x1`` to ``x2`` against the round-to-round wobble of one person.

    ``wobble`` is the within-person SD of the score between two rounds when nothing really
    changes (the signals rule's ``noise``, docs/signals.md), so the difference of two rounds
    has SD ``wobble·√2``. A course page compares the same series ``comparisons`` times (each
    round with the one before, and the first with the latest): each comparison gets
    ``alpha / comparisons`` (Bonferroni), so a stable series shows any clear change in at most
    ``alpha`` of cases however many rounds it has. The reference SE of
    :func:`reliable_change` leaves the wobble out, and compared at 5 % each round it marked a
    third of stable series by the sixth round.
    """
    _check_polarity(polarity)
    if math.isnan(x1) or math.isnan(x2):
        raise ValueError("both scores are needed for a change")
    if not wobble > 0 or comparisons < 1 or not 0 < alpha < 1:
        raise ValueError("wobble must be positive, comparisons at least 1, alpha in (0, 1)")
    critical = NormalDist().inv_cdf(1 - alpha / (2 * comparisons))
    return _judged(x1, x2, s_diff=wobble * math.sqrt(2), critical=critical, polarity=polarity)


def reliable_change_array(
    x1: ArrayLike, x2: ArrayLike, *, sd: float, reliability: float, polarity: Polarity
) -> ReliableChangeArray:
    """:func:`reliable_change` for arrays of earlier and later scores (broadcast together)."""
    _check_polarity(polarity)
    s_diff = _s_diff(sd, reliability)
    first = np.asarray(x1, dtype=np.float64)
    second = np.asarray(x2, dtype=np.float64)
    rc = (second - first) / s_diff
    reliable = np.abs(rc) > RC_CRITICAL  # NaN compares False: not reliable
    sign = np.sign(rc) if polarity == "positive" else -np.sign(rc)
    direction = np.where(reliable, sign, 0).astype(np.int8)
    return ReliableChangeArray(
        rc=rc, reliable=reliable, direction=direction, s_diff=s_diff, mdc=RC_CRITICAL * s_diff
    )


def classify_pattern(
    scores: Sequence[float | None], *, sd: float, reliability: float, polarity: Polarity
) -> Pattern:
    """Classify the course of one characteristic for one rater across a trajectory's rounds.

    ``scores`` are the characteristic scores of the rounds in time order; a missing round
    (``None``, NaN or ``pd.NA``) is skipped, so its neighbours are compared with each other.
    The rule:

    1. fewer than two scores → ``insufficient``;
    2. collect the reliable changes (RCI, see :func:`reliable_change`) between every two
       consecutive scores *and* between the first and the latest score;
    3. at least one reliable improvement and at least one reliable deterioration among them →
       ``fluctuating`` (e.g. up and back down; or a reliable rise followed by a slow slide
       that ends reliably below the start);
    4. otherwise any reliable improvement → ``improving``; any reliable deterioration →
       ``deteriorating``;
    5. no reliable change at all → ``stable``.

    Improvement and deterioration respect ``polarity``: a rising friction score deteriorates.
    A score that is not a number, or a polarity other than ``"positive"`` / ``"negative"``,
    raises :class:`ValueError`.
    """
    _check_polarity(polarity)
    read = (_present_score(position, score) for position, score in enumerate(scores))
    present = [score for score in read if score is not None]
    if len(present) < 2:
        return Pattern.INSUFFICIENT
    values = np.asarray(present)
    steps = reliable_change_array(
        values[:-1], values[1:], sd=sd, reliability=reliability, polarity=polarity
    )
    overall = reliable_change_array(
        values[0], values[-1], sd=sd, reliability=reliability, polarity=polarity
    )
    directions = set(steps.direction.tolist()) | set(overall.direction.ravel().tolist())
    if IMPROVED in directions and DETERIORATED in directions:
        return Pattern.FLUCTUATING
    if IMPROVED in directions:
        return Pattern.IMPROVING
    if DETERIORATED in directions:
        return Pattern.DETERIORATING
    return Pattern.STABLE


def estimate_reference(
    instrument: Instrument,
    frame: pd.DataFrame,
    rater: Rater,
    *,
    min_n: int = MIN_REFERENCE_N,
    min_fraction: float = MIN_FRACTION,
) -> dict[str, ReferenceValues] | None:
    """Recompute SD and reliability per characteristic from an organisation's own responses.

    ``frame`` is a wide answers frame of one rater's responses (one row per response, see
    :func:`~alliantiemonitor.core.scoring.score_frame`). Per characteristic, ``sd`` is the
    sample SD (ddof=1) of the characteristic scores and ``reliability`` Cronbach's alpha of its
    item scores over the complete rows. A characteristic is left out when it has fewer than
    ``min_n`` scored responses (INSTRUMENT.md: at least 100 per rater), or when the data give
    no usable values (SD 0, alpha not strictly between 0 and 1) — then keep using the
    instrument's values for it. Returns ``None`` when no characteristic qualifies.
    """
    values, problems = read_answers(instrument, frame, rater)
    if problems:
        raise AnswerError(problems)
    scores = score_array(instrument, values, rater, min_fraction=min_fraction, validate=False)
    items = instrument.items_for(rater)
    reverse = np.array([i.reverse for i in items], dtype=bool)
    flip = instrument.scale.minimum + instrument.scale.maximum
    item_scores = np.where(reverse, flip - values, values)

    result: dict[str, ReferenceValues] = {}
    for k, key in enumerate(characteristic_keys(instrument)):
        column = scores[:, k]
        scored = column[~np.isnan(column)]
        if scored.size < min_n:
            continue
        sd = float(scored.std(ddof=1))
        columns = [j for j, item in enumerate(items) if item.characteristic == key]
        alpha = cronbach_alpha(item_scores[:, columns])
        if sd > 0 and 0 < alpha < 1:
            result[key] = ReferenceValues(sd=sd, reliability=alpha)
    return result or None


def choose_reference(
    instrument: Instrument,
    characteristic: str,
    rater: Rater,
    own: Mapping[str, ReferenceValues] | None = None,
) -> ReferenceValues | None:
    """Pick the organisation's ``own`` reference values when present, else the instrument's."""
    if own is not None and characteristic in own:
        return own[characteristic]
    return instrument.characteristic(characteristic).reference.get(rater)
