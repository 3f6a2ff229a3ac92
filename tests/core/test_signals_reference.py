"""The optimised ``detect_signals`` gives exactly the output of the reference implementation.

``reference_signals._reference_detect_signals`` is the function as first written (one trend
computation per pooled view, pandas sort of the output). The comparison is exact: the same
rows in the same order, the same dtypes, the same detail texts (z and change to the printed
digits), ``None`` where the reference has ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.signals import SignalSettings, detect_signals, scores_from_answers
from alliantiemonitor.core.synth import generate

from .reference_signals import _reference_detect_signals

KEYS = ("direction", "trust", "bond", "friction")
TODAY = dt.date(2026, 6, 1)


def _scores(
    seed: int,
    trajectories: int,
    *,
    shuffle: bool = True,
    discussed: bool = True,
    drop_rows: float = 0.05,
) -> pd.DataFrame:
    """Random scores: 1–7 rounds, drifts, handovers, skipped rounds, missing scores and rows."""
    rng = np.random.default_rng(seed)
    n_rounds = rng.integers(1, 8, size=trajectories)
    traj = np.repeat(np.arange(trajectories), n_rounds)
    position = np.arange(len(traj)) - np.repeat(np.cumsum(n_rounds) - n_rounds, n_rounds)
    drift = rng.normal(0, 0.25, size=(trajectories, 2))
    handover = rng.integers(1, 9, size=trajectories)
    level = rng.normal(3.7, 0.6, size=(trajectories, 4))
    rows = len(traj) * 2
    t2 = np.repeat(traj, 2)
    p2 = np.repeat(position, 2)
    rater_code = np.tile([0, 1], len(traj))
    values = level[t2] - drift[t2, rater_code][:, None] * p2[:, None]
    values = values + rng.normal(0, 0.45, size=(rows, 4))
    # Exact ties and steady series too: integer-rounded scores in a fifth of the trajectories.
    steady = (rng.random(trajectories) < 0.2)[t2]
    values[steady] = np.round(values[steady])
    values[rng.random((rows, 4)) < 0.08] = np.nan
    submitted = rng.random(rows) > 0.12
    values[~submitted] = np.nan
    round_date = pd.Timestamp("2025-01-06") + pd.to_timedelta(p2 * 91, unit="D")
    frame = pd.DataFrame(
        {
            # Ids whose text order differs from their order of appearance ("T10" < "T9").
            "trajectory_id": np.char.add("T", rng.permutation(trajectories)[t2].astype(str)),
            "round_index": p2 + 1,
            "round_date": round_date,
            "rater": np.where(rater_code == 0, "client", "professional"),
            "professional_id": np.where(p2 + 1 >= handover[t2], "B", "A"),
            "after_handover": p2 + 1 >= handover[t2],
            "submitted": submitted,
        }
    )
    for j, key in enumerate(KEYS):
        frame[key] = values[:, j]
    if discussed:
        late = rng.random(rows) < 0.3
        frame["discussed_date"] = (round_date + pd.to_timedelta(10, unit="D")).where(~late)
    keep = rng.random(rows) >= drop_rows
    frame = frame[keep]
    if shuffle:
        frame = frame.sample(frac=1.0, random_state=seed)
    return frame.reset_index(drop=True)


def _assert_same(scores: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    expected = _reference_detect_signals(scores, **kwargs)  # type: ignore[arg-type]
    full = detect_signals(scores, **kwargs)  # type: ignore[arg-type]
    # Columns added to the output since the reference was written are compared elsewhere.
    actual = full[list(expected.columns)]
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    assert list(actual.dtypes) == list(expected.dtypes)
    for column in expected.columns:
        # assert_frame_equal treats None and NaN alike; the output must keep None.
        assert actual[column].tolist() == expected[column].tolist(), column
    return actual


@pytest.mark.parametrize(("seed", "trajectories"), [(1, 1), (2, 7), (3, 60), (4, 400), (5, 3000)])
def test_same_output_as_the_reference_on_random_scores(seed: int, trajectories: int) -> None:
    _assert_same(_scores(seed, trajectories), today=TODAY)


def test_same_output_without_discussed_dates_today_or_shuffling() -> None:
    result = _assert_same(_scores(11, 2000, shuffle=False, discussed=False, drop_rows=0.0))
    assert len(result) > 100
    assert "not_discussed" not in set(result["kind"])


@pytest.mark.parametrize(
    "settings",
    [
        SignalSettings(wobble_correlation=0.3),
        SignalSettings(deterioration_z=0.5, view_z=1.0, characteristic_z=1.0, disagreement_z=0.5),
        SignalSettings(characteristics=("trust", "friction"), handover_rounds=1, stopped_rounds=1),
        SignalSettings(negative_characteristics=(), friction_high_rounds=1),
    ],
)
def test_same_output_with_other_settings(settings: SignalSettings) -> None:
    _assert_same(_scores(21, 1500), settings=settings, today=TODAY)


def test_same_output_with_text_flags_and_numeric_ids() -> None:
    scores = _scores(31, 500)
    scores["trajectory_id"] = scores["trajectory_id"].str[1:].astype(np.int64)
    scores["after_handover"] = scores["after_handover"].map({True: "yes", False: "no"})
    scores["submitted"] = scores["submitted"].map({True: "1", False: "0"})
    _assert_same(scores, today=TODAY)


@pytest.mark.parametrize(
    "ids",
    [
        lambda n: np.array([f"T{i}" if i % 2 else i for i in range(n)], dtype=object),
        lambda n: np.arange(n, dtype=np.float64) + 0.5,
        lambda n: pd.Series([f"client {i:03d} é" for i in range(n)], dtype="string"),
    ],
    ids=["mixed text and numbers", "floats", "string dtype"],
)
def test_same_output_with_other_kinds_of_ids(ids: Callable[[int], Any]) -> None:
    scores = _scores(51, 400)
    codes, _ = pd.factorize(scores["trajectory_id"])
    values = ids(int(codes.max()) + 1)
    scores["trajectory_id"] = np.asarray(values, dtype=object)[codes]
    if isinstance(values, pd.Series):
        scores["trajectory_id"] = scores["trajectory_id"].astype(values.dtype)
    _assert_same(scores, today=TODAY)


def test_same_output_on_an_empty_table() -> None:
    _assert_same(_scores(41, 20).iloc[:0])


def test_same_output_on_the_generator() -> None:
    instrument = default_registry().get("standaard")
    data = generate(instrument, trajectories=1500, seed=7)
    scores = scores_from_answers(instrument, data.to_long())
    result = _assert_same(scores)
    assert {"deterioration", "after_handover", "stopped_responding"} <= set(result["kind"])
