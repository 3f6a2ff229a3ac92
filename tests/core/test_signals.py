"""The signals core: interface, each rule on hand-made scores, and no hindsight."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.signals import (
    OUTPUT_COLUMNS,
    SIGNAL_KINDS,
    SignalInputError,
    SignalSettings,
    detect_signals,
)

KEYS = ("direction", "trust", "bond", "friction")


def _frame(
    series: dict[str, list[dict[str, float]]],
    *,
    handover_at: int | None = None,
    skipped: tuple[int, ...] = (),
) -> pd.DataFrame:
    """Rows for one trajectory ``T1``: ``series[rater][round]`` holds the four scores."""
    rows = []
    for rater, per_round in series.items():
        for i, scores in enumerate(per_round, start=1):
            done = not (rater == "client" and i in skipped)
            rows.append(
                {
                    "trajectory_id": "T1",
                    "round_index": i,
                    "round_date": dt.date(2025, 1, 1) + dt.timedelta(days=91 * i),
                    "rater": rater,
                    "professional_id": "P2" if handover_at and i >= handover_at else "P1",
                    "after_handover": bool(handover_at and i >= handover_at),
                    "submitted": done,
                    **{k: (scores[k] if done else np.nan) for k in KEYS},
                }
            )
    return pd.DataFrame(rows)


def _flat(level: float = 4.0, friction: float = 2.0, n: int = 5) -> list[dict[str, float]]:
    return [
        {"direction": level, "trust": level, "bond": level, "friction": friction} for _ in range(n)
    ]


def _falling(start: float, step: float, n: int) -> list[dict[str, float]]:
    return [
        {
            "direction": start - step * i,
            "trust": start - step * i,
            "bond": start - step * i,
            "friction": 2.0 + 0.7 * step * i,
        }
        for i in range(n)
    ]


def test_output_columns_and_kinds_when_nothing_is_raised() -> None:
    result = detect_signals(_frame({"client": _flat(), "professional": _flat()}))
    assert list(result.columns) == list(OUTPUT_COLUMNS)
    assert result.empty
    assert set(SIGNAL_KINDS) >= {"deterioration", "stopped_responding"}


def test_a_steady_fall_in_both_views_is_a_deterioration() -> None:
    frame = _frame({"client": _falling(4.2, 0.3, 5), "professional": _falling(4.0, 0.3, 5)})
    result = detect_signals(frame)
    pooled = result[(result["kind"] == "deterioration") & result["characteristic"].isna()]
    assert not pooled.empty
    assert set(pooled["rater"].fillna("both")) >= {"both"}
    assert (pooled["trajectory_id"] == "T1").all()
    # Raised once per run, not again at every later round.
    assert pooled.groupby(pooled["rater"].fillna("both")).size().max() == 1


def test_last_round_index_is_where_the_run_ends() -> None:
    bad = {"direction": 2.0, "trust": 2.0, "bond": 2.0, "friction": 4.0}
    recovers = _flat(n=6)
    recovers[1:3] = [dict(bad), dict(bad)]
    frame = _frame({"client": recovers, "professional": [dict(r) for r in recovers]})
    result = detect_signals(frame)
    pooled = result[(result["kind"] == "deterioration") & result["rater"].isna()]
    pooled = pooled[pooled["characteristic"].isna()]
    # Raised at round 2, holds at round 3 too, no longer once the scores are back at round 4.
    assert pooled[["round_index", "last_round_index"]].values.tolist() == [[2, 3]]
    # Still falling at the latest round: the run reaches it.
    falling = _frame({"client": _falling(4.2, 0.3, 5), "professional": _falling(4.0, 0.3, 5)})
    ongoing = detect_signals(falling)
    both = ongoing[(ongoing["kind"] == "deterioration") & ongoing["rater"].isna()]
    assert both[both["characteristic"].isna()]["last_round_index"].tolist() == [5]
    assert (ongoing["last_round_index"] >= ongoing["round_index"]).all()


def test_an_improvement_is_no_deterioration() -> None:
    frame = _frame({"client": _falling(2.5, -0.3, 5), "professional": _falling(2.5, -0.3, 5)})
    result = detect_signals(frame)
    assert not (result["kind"] == "deterioration").any()


def test_a_rise_in_friction_alone_is_a_friction_signal() -> None:
    client = _flat(friction=1.5)
    professional = _flat(friction=1.5)
    for i, row in enumerate(client + professional):
        row["friction"] = 1.5 + 0.5 * (i % 5)
    result = detect_signals(_frame({"client": client, "professional": professional}))
    rising = result[(result["kind"] == "friction") & (result["characteristic"] == "friction")]
    assert not rising.empty


def test_high_friction_in_two_rounds_in_a_row() -> None:
    client = _flat(friction=2.0)
    client[2]["friction"] = 4.0
    client[3]["friction"] = 4.25
    result = detect_signals(_frame({"client": client, "professional": _flat()}))
    high = result[(result["kind"] == "friction") & (result["rater"] == "client")]
    assert high["round_index"].tolist() == [4]


def test_trust_and_bond_falling_after_a_handover() -> None:
    before = _flat(4.2, n=3)
    after = [{"direction": 4.2, "trust": 3.0, "bond": 3.0, "friction": 2.0}] * 2
    frame = _frame({"client": before + after, "professional": before + after}, handover_at=4)
    result = detect_signals(frame)
    assert result.loc[result["kind"] == "after_handover", "round_index"].tolist() == [4]


def test_growing_disagreement_when_only_the_client_sees_it_worsen() -> None:
    frame = _frame({"client": _falling(4.4, 0.35, 6), "professional": _flat(4.0, n=6)})
    result = detect_signals(frame)
    growing = result[(result["kind"] == "disagreement") & (result["rater"] == "client")]
    assert not growing.empty


def test_a_client_who_stopped_responding() -> None:
    frame = _frame({"client": _flat(n=6), "professional": _flat(n=6)}, skipped=(4, 5, 6))
    result = detect_signals(frame)
    stopped = result[result["kind"] == "stopped_responding"]
    assert stopped["round_index"].tolist() == [5]
    assert stopped["rater"].tolist() == ["client"]


def test_a_round_not_discussed_in_time() -> None:
    frame = _frame({"client": _flat(n=2), "professional": _flat(n=2)})
    frame["discussed_date"] = pd.NaT
    frame.loc[frame["round_index"] == 1, "discussed_date"] = pd.Timestamp("2025-04-10")
    late = detect_signals(frame, today=dt.date(2025, 8, 1))
    assert late.loc[late["kind"] == "not_discussed", "round_index"].tolist() == [2]
    early = detect_signals(frame, today=dt.date(2025, 7, 5))
    assert not (early["kind"] == "not_discussed").any()
    assert not (detect_signals(frame)["kind"] == "not_discussed").any()  # no today: not judged


def test_settings_change_the_thresholds() -> None:
    client = _flat(friction=2.0)
    client[2]["friction"] = 3.0
    client[3]["friction"] = 3.0
    frame = _frame({"client": client, "professional": _flat()})
    assert not (detect_signals(frame)["kind"] == "friction").any()
    low = detect_signals(frame, settings=SignalSettings(friction_high=3.0))
    assert (low["kind"] == "friction").any()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="submitted"), "missing column"),
        (lambda f: f.assign(rater="boss"), "unknown rater"),
        (lambda f: f.drop(columns=list(KEYS)), "no characteristic"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "two client rows"),
    ],
)
def test_bad_input_is_refused_clearly(change: object, message: str) -> None:
    frame = _frame({"client": _flat(), "professional": _flat()})
    with pytest.raises(SignalInputError, match=message):
        detect_signals(change(frame))  # type: ignore[operator]


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        SignalSettings(wobble_correlation=1.0)
    with pytest.raises(ValueError):
        SignalSettings(stopped_rounds=0)


def _random_scores(seed: int, trajectories: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(trajectories):
        n = int(rng.integers(1, 8))
        handover = int(rng.integers(2, 8))
        drift = rng.normal(0, 0.3)
        for r in range(1, n + 1):
            for rater in ("client", "professional"):
                done = rng.random() > 0.15
                values = 3.5 - drift * r + rng.normal(0, 0.5, size=4)
                values[rng.random(4) < 0.1] = np.nan
                rows.append(
                    {
                        "trajectory_id": f"T{t}",
                        "round_index": r,
                        "round_date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=90 * r),
                        "rater": rater,
                        "professional_id": "B" if r >= handover else "A",
                        "after_handover": r >= handover,
                        "submitted": done,
                        **{k: (v if done else np.nan) for k, v in zip(KEYS, values, strict=True)},
                    }
                )
    return pd.DataFrame(rows)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(1, 7))
def test_no_hindsight_an_extract_cut_at_a_round_gives_the_same_signals(seed: int, cut: int) -> None:
    frame = _random_scores(seed, trajectories=12)
    loose = SignalSettings(deterioration_z=1.0, characteristic_z=1.0, disagreement_z=1.0)
    full = detect_signals(frame, settings=loose)
    part = detect_signals(frame[frame["round_index"] <= cut], settings=loose)
    expected = full[full["round_index"] <= cut].reset_index(drop=True)
    # A run seen in the cut extract reaches no further than the cut.
    expected["last_round_index"] = expected["last_round_index"].clip(upper=cut)
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)
