"""Synthetic item data for the research tests: the generator's responses, made once per process."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from alliantiemonitor.core.instrument import Instrument, Rater
from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.synth import generate


def standaard() -> Instrument:
    return default_registry().get("standaard")


@functools.cache
def _responses() -> pd.DataFrame:
    return generate(standaard(), trajectories=250, seed=11).to_long(submitted_only=True)


def responses() -> pd.DataFrame:
    """One row per submitted response of 250 synthetic trajectories (both raters)."""
    return _responses().copy()


def rater_rows(rater: Rater) -> pd.DataFrame:
    frame = responses()
    return frame[frame["rater"] == rater].reset_index(drop=True)


def reversed_items(frame: pd.DataFrame, instrument: Instrument, rater: Rater) -> pd.DataFrame:
    """Item scores after reverse keying, computed here from the instrument's own fields."""
    scores = {}
    low, high = instrument.scale.minimum, instrument.scale.maximum
    for item in instrument.items_for(rater):
        column = frame[item.id].astype(float)
        scores[item.id] = (low + high - column) if item.reverse else column
    return pd.DataFrame(scores)


def random_items(rows: int, items: int, seed: int, *, missing: float = 0.0) -> pd.DataFrame:
    """Answers 1–5 that share one common factor, with an optional share of missing cells."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(rows, 1))
    raw = common * rng.uniform(0.4, 1.2, size=items) + rng.normal(size=(rows, items))
    answers = np.clip(np.rint(3 + raw), 1, 5)
    if missing:
        answers[rng.random(answers.shape) < missing] = np.nan
    return pd.DataFrame(answers, columns=[f"q{i + 1}" for i in range(items)])
