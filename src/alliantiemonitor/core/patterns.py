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
import pandas as pd

from alliantiemonitor.core.change import Pattern
from alliantiemonitor.core.signals import SignalSettings, detect_signals

__all__ = ["Series", "course_pattern", "course_patterns"]

# Kinds under which detect_signals reports the one-characteristic rule (friction "rising").
_TREND_KINDS = ("deterioration", "friction")


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
    s = settings or SignalSettings()
    rows: list[dict[str, object]] = []
    latest: dict[str, int] = {}
    result = [Pattern.INSUFFICIENT] * len(series)
    for i, one in enumerate(series):
        values = _present(one.scores)
        if len(values) < 2:
            continue
        result[i] = Pattern.STABLE
        for mirror, sign in (("", 1.0), ("~", -1.0)):
            name = f"{mirror}{i}"
            latest[name] = len(values)
            for k, value in enumerate(values, start=1):
                rows.append(
                    {
                        "trajectory_id": name,
                        "round_index": k,
                        "round_date": pd.NaT,
                        "rater": one.rater,
                        "professional_id": "",
                        "after_handover": False,
                        "submitted": True,
                        one.characteristic: sign * value,
                    }
                )
    if not rows:
        return result
    frame = pd.DataFrame(rows)
    # A characteristic the thresholds do not name (another instrument's) is judged with the
    # default wobble (``noise_default``).
    extra = tuple(sorted({one.characteristic for one in series} - set(s.characteristics)))
    if extra:
        s = dataclasses.replace(s, characteristics=(*s.characteristics, *extra))
    raised = detect_signals(frame, settings=s)
    one_characteristic = raised["rater"].isna() & raised["characteristic"].notna()
    trend = raised[raised["kind"].isin(_TREND_KINDS) & one_characteristic]
    for name, characteristic, last in zip(
        trend["trajectory_id"].astype(str),
        trend["characteristic"].astype(str),
        trend["last_round_index"].to_numpy(np.int64),
        strict=True,
    ):
        i = int(name.lstrip("~"))
        if characteristic != series[i].characteristic:
            continue
        if int(last) < latest[name]:
            continue  # the rule held for a while, but no longer at the latest round
        result[i] = Pattern.IMPROVING if name.startswith("~") else Pattern.DETERIORATING
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
