"""Course labels (improving, deteriorating, no clear change) from the signals rule.

The course view and the team dashboard label the course of one characteristic from one view.
They used :func:`~alliantiemonitor.core.change.classify_pattern`, which compares every two
consecutive rounds and the first with the latest at 5 % each: the more rounds, the more
chances, up to 38 % of stable series flagged at six rounds. The labels here follow the
signals rule instead (:func:`~alliantiemonitor.core.signals.detect_signals`, docs/signals.md):

* **deteriorating** when the rule for one characteristic (the trend over the rounds so far,
  in units of the round-to-round wobble, against a bar that grows with the number of rounds)
  holds at the latest round;
* **improving** when the same rule holds for the mirrored series (each score negated, so a
  clear rise is a clear fall);
* **stable** (shown as "no clear change") otherwise; **insufficient** below two scores.

"Fluctuating" is not given: the rule has no test for it. One call judges many series at
once, so a dashboard of thousands of trajectories makes one pass through the rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from alliantiemonitor.core.change import Pattern
from alliantiemonitor.core.signals import SignalSettings, trends_at_latest

__all__ = ["Series", "course_pattern", "course_patterns"]


@dataclasses.dataclass(frozen=True)
class Series:
    """The scores of one characteristic from one view, in round order (None: no score)."""

    characteristic: str
    rater: str
    scores: Sequence[float | None]


def _present(scores: Sequence[float | None]) -> list[float]:
    values = []
    for score in scores:
        if score is None:
            continue
        value = float(score)
        if not np.isnan(value):
            values.append(value)
    return values


def course_patterns(
    series: Sequence[Series], *, settings: SignalSettings | None = None
) -> list[Pattern]:
    """The label of each of ``series`` (same order), judged by the signals rule.

    Missing scores are left out, as in the course view; each series is judged on its own
    (both views are not pooled here, the label belongs to one view). ``settings`` are an
    organisation's thresholds (default: the documented defaults).
    """
    items: list[tuple[str, str, list[float]]] = []
    asked: list[tuple[int, bool]] = []  # (series, mirrored) per item
    result = [Pattern.INSUFFICIENT] * len(series)
    for i, one in enumerate(series):
        values = _present(one.scores)
        if len(values) < 2:
            continue
        result[i] = Pattern.STABLE
        for mirrored, sign in ((False, 1.0), (True, -1.0)):
            items.append((one.rater, one.characteristic, [sign * value for value in values]))
            asked.append((i, mirrored))
    if not items:
        return result
    # A characteristic the thresholds do not name (another instrument's) is judged with the
    # default wobble (``noise_default``).
    holds = trends_at_latest(items, settings=settings)
    for (i, mirrored), held in zip(asked, holds, strict=True):
        if held:
            result[i] = Pattern.IMPROVING if mirrored else Pattern.DETERIORATING
    return result


def course_pattern(
    scores: Sequence[float | None],
    *,
    characteristic: str,
    rater: str,
    settings: SignalSettings | None = None,
) -> Pattern:
    """The label of one series (see :func:`course_patterns`)."""
    return course_patterns([Series(characteristic, rater, scores)], settings=settings)[0]
