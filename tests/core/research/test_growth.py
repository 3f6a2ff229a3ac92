"""Patterns equal classify_pattern, the mixture equals scikit-learn, classes are recovered."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from alliantiemonitor.core.change import classify_pattern, minimum_detectable_change
from alliantiemonitor.core.patterns import course_pattern
from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.research.growth import (
    ChangeReference,
    adjusted_rand_index,
    change_patterns,
    fit_mixture,
    growth_parameters,
    initial_parameters,
    references_from_instrument,
    trajectory_classes,
)
from alliantiemonitor.core.signals import scores_from_answers
from alliantiemonitor.core.synth import generate

INSTRUMENT = default_registry().get("standaard")
REFERENCES = references_from_instrument(INSTRUMENT)
KEYS = ("direction", "trust", "bond", "friction")


@cache
def _scored(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = generate(INSTRUMENT, trajectories=n, seed=seed)
    return scores_from_answers(INSTRUMENT, data.to_long()), data.trajectories


def _alliance_per_round(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean of the positive characteristics over both raters, per trajectory and round."""
    scores, trajectories = _scored(n, seed)
    positive = [c.key for c in INSTRUMENT.characteristics if c.polarity == "positive"]
    per_round = (
        scores.groupby(["trajectory_id", "round_index"])[positive]
        .mean()
        .mean(axis=1)
        .rename("alliance")
        .reset_index()
    )
    return per_round, trajectories


# --- reliable-change patterns -------------------------------------------------------------


def test_patterns_equal_classify_pattern_per_series() -> None:
    scores, _ = _scored(300, 3)
    scores = scores.copy()
    # A few extra holes so skipping missing scores is exercised.
    holes = np.random.default_rng(0).random(len(scores)) < 0.1
    scores.loc[holes, "trust"] = np.nan
    result = change_patterns(scores, references=REFERENCES)
    assert set(result.patterns["characteristic"]) == set(KEYS)
    looked_up = result.patterns.set_index(["trajectory", "rater", "characteristic"])["pattern"]
    checked = 0
    for (trajectory, rater), rows in scores.groupby(["trajectory_id", "rater"]):
        rows = rows.sort_values("round_index")
        for key in KEYS:
            reference = REFERENCES[(key, str(rater))]
            expected = classify_pattern(
                rows[key].tolist(),
                sd=reference.sd,
                reliability=reference.reliability,
                polarity=reference.polarity,
            )
            assert looked_up[(trajectory, rater, key)] == expected.value
            checked += 1
    assert checked == len(result.patterns)


def test_signals_method_equals_course_pattern() -> None:
    scores, _ = _scored(120, 5)
    result = change_patterns(
        scores, references=REFERENCES, characteristics=["friction"], method="signals"
    )
    for row in result.patterns.itertuples():
        series = scores[
            (scores["trajectory_id"] == row.trajectory) & (scores["rater"] == row.rater)
        ]
        expected = course_pattern(
            series.sort_values("round_index")["friction"].dropna().tolist(),
            characteristic="friction",
            rater=str(row.rater),
        )
        assert row.pattern == expected.value


def test_shares_add_up_and_to_dict_is_json_safe() -> None:
    scores, trajectories = _scored(300, 3)
    result = change_patterns(scores, references=REFERENCES)
    sums = result.shares.groupby(["rater", "characteristic"])["share"].sum()
    np.testing.assert_allclose(sums, 1.0)
    classified = result.shares.groupby(["rater", "characteristic"])["share_classified"].sum()
    np.testing.assert_allclose(classified, 1.0)
    counts = result.shares.groupby(["rater", "characteristic"])["n"].sum()
    assert (counts <= len(trajectories)).all()
    text = json.dumps(result.to_dict(include_patterns=True), allow_nan=False)
    assert '"method": "rci"' in text


