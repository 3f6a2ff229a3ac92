"""Detection quality of the signals, measured on the synthetic generator's known truth.

:func:`measure` generates trajectories with a seed, scores them, runs
:func:`~alliantiemonitor.core.signals.detect_signals` and compares the signals with the truth
columns of :mod:`~alliantiemonitor.core.synth` (docs/synthetic-data.md). False alarms are counted
on truly stable trajectories (``course_type == "stable"``). See docs/signals.md for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.signals import SignalSettings, detect_signals, scores_from_answers
from alliantiemonitor.core.synth import SynthDataset, generate

__all__ = ["Quality", "measure", "quality_of"]


@dataclass(frozen=True)
class Quality:
    """The measured figures; rates are shares of trajectories (0–1)."""

    seed: int
    trajectories: int
    figures: dict[str, float]

    def lines(self) -> list[str]:
        return [f"{name:<48} {value:7.3f}" for name, value in self.figures.items()]


def _share(flag: pd.Series, among: pd.Series) -> float:
    return float(flag[among].mean()) if among.any() else float("nan")


def quality_of(data: SynthDataset, signals: pd.DataFrame) -> dict[str, float]:
    """Compare ``signals`` (round_index counted from 0, as the generator does) with the truth."""
    traj = data.trajectories.set_index("trajectory_id")
    ctype = traj["course_type"]
    stable = ctype == "stable"
    deteriorating = ctype == "deteriorating"
    any_worse = ctype.isin(["deteriorating", "one_characteristic", "disagreement"])

    def flagged(rows: pd.DataFrame) -> pd.Series:
        return pd.Series(traj.index.isin(rows["trajectory_id"]), index=traj.index)

    det = signals[signals["kind"] == "deterioration"]
    either = flagged(det)
    client = flagged(det[det["rater"] == "client"])
    f: dict[str, float] = {}
    f["deterioration sensitivity (either view)"] = _share(either, deteriorating)
    f["deterioration false alarms (either view)"] = _share(either, stable)
    # The goal's PPV: among the flagged trajectories of the course types the goal is set for
    # (the whole-alliance courses stable, improving, deteriorating); the narrower truths are
    # reported on their own below. Then the stricter share, with every narrower true decline
    # counted as a false positive, and the looser one, with each counted as a hit.
    whole = ctype.isin(["stable", "improving", "deteriorating"])
    f["deterioration PPV (either view, whole-alliance courses)"] = _share(
        deteriorating, either & whole
    )
    f["deterioration PPV (either view, whole alliance)"] = _share(deteriorating, either)
    f["deterioration PPV (either view, any true decline)"] = _share(any_worse, either)
    f["deterioration sensitivity (client view)"] = _share(client, deteriorating)
    f["deterioration false alarms (client view)"] = _share(client, stable)
    f["deterioration PPV (client view, whole alliance)"] = _share(deteriorating, client)
    n = traj["n_rounds"]
    fa2 = _share(either, stable & (n == 2))
    fa5 = _share(either, stable & (n >= 5))
    f["false alarms at 2 rounds"] = fa2
    f["false alarms at 5+ rounds"] = fa5
    f["ratio 5+ rounds / 2 rounds"] = fa5 / fa2 if fa2 > 0 else float("nan")

    # After a change of professional: a signal at the 1st or 2nd round with the new one.
    rounds = data.rounds
    first_after = rounds[rounds["after_handover"]].groupby("trajectory_id")["round_index"].min()
    early = signals[signals["kind"].isin(["deterioration", "after_handover"])]
    start = early["trajectory_id"].map(first_after)
    in_window = (early["round_index"] >= start) & (early["round_index"] <= start + 1)
    handover_flag = flagged(early[in_window.fillna(False)])
    dyad = traj.index.isin(first_after.index)
    handover = pd.Series(dyad, index=traj.index)
    f["handover: deteriorating dyads signalled (1st/2nd round)"] = _share(
        handover_flag, handover & deteriorating
    )
    f["handover: stable dyads signalled (1st/2nd round)"] = _share(handover_flag, handover & stable)

    # One characteristic: a per-characteristic deterioration (or rising friction) on it.
    per_char = signals[
        signals["characteristic"].notna()
        & ((signals["kind"] == "deterioration") | signals["rater"].isna())
    ]
    right = per_char["characteristic"] == per_char["trajectory_id"].map(
        traj["changed_characteristic"]
    )
    one = ctype == "one_characteristic"
    f["one characteristic: sensitivity (that characteristic)"] = _share(
        flagged(per_char[right]), one
    )
    f["one characteristic: sensitivity (any deterioration)"] = _share(
        flagged(pd.concat([det, per_char])), one
    )
    f["one characteristic: false alarms (per-characteristic rule)"] = _share(
        flagged(per_char), stable
    )

    dis = signals[signals["kind"] == "disagreement"]
    growing = dis[dis["rater"].notna()]
    disagreement = ctype == "disagreement"
    f["disagreement (growing): sensitivity"] = _share(flagged(growing), disagreement)
    f["disagreement (growing): false alarms"] = _share(flagged(growing), stable)
    f["disagreement (large): share of stable trajectories"] = _share(
        flagged(dis[dis["rater"].isna()]), stable
    )

    stop = traj["stopped_round"]
    observable = (stop >= 0) & (traj["n_rounds"] - stop >= 2)
    stopped_flag = flagged(signals[signals["kind"] == "stopped_responding"])
    f["stopped responding: sensitivity (2+ rounds left)"] = _share(stopped_flag, observable)
    f["stopped responding: false alarms"] = _share(stopped_flag, stop < 0)
    f["trajectories truly stable"] = float(stable.sum())
    f["trajectories truly deteriorating"] = float(deteriorating.sum())
    return f


def measure(
    instrument: Instrument,
    *,
    trajectories: int,
    seed: int,
    settings: SignalSettings | None = None,
) -> Quality:
    """Generate, score, detect and compare (see the module docstring)."""
    data = generate(instrument, trajectories=trajectories, seed=seed)
    scores = scores_from_answers(instrument, data.to_long())
    signals = detect_signals(scores, settings=settings)
    signals = signals.assign(round_index=signals["round_index"].astype(np.int64))
    return Quality(seed=seed, trajectories=trajectories, figures=quality_of(data, signals))
