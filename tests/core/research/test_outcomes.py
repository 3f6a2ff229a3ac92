"""Outcome models agree with statsmodels and lifelines and recover the generator's truths."""

from __future__ import annotations

import json
import math
import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test
from lifelines.utils import concordance_index as lifelines_concordance

from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.research.outcomes import (
    concordance_index,
    cox_regression,
    kaplan_meier,
    logistic_regression,
)
from alliantiemonitor.core.signals import scores_from_answers
from alliantiemonitor.core.synth import OutcomeCoefficients, generate

TRUTH = OutcomeCoefficients()


@cache
def _trajectories(n: int = 20000, seed: int = 11) -> pd.DataFrame:
    data = generate(default_registry().get("standaard"), trajectories=n, seed=seed)
    frame = data.trajectories.copy()
    frame["negative_end"] = frame["end_kind"].eq("premature_end_negative")
    frame["substance"] = frame["substance_use"].astype(float)
    return frame


def _followed_up() -> pd.DataFrame:
    frame = _trajectories()
    return frame[frame["recidivism_months"].notna()].reset_index(drop=True)


def _survival_sample(n: int = 600, seed: int = 5) -> pd.DataFrame:
    """Exponential times rounded to whole months (many ties), random censoring, three groups."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, size=n)
    x = rng.normal(size=n)
    rate = 0.05 * np.exp(0.4 * group + 0.5 * x)
    event_time = np.ceil(rng.exponential(1 / rate))
    censor_time = np.ceil(rng.uniform(1, 40, size=n))
    return pd.DataFrame(
        {
            "months": np.minimum(event_time, censor_time),
            "event": event_time <= censor_time,
            "group": np.array(["a", "b", "c"])[group],
            "x": x,
            "level": group.astype(float),
        }
    )


# --- logistic regression ------------------------------------------------------------------


def test_logistic_equals_statsmodels() -> None:
    frame = _trajectories(4000, 2)
    predictors = ["true_trust", "true_friction", "substance"]
    mine = logistic_regression(frame, outcome="negative_end", predictors=predictors)
    theirs = sm.Logit(frame["negative_end"].astype(float), sm.add_constant(frame[predictors])).fit(
        disp=0
    )
    assert mine.status == "ok"
    assert [c.name for c in mine.coefficients] == ["intercept", *predictors]
    np.testing.assert_allclose([c.estimate for c in mine.coefficients], theirs.params, atol=1e-7)
    np.testing.assert_allclose([c.se for c in mine.coefficients], theirs.bse, atol=1e-7)
    np.testing.assert_allclose([c.p_value for c in mine.coefficients], theirs.pvalues, atol=1e-7)
    ci = theirs.conf_int().to_numpy()
    np.testing.assert_allclose([c.ci_low for c in mine.coefficients], ci[:, 0], atol=1e-7)
    np.testing.assert_allclose([c.ci_high for c in mine.coefficients], ci[:, 1], atol=1e-7)
    assert mine.log_likelihood == pytest.approx(theirs.llf, abs=1e-6)
    assert mine.null_log_likelihood == pytest.approx(theirs.llnull, abs=1e-6)
    assert mine.pseudo_r2 == pytest.approx(theirs.prsquared, abs=1e-8)
    assert mine.n == 4000
    assert mine.events == int(frame["negative_end"].sum())
    trust = mine.coefficient("true_trust")
    assert trust.ratio == pytest.approx(math.exp(trust.estimate))
    assert trust.ratio_low == pytest.approx(math.exp(trust.ci_low))


def test_logistic_recovers_the_generators_coefficients() -> None:
    frame = _trajectories()
    result = logistic_regression(
        frame, outcome="negative_end", predictors=["true_trust", "true_friction", "substance"]
    )
    truth = {
        "intercept": math.log(
            TRUTH.premature_negative_probability / (1 - TRUTH.premature_negative_probability)
        ),
        "true_trust": TRUTH.premature_negative_trust,
        "true_friction": TRUTH.premature_negative_friction,
        "substance": TRUTH.premature_negative_substance,
    }
    for name, value in truth.items():
        coefficient = result.coefficient(name)
        assert coefficient.ci_low < value < coefficient.ci_high, (name, coefficient)


def test_observed_scores_are_attenuated() -> None:
    # Observed means carry measurement error: same direction as the truth, closer to zero.
    instrument = default_registry().get("standaard")
    data = generate(instrument, trajectories=20000, seed=11)
    scores = scores_from_answers(instrument, data.to_long(submitted_only=True))
    client = scores[scores["rater"] == "client"].groupby("trajectory_id")[["trust"]].mean()
    frame = _trajectories().set_index("trajectory_id").join(client)
    observed = logistic_regression(
        frame, outcome="negative_end", predictors=["trust", "true_friction", "substance"]
    ).coefficient("trust")
    true = logistic_regression(
        frame, outcome="negative_end", predictors=["true_trust", "true_friction", "substance"]
    ).coefficient("true_trust")
    assert observed.estimate < 0
    assert abs(observed.estimate) < abs(true.estimate)


def test_logistic_drops_incomplete_rows_listwise() -> None:
    frame = _trajectories(2000, 4).copy()
    frame.loc[:9, "true_trust"] = np.nan
    result = logistic_regression(frame, outcome="negative_end", predictors=["true_trust"])
    complete = logistic_regression(
        frame.iloc[10:], outcome="negative_end", predictors=["true_trust"]
    )
    assert result.n_excluded == 10
    assert result.n == 1990
    assert result.coefficient("true_trust").estimate == complete.coefficient("true_trust").estimate


def test_logistic_reports_complete_separation() -> None:
    frame = pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20) >= 10})
    result = logistic_regression(frame, outcome="y", predictors=["x"])
    assert result.status == "not_estimable"
    assert result.separation
    assert "separation" in result.reason


def test_logistic_reports_quasi_complete_separation() -> None:
    # x = 1 always has the event; x = 0 has both: quasi-complete separation on x.
    x = np.array([0.0] * 10 + [1.0] * 10)
    y = np.array([0, 1] * 5 + [1] * 10, dtype=bool)
    z = np.random.default_rng(0).normal(size=20)
    result = logistic_regression(
        pd.DataFrame({"x": x, "y": y, "z": z}), outcome="y", predictors=["x", "z"]
    )
    assert result.status == "not_estimable"
    assert result.separation


def test_logistic_without_separation_is_not_flagged() -> None:
    x = np.arange(20.0)
    y = np.array([0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1], dtype=bool)
    result = logistic_regression(pd.DataFrame({"x": x, "y": y}), outcome="y", predictors=["x"])
    assert result.status == "ok"
    assert not result.separation


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [0, 0, 0, 0]}), "does not vary"),
        (pd.DataFrame({"x": [1.0, 2], "y": [0, 1]}), "complete rows"),
        (pd.DataFrame({"x": [1.0, 1, 1, 1, 1], "y": [0, 1, 0, 1, 1]}), "collinear"),
    ],
)
def test_logistic_not_estimable_on_valid_data(frame: pd.DataFrame, reason: str) -> None:
    result = logistic_regression(frame, outcome="y", predictors=["x"])
    assert result.status == "not_estimable"
    assert reason in result.reason
    json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"x": [1.0, 2], "y": [0, 1]}).drop(columns="x"), "not in the data: x"),
        (pd.DataFrame({"x": [1.0, 2, 3], "y": [0, 2, 1]}), "must be 0/1"),
        (pd.DataFrame({"x": ["a", "b", "c"], "y": [0, 1, 1]}), "'x' is not numeric"),
    ],
)
def test_logistic_refuses_bad_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        logistic_regression(frame, outcome="y", predictors=["x"])


def test_logistic_to_dict_is_json_safe() -> None:
    result = logistic_regression(
        _trajectories(2000, 4), outcome="negative_end", predictors=["true_trust"]
    )
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert '"status": "ok"' in text
    assert '"missing": "listwise"' in text


# --- Kaplan–Meier and log-rank ------------------------------------------------------------


def test_kaplan_meier_equals_lifelines() -> None:
    frame = _survival_sample()
    result = kaplan_meier(frame, duration="months", event="event", group="group")
    for label in ("a", "b", "c"):
        part = frame[frame["group"] == label]
        fitter = KaplanMeierFitter().fit(part["months"], part["event"])
        curve = result.curve(label)
        table = fitter.event_table.iloc[1:]  # lifelines adds time 0
        assert [row.time for row in curve.table] == table.index.tolist()
        assert [row.at_risk for row in curve.table] == table["at_risk"].tolist()
        assert [row.events for row in curve.table] == table["observed"].tolist()
        assert [row.censored for row in curve.table] == table["censored"].tolist()
        survival = fitter.survival_function_.iloc[1:, 0].to_numpy()
        np.testing.assert_allclose([r.survival for r in curve.table], survival, atol=1e-12)
        bounds = fitter.confidence_interval_.iloc[1:].to_numpy()
        mine = np.array([[r.ci_low, r.ci_high] for r in curve.table], dtype=float)
        defined = ~np.isnan(mine).any(axis=1)
        assert defined.sum() > 10
        np.testing.assert_allclose(mine[defined], bounds[defined], atol=1e-10)
        expected_median = fitter.median_survival_time_
        if math.isinf(expected_median):
            assert curve.median is None
        else:
            assert curve.median == expected_median


def test_greenwood_standard_error_by_hand() -> None:
    # Times 1, 2, 2, 3+, 4: S(1) = 4/5, S(2) = 4/5 · 2/4 = 0.4.
    frame = pd.DataFrame({"t": [1, 2, 2, 3, 4], "e": [1, 1, 1, 0, 1]})
    curve = kaplan_meier(frame, duration="t", event="e").curve("all")
    assert [row.survival for row in curve.table] == pytest.approx([0.8, 0.4, 0.4, 0.0])
    greenwood = 1 / (5 * 4) + 2 / (4 * 2)
    assert curve.table[1].se == pytest.approx(0.4 * math.sqrt(greenwood))
    assert curve.median == 2.0
    assert curve.table[3].ci_low is None  # S = 0: no interval on the log(−log) scale


def test_logrank_equals_lifelines_two_and_three_groups() -> None:
    frame = _survival_sample()
    two = frame[frame["group"] != "c"]
    mine = kaplan_meier(two, duration="months", event="event", group="group").logrank
    a, b = two[two["group"] == "a"], two[two["group"] == "b"]
    theirs = logrank_test(a["months"], b["months"], a["event"], b["event"])
    assert mine is not None
    assert mine.df == 1
    assert mine.chi2 == pytest.approx(theirs.test_statistic, abs=1e-8)
    assert mine.p_value == pytest.approx(theirs.p_value, abs=1e-10)
    three = kaplan_meier(frame, duration="months", event="event", group="group").logrank
    theirs3 = multivariate_logrank_test(frame["months"], frame["group"], frame["event"])
    assert three is not None
    assert three.df == 2
    assert three.chi2 == pytest.approx(theirs3.test_statistic, abs=1e-8)
    assert three.p_value == pytest.approx(theirs3.p_value, abs=1e-10)
    assert sum(three.observed.values()) == pytest.approx(sum(three.expected.values()))


def test_kaplan_meier_reports_why_there_is_no_logrank() -> None:
    frame = _survival_sample()
    assert kaplan_meier(frame, duration="months", event="event").logrank_reason.startswith(
        "one group"
    )
    with pytest.raises(ValueError, match="negative durations"):
        kaplan_meier(frame.assign(months=-frame["months"]), duration="months", event="event")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.booleans(), st.sampled_from(["x", "y"])),
        min_size=1,
        max_size=60,
    )
)
def test_survival_is_non_increasing_within_zero_and_one(
    rows: list[tuple[int, bool, str]],
) -> None:
    frame = pd.DataFrame(rows, columns=["t", "e", "g"])
    result = kaplan_meier(frame, duration="t", event="e", group="g")
    for curve in result.curves:
        survival = np.array([row.survival for row in curve.table])
        assert ((survival >= 0) & (survival <= 1)).all()
        assert (np.diff(survival) <= 1e-15).all()
        for row in curve.table:
            if row.ci_low is not None and row.ci_high is not None:
                assert 0 <= row.ci_low <= row.survival <= row.ci_high <= 1
    json.dumps(result.to_dict(), allow_nan=False)


# --- Cox regression -----------------------------------------------------------------------


def test_cox_breslow_equals_statsmodels() -> None:
    frame = _survival_sample()
    mine = cox_regression(
        frame, duration="months", event="event", predictors=["x", "level"], ties="breslow"
    )
    theirs = sm.PHReg(
        frame["months"].to_numpy(),
        frame[["x", "level"]].to_numpy(),
        status=frame["event"].astype(float).to_numpy(),
        ties="breslow",
    ).fit()
    assert mine.status == "ok"
    np.testing.assert_allclose([c.estimate for c in mine.coefficients], theirs.params, atol=1e-7)
    np.testing.assert_allclose([c.se for c in mine.coefficients], theirs.bse, atol=1e-7)
    assert mine.log_likelihood == pytest.approx(theirs.llf, abs=1e-6)


def test_cox_efron_equals_lifelines_and_statsmodels() -> None:
    frame = _survival_sample()
    mine = cox_regression(
        frame, duration="months", event="event", predictors=["x", "level"], ties="efron"
    )
    fitter = CoxPHFitter().fit(
        frame[["months", "event", "x", "level"]].astype(float), "months", "event"
    )
    np.testing.assert_allclose(
        [c.estimate for c in mine.coefficients], fitter.params_.to_numpy(), atol=1e-5
    )
    np.testing.assert_allclose(
        [c.se for c in mine.coefficients], fitter.standard_errors_.to_numpy(), atol=1e-5
    )
    np.testing.assert_allclose(
        [c.ratio for c in mine.coefficients], fitter.hazard_ratios_.to_numpy(), rtol=1e-5
    )
    assert mine.log_likelihood == pytest.approx(fitter.log_likelihood_, abs=1e-5)
    assert mine.concordance == pytest.approx(fitter.concordance_index_, abs=1e-5)
    theirs = sm.PHReg(
        frame["months"].to_numpy(),
        frame[["x", "level"]].to_numpy(),
        status=frame["event"].astype(float).to_numpy(),
        ties="efron",
    ).fit()
    np.testing.assert_allclose([c.estimate for c in mine.coefficients], theirs.params, atol=1e-7)
    assert mine.log_likelihood == pytest.approx(theirs.llf, abs=1e-6)


def test_breslow_and_efron_differ_with_ties() -> None:
    frame = _survival_sample()
    breslow = cox_regression(frame, duration="months", event="event", predictors=["x"])
    efron = cox_regression(frame, duration="months", event="event", predictors=["x"], ties="efron")
    assert abs(breslow.coefficients[0].estimate - efron.coefficients[0].estimate) > 1e-4


def test_concordance_equals_lifelines() -> None:
    frame = _survival_sample()
    risk = np.round(frame["x"].to_numpy(), 1)  # tied risks count half
    mine = concordance_index(frame["months"], risk, frame["event"])
    theirs = lifelines_concordance(frame["months"], -risk, frame["event"])
    assert mine == pytest.approx(theirs, abs=1e-12)


def test_cox_recovers_the_generators_log_hazard_ratios() -> None:
    frame = _followed_up()
    result = cox_regression(
        frame,
        duration="recidivism_months",
        event="recidivism_observed",
        predictors=["true_trust", "substance"],
    )
    trust = result.coefficient("true_trust")
    substance = result.coefficient("substance")
    assert trust.ci_low < TRUTH.recidivism_log_hazard_trust < trust.ci_high
    assert substance.ci_low < TRUTH.recidivism_log_hazard_substance < substance.ci_high
    assert result.n == len(frame)
    assert result.events == int(frame["recidivism_observed"].sum())


def test_cox_reports_monotone_likelihood() -> None:
    # Everyone with x = 1 has their event before anyone with x = 0: no finite maximum.
    frame = pd.DataFrame({"t": np.arange(1.0, 21.0), "e": [1] * 20, "x": [1.0] * 10 + [0.0] * 10})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = cox_regression(frame, duration="t", event="e", predictors=["x"])
    assert result.status == "not_estimable"
    assert "monotone likelihood" in result.reason
    json.dumps(result.to_dict(), allow_nan=False)


def test_cox_not_estimable_and_bad_input() -> None:
    frame = _survival_sample()
    no_events = cox_regression(
        frame.assign(event=False), duration="months", event="event", predictors=["x"]
    )
    assert no_events.status == "not_estimable"
    assert no_events.reason == "no events"
    constant = cox_regression(
        frame.assign(x=1.0), duration="months", event="event", predictors=["x"]
    )
    assert constant.status == "not_estimable"
    assert "constant" in constant.reason
    with pytest.raises(ValueError, match="ties must be"):
        cox_regression(frame, duration="months", event="event", predictors=["x"], ties="exact")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not in the data: nope"):
        cox_regression(frame, duration="months", event="event", predictors=["nope"])