def _two_round_frame(first: float, second: float, rater: str = "client") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trajectory_id": ["T1", "T1"],
            "round_index": [0, 1],
            "rater": [rater, rater],
            "score": [first, second],
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    first=st.floats(1, 5),
    change=st.floats(-4, 4).filter(lambda c: abs(c) > 1e-6),
    sd=st.floats(0.3, 1.2),
    reliability=st.floats(0.5, 0.95),
)
def test_the_sign_of_reliable_change_follows_polarity(
    first: float, change: float, sd: float, reliability: float
) -> None:
    frame = _two_round_frame(first, first + change)
    labels = {}
    for polarity in ("positive", "negative"):
        references = {("score", "client"): ChangeReference(polarity, sd, reliability)}
        result = change_patterns(frame, references=references)
        labels[polarity] = result.patterns.loc[0, "pattern"]
    reliable = abs(change) > minimum_detectable_change(sd=sd, reliability=reliability)
    if not reliable:
        assert labels == {"positive": "stable", "negative": "stable"}
    elif change > 0:
        assert labels == {"positive": "improving", "negative": "deteriorating"}
    else:
        assert labels == {"positive": "deteriorating", "negative": "improving"}


def test_change_patterns_refuse_bad_input() -> None:
    frame = _two_round_frame(2.0, 3.0)
    references = {("score", "client"): ChangeReference("positive", 0.7, 0.8)}
    with pytest.raises(ValueError, match="not in the data: rater"):
        change_patterns(frame.drop(columns="rater"), references=references)
    with pytest.raises(ValueError, match="unknown rater"):
        change_patterns(frame.assign(rater="judge"), references=references)
    with pytest.raises(ValueError, match="two rows for the same"):
        change_patterns(frame.assign(round_index=0), references=references)
    with pytest.raises(ValueError, match="no reference values"):
        change_patterns(frame.assign(rater="professional"), references=references)
    with pytest.raises(ValueError, match="numeric scores"):
        change_patterns(frame.assign(score=["a", "b"]), references=references)


def test_change_patterns_cover_250000_trajectories() -> None:
    rng = np.random.default_rng(1)
    n, rounds = 250_000, 4
    trajectory = np.repeat(np.arange(n), rounds * 2)
    frame = pd.DataFrame(
        {
            "trajectory_id": trajectory,
            "round_index": np.tile(np.repeat(np.arange(rounds), 2), n),
            "rater": np.tile(["client", "professional"], n * rounds),
        }
    )
    for key in KEYS:
        frame[key] = np.round(rng.normal(3.5, 0.7, size=len(frame)), 2)
    result = change_patterns(frame, references=REFERENCES)
    # Every series gets a pattern; the speed is measured by make bench-research, not here
    # (a wall-clock limit failed on a loaded CI machine).
    assert len(result.patterns) == n * 2 * len(KEYS)


# --- growth parameters and the mixture ----------------------------------------------------


def test_growth_parameters_equal_polyfit() -> None:
    per_round, _ = _alliance_per_round(300, 3)
    params = growth_parameters(per_round, score="alliance").set_index("trajectory")
    for trajectory, rows in per_round.groupby("trajectory_id"):
        rows = rows.dropna(subset=["alliance"])
        if rows["round_index"].nunique() < 2:
            assert np.isnan(params.loc[trajectory, "slope"])
            continue
        slope, intercept = np.polyfit(rows["round_index"], rows["alliance"], 1)
        assert params.loc[trajectory, "slope"] == pytest.approx(slope, abs=1e-10)
        assert params.loc[trajectory, "intercept"] == pytest.approx(intercept, abs=1e-10)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_em_equals_scikit_learn_from_the_same_start(k: int) -> None:
    per_round, _ = _alliance_per_round(1500, 8)
    x = growth_parameters(per_round, score="alliance")[["intercept", "slope"]].dropna()
    x = x.to_numpy(np.float64)
    weights, means, covariances = initial_parameters(x, k, np.random.default_rng(3))
    mine = fit_mixture(x, k, start=(weights, means, covariances), tol=1e-6, max_iter=3000)
    theirs = GaussianMixture(
        n_components=k,
        covariance_type="full",
        weights_init=weights,
        means_init=means,
        precisions_init=np.linalg.inv(covariances),
        tol=1e-6,
        max_iter=3000,
        reg_covar=1e-6,
    ).fit(x)
    assert mine.converged
    # The same EM from the same start: same number of steps, same answer to rounding error.
    assert mine.iterations == theirs.n_iter_
    assert mine.log_likelihood == pytest.approx(theirs.score(x) * len(x), rel=1e-10)
    np.testing.assert_allclose(mine.means, theirs.means_, atol=1e-10)
    np.testing.assert_allclose(mine.weights, theirs.weights_, atol=1e-10)
    np.testing.assert_allclose(mine.covariances, theirs.covariances_, atol=1e-10)
    np.testing.assert_allclose(mine.responsibilities, theirs.predict_proba(x), atol=1e-8)
    assert mine.bic() == pytest.approx(theirs.bic(x), rel=1e-8)


def test_trajectory_classes_recover_the_generators_courses() -> None:
    # Trajectories with five or six rounds: with fewer, a slope is too noisy to tell apart.
    per_round, trajectories = _alliance_per_round(5000, 4)
    result = trajectory_classes(
        per_round, score="alliance", min_rounds=5, k_values=(1, 2, 3, 4), seed=1, n_init=2
    )
    assert result.status == "ok"
    assert result.chosen_k == 3
    assert result.classes is not None
    assert result.assignments is not None
    slopes = result.classes["slope"].to_numpy()
    assert slopes[0] < -0.05 < slopes[1] < 0.05 < slopes[2]
    truth = trajectories.set_index("trajectory_id").loc[result.assignments["trajectory"], "course"]
    labels = result.assignments["class"].to_numpy()
    ari = adjusted_rand_index(truth.to_numpy(), labels)
    assert ari == pytest.approx(adjusted_rand_score(truth.to_numpy(), labels), abs=1e-12)
    assert ari > 0.5
    table = pd.crosstab(truth.to_numpy(), labels)
    assert table.loc["deteriorating"].idxmax() == 1
    assert table.loc["stable"].idxmax() == 2
    assert table.loc["improving"].idxmax() == 3
    assert (
        result.comparison["bic"].idxmin() == result.comparison.index[result.comparison["k"] == 3][0]
    )
    assert 0 < (result.entropy or 0) <= 1
    probabilities = result.assignments[["p_1", "p_2", "p_3"]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    json.dumps(result.to_dict(include_assignments=True), allow_nan=False)


@pytest.mark.parametrize("k", [2, 3])
def test_a_warm_started_fit_reaches_the_cold_full_fits_maximum(k: int) -> None:
    per_round, _ = _alliance_per_round(5000, 4)
    x = growth_parameters(per_round, score="alliance")[["intercept", "slope"]].dropna()
    x = x.to_numpy(np.float64)
    n = len(x)
    # A tight tolerance so that both runs get to the maximum rather than stop near it.
    cold = fit_mixture(x, k, seed=k, n_init=1, tol=1e-10, max_iter=20_000)
    warm = fit_mixture(x, k, seed=k, n_init=1, tol=1e-10, max_iter=20_000, warm_start_sample=1000)
    assert cold.converged
    assert warm.converged
    assert warm.sample_iterations > 0
    assert cold.sample_iterations == 0
    # A fit to all rows: every row has its posteriors, and the log-likelihood is of all rows.
    assert warm.responsibilities.shape == (n, k)
    np.testing.assert_allclose(warm.responsibilities.sum(axis=1), 1.0)
    assert warm.log_likelihood / n == pytest.approx(cold.log_likelihood / n, abs=1e-6)
    order_cold = np.argsort(cold.means[:, 1])
    order_warm = np.argsort(warm.means[:, 1])
    np.testing.assert_allclose(warm.means[order_warm], cold.means[order_cold], atol=1e-3)
    np.testing.assert_allclose(warm.weights[order_warm], cold.weights[order_cold], atol=1e-3)
    # And a maximum of the full data's likelihood: one more EM step on all rows gains less
    # than the tolerance per row.
    again = fit_mixture(
        x, k, start=(warm.weights, warm.means, warm.covariances), tol=1e-10, max_iter=1
    )
    assert abs(again.log_likelihood - warm.log_likelihood) / n < 1e-9
    # At the default tolerance both stop close to the same maximum, the warm run after far
    # fewer steps on all rows.
    cold = fit_mixture(x, k, seed=k, n_init=1)
    warm = fit_mixture(x, k, seed=k, n_init=1, warm_start_sample=1000)
    assert warm.log_likelihood / n == pytest.approx(cold.log_likelihood / n, abs=1e-4)
    assert warm.iterations < cold.iterations


def test_a_warm_start_sample_at_least_the_rows_is_a_cold_fit() -> None:
    x = np.random.default_rng(5).normal(size=(300, 2))
    cold = fit_mixture(x, 2, seed=1)
    same = fit_mixture(x, 2, seed=1, warm_start_sample=300)
    np.testing.assert_array_equal(cold.means, same.means)
    assert same.sample_iterations == 0
    with pytest.raises(ValueError, match="warm_start_sample"):
        fit_mixture(x, 3, warm_start_sample=2)


def test_warm_started_trajectory_classes_still_recover_the_courses() -> None:
    per_round, trajectories = _alliance_per_round(5000, 4)
    result = trajectory_classes(
        per_round,
        score="alliance",
        min_rounds=5,
        k_values=(1, 2, 3, 4),
        seed=1,
        n_init=2,
        # 1,000 of the 1,604: from a sample of 500, K = 3 stopped at a lower local maximum
        # (log-likelihood 635 against 655) and BIC chose four classes (docs/analyses/change.md).
        warm_start_sample=1000,
    )
    assert result.status == "ok"
    assert result.chosen_k == 3
    assert result.assignments is not None
    # Every trajectory is classified, not only the sample's.
    assert len(result.assignments) == result.n > 1000
    assert (result.comparison["sample_iterations"][result.comparison["k"] > 1] > 0).all()
    truth = trajectories.set_index("trajectory_id").loc[result.assignments["trajectory"], "course"]
    ari = adjusted_rand_index(truth.to_numpy(), result.assignments["class"].to_numpy())
    assert ari > 0.5
    cold = trajectory_classes(
        per_round, score="alliance", min_rounds=5, k_values=(3,), seed=1, n_init=2
    )
    warm = result.comparison.set_index("k").loc[3, "log_likelihood"]
    assert warm == pytest.approx(cold.comparison["log_likelihood"].iloc[0], abs=1e-4 * result.n)


def test_trajectory_classes_not_estimable_on_a_few_trajectories() -> None:
    per_round, _ = _alliance_per_round(40, 1)
    result = trajectory_classes(per_round, score="alliance")
    assert result.status == "not_estimable"
    assert "needs" in result.reason
    json.dumps(result.to_dict(), allow_nan=False)


def test_fit_mixture_is_reproducible_with_a_seed() -> None:
    x = np.random.default_rng(2).normal(size=(400, 2))
    one = fit_mixture(x, 3, seed=9)
    two = fit_mixture(x, 3, seed=9)
    np.testing.assert_array_equal(one.means, two.means)
    with pytest.raises(ValueError, match="missing values"):
        fit_mixture(np.array([[1.0, np.nan]]), 1)
    summary = json.loads(json.dumps(one.to_dict(), allow_nan=False))
    assert summary["k"] == 3
    assert summary["bic"] == pytest.approx(one.bic())
    assert len(summary["covariances"]) == 3


# --- adjusted Rand index ------------------------------------------------------------------

labellings = st.lists(st.integers(0, 4), min_size=2, max_size=80)


@settings(max_examples=100, deadline=None)
@given(labellings, st.data())
def test_adjusted_rand_index_equals_scikit_learn(a: list[int], data: st.DataObject) -> None:
    b = data.draw(st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a)))
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(labellings)
def test_adjusted_rand_index_of_a_labelling_with_itself_is_one(a: list[int]) -> None:
    renamed = [f"class {10 - v}" for v in a]  # the names do not matter, only the partition
    assert adjusted_rand_index(a, a) == 1.0
    assert adjusted_rand_index(a, renamed) == pytest.approx(1.0)
