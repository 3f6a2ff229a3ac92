"""Confirmatory factor analysis and measurement invariance against lavaan and semopy.

Two independent references:

* lavaan's published results for the Holzinger–Swineford (1939) three-factor model and for its
  invariance across the two schools (lavaan tutorial; numbers as printed, to their digits);
* semopy, fitted here on the same data (objective ``MLW``, solver L-BFGS-B, which converges more
  tightly than its default SLSQP). semopy parameterises with marker loadings and divides RMSEA
  by N − 1; both are converted where compared, never our own numbers fed back as expectations.

Invariants (hypothesis) cover what must hold on any data, and the last section the outcomes for
data that cannot be estimated or cannot be analysed at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest
import semopy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from semopy.examples import holzinger39

from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.research import cfa, measurement
from alliantiemonitor.core.research.cfa import (
    CfaInputError,
    CfaResult,
    MappingError,
    fit_cfa,
    invariance,
)
from alliantiemonitor.core.research.sem import Estimate, GroupMoments, Problem
from alliantiemonitor.core.research.sem import fit as sem_fit
from alliantiemonitor.core.synth import generate

HS_MAPPING: dict[str, list[str]] = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_fit(hs: pd.DataFrame) -> CfaResult:
    return fit_cfa(hs, HS_MAPPING)


def semopy_fit(frame: pd.DataFrame, mapping: Mapping[str, Sequence[str]]) -> semopy.Model:
    description = "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in mapping.items())
    model = semopy.Model(description)
    model.fit(frame, obj="MLW", solver="L-BFGS-B")
    return model


def semopy_standardised(model: semopy.Model) -> dict[str, float]:
    """lavaan's std.all loadings from semopy's raw estimates: λ · sd(factor) / sd(implied item)."""
    estimates = model.inspect()
    sigma, _ = model.calc_sigma()
    observed = list(model.vars["observed"])
    implied_sd = dict(zip(observed, np.sqrt(np.diag(sigma)), strict=True))
    variances = {
        row.lval: row.Estimate
        for row in estimates.itertuples()
        if row.op == "~~" and row.lval == row.rval and row.lval in model.vars["latent"]
    }
    return {
        row.lval: row.Estimate * math.sqrt(variances[row.rval]) / implied_sd[row.lval]
        for row in estimates.itertuples()
        if row.op == "~" and row.rval in model.vars["latent"]
    }


def semopy_statistics(model: semopy.Model) -> pd.Series:
    return semopy.calc_stats(model).T["Value"]


def strict_json(data: object) -> str:
    return json.dumps(data, allow_nan=False)


# --- (a) Holzinger–Swineford 1939 ------------------------------------------------------------


def test_hs39_matches_lavaans_published_fit(hs_fit: CfaResult) -> None:
    """lavaan: χ² 85.306, df 24, CFI .931, TLI .896, RMSEA .092 [.071, .114], SRMR .065."""
    assert hs_fit.status == "ok"
    assert hs_fit.converged
    fit = hs_fit.fit
    assert fit is not None
    assert hs_fit.n == 301
    assert round(fit.chi2, 3) == 85.306
    assert fit.df == 24
    assert fit.cfi is not None
    assert round(fit.cfi, 3) == 0.931
    assert fit.tli is not None
    assert round(fit.tli, 3) == 0.896
    assert fit.rmsea is not None
    assert round(fit.rmsea, 3) == 0.092
    assert fit.rmsea_ci_lower is not None
    assert round(fit.rmsea_ci_lower, 3) == 0.071
    assert fit.rmsea_ci_upper is not None
    assert round(fit.rmsea_ci_upper, 3) == 0.114
    assert fit.srmr is not None
    assert round(fit.srmr, 3) == 0.065
    assert fit.p_value is not None
    assert fit.p_value < 0.001


def test_hs39_agrees_with_semopy(hs: pd.DataFrame, hs_fit: CfaResult) -> None:
    model = semopy_fit(hs, HS_MAPPING)
    reference = semopy_statistics(model)
    fit = hs_fit.fit
    assert fit is not None
    assert fit.chi2 == pytest.approx(reference["chi2"], abs=1e-3)
    # Our minimum is at least as low as semopy's (it is the same function).
    assert fit.chi2 <= reference["chi2"] + 1e-6
    assert fit.df == reference["DoF"]
    assert fit.baseline_chi2 == pytest.approx(reference["chi2 Baseline"], abs=1e-3)
    assert fit.baseline_df == reference["DoF Baseline"]
    assert fit.p_value == pytest.approx(reference["chi2 p-value"], rel=1e-3)
    assert fit.cfi == pytest.approx(reference["CFI"], abs=1e-5)
    assert fit.tli == pytest.approx(reference["TLI"], abs=1e-5)
    # semopy divides by N − 1, lavaan (and we) by N.
    n = hs_fit.n
    assert fit.rmsea == pytest.approx(reference["RMSEA"] * math.sqrt((n - 1) / n), abs=1e-5)

    standardised = semopy_standardised(model)
    for loading in hs_fit.loadings:
        assert loading.std == pytest.approx(standardised[loading.item], abs=2e-3), loading.item

    estimates = model.inspect()
    residual = {
        row["lval"]: (row["Estimate"], float(row["Std. Err"]))
        for row in estimates.to_dict("records")
        if row["op"] == "~~"
        and row["lval"] == row["rval"]
        and row["lval"] in model.vars["observed"]
    }
    for variance in hs_fit.residual_variances:
        estimate, se = residual[variance.item]
        assert variance.estimate == pytest.approx(estimate, abs=2e-3), variance.item
        # Residual variances mean the same in both parameterisations, and so do their SEs.
        assert variance.se == pytest.approx(se, rel=2e-2), variance.item


def test_hs39_marker_scale_agrees_with_semopy(hs: pd.DataFrame, hs_fit: CfaResult) -> None:
    """Our loadings divided by the factor's first loading are semopy's marker loadings."""
    model = semopy_fit(hs, HS_MAPPING)
    marker = {row.lval: row.Estimate for row in model.inspect().itertuples() if row.op == "~"}
    first = {f: next(x for x in hs_fit.loadings if x.factor == f) for f in HS_MAPPING}
    for loading in hs_fit.loadings:
        ratio = loading.estimate / first[loading.factor].estimate
        assert ratio == pytest.approx(marker[loading.item], abs=3e-3), loading.item


def test_hs39_result_is_json_safe_and_says_how_missing_answers_were_handled(
    hs_fit: CfaResult,
) -> None:
    data = hs_fit.to_dict()
    text = strict_json(data)
    assert json.loads(text)["missing"] == "listwise"
    assert data["estimator"] == "ML"
    assert [x["item"] for x in data["loadings"]] == [f"x{i}" for i in range(1, 10)]
    assert len(data["factor_correlations"]) == 3
    assert all(x["std_se"] is not None and x["std_se"] > 0 for x in data["loadings"])


def test_listwise_deletion_equals_fitting_the_complete_rows(hs: pd.DataFrame) -> None:
    holed = hs.copy()
    holed.loc[holed.index[::7], "x2"] = np.nan
    holed.loc[holed.index[3::11], "x8"] = np.nan
    complete = holed.dropna(subset=[f"x{i}" for i in range(1, 10)])
    result = fit_cfa(holed, HS_MAPPING)
    reference = fit_cfa(complete, HS_MAPPING)
    assert result.n == len(complete)
    assert result.n_excluded == len(holed) - len(complete)
    assert result.fit is not None
    assert reference.fit is not None
    assert result.fit.chi2 == pytest.approx(reference.fit.chi2, rel=1e-9)
    semopy_chi2 = semopy_statistics(semopy_fit(complete, HS_MAPPING))["chi2"]
    assert result.fit.chi2 == pytest.approx(semopy_chi2, abs=1e-3)


# --- invariance on HS39 by school ------------------------------------------------------------


@pytest.fixture(scope="module")
def hs_invariance(hs: pd.DataFrame) -> cfa.InvarianceResult:
    return invariance(hs, HS_MAPPING, "school")


def test_hs39_invariance_matches_lavaans_published_chi_squares(
    hs_invariance: cfa.InvarianceResult,
) -> None:
    """lavaan, by school: configural 115.851 (48), metric 124.044 (54), scalar 164.103 (60)."""
    result = hs_invariance
    assert result.status == "ok"
    assert result.groups == ("Pasteur", "Grant-White")
    assert result.group_sizes == (156, 145)
    assert result.reference_group == "Pasteur"
    published = {"configural": (115.851, 48), "metric": (124.044, 54), "scalar": (164.103, 60)}
    for step in result.steps:
        assert step.status == "ok", step.message
        assert step.fit is not None
        chi2, df = published[step.level]
        assert round(step.fit.chi2, 3) == chi2, step.level
        assert step.fit.df == df


def test_hs39_invariance_differences(hs_invariance: cfa.InvarianceResult) -> None:
    """lavaan's anova of the three fits: Δχ² 8.192 (6), p .224; Δχ² 40.059 (6), p < .001."""
    configural, metric, scalar = hs_invariance.steps
    assert configural.comparison is None
    assert metric.comparison is not None
    assert scalar.comparison is not None
    assert metric.comparison.against == "configural"
    assert round(metric.comparison.delta_chi2, 3) == 8.192
    assert metric.comparison.delta_df == 6
    assert metric.comparison.p_value is not None
    assert round(metric.comparison.p_value, 3) == 0.224
    assert scalar.comparison.against == "metric"
    assert round(scalar.comparison.delta_chi2, 3) == 40.059
    assert scalar.comparison.p_value is not None
    assert scalar.comparison.p_value < 1e-6
    assert configural.fit is not None
    assert metric.fit is not None
    assert metric.fit.cfi is not None
    assert configural.fit.cfi is not None
    assert metric.comparison.delta_cfi == pytest.approx(metric.fit.cfi - configural.fit.cfi)
    strict_json(hs_invariance.to_dict())


def test_configural_chi_square_is_the_sum_of_semopys_per_school_fits(
    hs: pd.DataFrame, hs_invariance: cfa.InvarianceResult
) -> None:
    """With free intercepts and no equality constraints the groups are fitted independently."""
    total = sum(
        semopy_statistics(semopy_fit(hs[hs["school"] == school], HS_MAPPING))["chi2"]
        for school in ("Pasteur", "Grant-White")
    )
    configural = hs_invariance.steps[0]
    assert configural.fit is not None
    assert configural.fit.chi2 == pytest.approx(total, abs=2e-3)


def test_invariance_with_a_missing_group_value_leaves_the_row_out(hs: pd.DataFrame) -> None:
    holed = hs.copy()
    holed.loc[holed.index[:5], "school"] = None
    result = invariance(holed, HS_MAPPING, "school")
    assert result.n == len(hs) - 5
    assert result.n_excluded == 5


# --- (b) synthetic data from the generator ---------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, dict[str, list[str]], frozenset[str]]:
    instrument = default_registry().get("standaard")
    data = generate(instrument, trajectories=500, seed=20251201)
    responses = data.responses
    client = responses[(responses["rater"] == "client") & responses["submitted"]]
    mapping: dict[str, list[str]] = {}
    for item in instrument.items_for("client"):
        mapping.setdefault(item.characteristic, []).append(item.id)
    reverse = frozenset(i.id for i in instrument.items_for("client") if i.reverse)
    return client.reset_index(drop=True), mapping, reverse


def test_synthetic_four_characteristics_agree_with_semopy(
    synthetic: tuple[pd.DataFrame, dict[str, list[str]], frozenset[str]],
) -> None:
    frame, mapping, _ = synthetic
    assert list(mapping) == ["direction", "trust", "bond", "friction"]
    result = fit_cfa(frame, mapping)
    assert result.status == "ok", result.message
    complete = frame.dropna(subset=[i for items in mapping.values() for i in items])
    model = semopy_fit(complete, mapping)
    reference = semopy_statistics(model)
    fit = result.fit
    assert fit is not None
    assert result.n == len(complete)
    assert fit.df == reference["DoF"]
    assert fit.chi2 == pytest.approx(reference["chi2"], rel=1e-4)
    assert fit.chi2 <= reference["chi2"] + 1e-6
    assert fit.cfi == pytest.approx(reference["CFI"], abs=1e-4)
    assert fit.tli == pytest.approx(reference["TLI"], abs=1e-4)
    n = result.n
    assert fit.rmsea == pytest.approx(reference["RMSEA"] * math.sqrt((n - 1) / n), abs=1e-4)
    standardised = semopy_standardised(model)
    for loading in result.loadings:
        assert loading.std == pytest.approx(standardised[loading.item], abs=5e-3), loading.item


def test_synthetic_structure_shows_the_generators_assumptions(
    synthetic: tuple[pd.DataFrame, dict[str, list[str]], frozenset[str]],
) -> None:
    """Reverse-keyed items load negatively; friction correlates negatively with the others."""
    frame, mapping, reverse = synthetic
    result = fit_cfa(frame, mapping)
    for loading in result.loadings:
        assert (loading.std < 0) == (loading.item in reverse), loading.item
    correlations = {(c.factor_a, c.factor_b): c.estimate for c in result.factor_correlations}
    for (a, b), value in correlations.items():
        if "friction" in (a, b):
            assert value < 0, (a, b)
        else:
            assert value > 0, (a, b)


# --- invariants ------------------------------------------------------------------------------


@st.composite
def factor_data(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Data drawn from a correlated-factors model with known loadings."""
    k = draw(st.integers(1, 3))
    sizes = [draw(st.integers(3 if k == 1 else 2, 4)) for _ in range(k)]
    n = draw(st.integers(150, 600))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # Away from zero: a two-item factor uncorrelated with the rest is not identified.
    # Negative at most −0.45, so that three factors still have a positive definite Φ.
    sign = draw(st.sampled_from([-1.0, 1.0]))
    correlation = sign * draw(st.floats(0.3, 0.7 if sign > 0 else 0.45))
    phi = np.full((k, k), correlation)
    np.fill_diagonal(phi, 1.0)
    factors = rng.multivariate_normal(np.zeros(k), phi, size=n)
    columns: dict[str, np.ndarray] = {}
    mapping: dict[str, list[str]] = {}
    for j, size in enumerate(sizes):
        for i in range(size):
            name = f"f{j}_i{i}"
            loading = rng.uniform(0.5, 0.9) * rng.choice([-1.0, 1.0])
            noise = rng.normal(0.0, math.sqrt(1 - loading**2), n)
            scale = rng.uniform(0.5, 3.0)
            columns[name] = scale * (loading * factors[:, j] + noise) + rng.normal(0, 5)
            mapping.setdefault(f"f{j}", []).append(name)
    return pd.DataFrame(columns), mapping


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(factor_data())
def test_invariants_hold_on_any_factor_data(
    case: tuple[pd.DataFrame, dict[str, list[str]]],
) -> None:
    frame, mapping = case
    result = fit_cfa(frame, mapping)
    strict_json(result.to_dict())
    if result.status != "ok":
        # Only an honest non-convergence may stop a fit on well-formed data.
        assert result.reason == "not_converged"
        return
    p = sum(len(items) for items in mapping.values())
    k = len(mapping)
    fit = result.fit
    assert fit is not None
    assert fit.df == p * (p + 1) // 2 - (2 * p + k * (k - 1) // 2)
    assert fit.chi2 >= 0
    assert fit.srmr is not None
    assert fit.srmr >= 0
    assert fit.cfi is not None
    assert 0 <= fit.cfi <= 1
    if fit.df > 0:
        assert fit.rmsea is not None
        assert fit.rmsea >= 0
        assert fit.rmsea_ci_lower is not None
        assert fit.rmsea_ci_upper is not None
        assert fit.rmsea_ci_lower <= fit.rmsea + 1e-12 <= fit.rmsea_ci_upper + 2e-12
    else:
        assert fit.rmsea is None
    if not any(r.estimate < 0 for r in result.residual_variances):
        assert all(-1 <= x.std <= 1 for x in result.loadings)
        assert all(0 <= r.std <= 1 for r in result.residual_variances)
    for loading, residual in zip(result.loadings, result.residual_variances, strict=True):
        # Standardised: loading² + residual share = 1 (one factor per item).
        assert loading.std**2 + residual.std == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=10, deadline=None)
@given(factor_data(), st.integers(0, 2**32 - 1))
def test_rescaling_items_and_shuffling_rows_change_no_fit_or_standardised_value(
    case: tuple[pd.DataFrame, dict[str, list[str]]], seed: int
) -> None:
    frame, mapping = case
    rng = np.random.default_rng(seed)
    changed = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    for column in changed.columns:
        changed[column] = changed[column] * rng.uniform(0.1, 10.0) + rng.normal(0, 10)
    a, b = fit_cfa(frame, mapping), fit_cfa(changed, mapping)
    if a.status != "ok" or b.status != "ok":
        return
    assert a.fit is not None
    assert b.fit is not None
    assert b.fit.chi2 == pytest.approx(a.fit.chi2, rel=1e-6, abs=1e-8)
    for x, y in zip(a.loadings, b.loadings, strict=True):
        assert y.std == pytest.approx(x.std, abs=1e-6)


def test_stacking_the_rows_multiplies_chi_square_and_keeps_the_estimates(
    hs: pd.DataFrame, hs_fit: CfaResult
) -> None:
    """The fit sees only the moments: the same covariances from 3 × the rows, 3 × the χ²."""
    stacked = fit_cfa(pd.concat([hs, hs, hs], ignore_index=True), HS_MAPPING)
    assert stacked.fit is not None
    assert hs_fit.fit is not None
    assert stacked.fit.chi2 == pytest.approx(3 * hs_fit.fit.chi2, rel=1e-8)
    # The two fits stop at their own last step of the iteration (gradient below its tolerance),
    # so the estimates agree to about 1e-8, not to the last bit: 1e-7 still tells a changed
    # model from a converged one, seven digits past those lavaan reports.
    for x, y in zip(hs_fit.loadings, stacked.loadings, strict=True):
        assert y.std == pytest.approx(x.std, abs=1e-7)
        assert y.std_se is not None
        assert x.std_se is not None
        assert y.std_se == pytest.approx(x.std_se / math.sqrt(3), rel=1e-5)


def test_invariance_models_are_nested(
    synthetic: tuple[pd.DataFrame, dict[str, list[str]], frozenset[str]],
) -> None:
    frame, mapping, _ = synthetic
    two = frame[frame["domain"].isin(["reclassering", "jeugdreclassering"])]
    result = invariance(two, mapping, "domain")
    assert result.status == "ok", result.message
    p, k, groups = 19, 4, 2
    per_group = p * (p + 1) // 2 + p
    expected_df = {
        "configural": groups * per_group - groups * (3 * p + k * (k - 1) // 2),
        "metric": groups * per_group - (p + groups * (2 * p + k * (k - 1) // 2) + k),
        "scalar": groups * per_group - (2 * p + groups * (p + k * (k - 1) // 2) + 2 * k),
    }
    chi2 = []
    for step in result.steps:
        assert step.status == "ok", step.message
        assert step.fit is not None
        assert step.fit.df == expected_df[step.level]
        chi2.append(step.fit.chi2)
    assert chi2[0] <= chi2[1] + 1e-6 <= chi2[2] + 2e-6


def test_the_estimator_reaches_the_same_minimum_from_poor_starting_values(
    hs: pd.DataFrame, hs_fit: CfaResult
) -> None:
    layout = measurement.layout_of(hs, HS_MAPPING)
    specs, n_params = measurement.model_specs(layout, 1, None)
    _, cov = measurement.moments(hs[list(layout.items)].to_numpy(dtype=float))
    problem = Problem(specs, [GroupMoments(n=len(hs), cov=cov)], n_params)
    poor = np.concatenate([np.full(9, 0.05), np.zeros(3), np.full(9, 5.0)])
    estimate = sem_fit(problem, poor)
    assert estimate.converged
    assert hs_fit.fit is not None
    assert len(hs) * estimate.fmin == pytest.approx(hs_fit.fit.chi2, abs=1e-6)


# --- not estimable ---------------------------------------------------------------------------


def test_a_dozen_rows_is_not_estimable(hs: pd.DataFrame) -> None:
    result = fit_cfa(hs.head(12), HS_MAPPING)
    assert result.status == "not_estimable"
    assert result.reason == "too_few_rows"
    assert result.message is not None
    assert "12" in result.message
    assert result.fit is None
    assert result.loadings == ()
    strict_json(result.to_dict())


def test_linearly_dependent_items_are_not_estimable(hs: pd.DataFrame) -> None:
    frame = hs.copy()
    frame["x3"] = frame["x1"] + frame["x2"]
    result = fit_cfa(frame, HS_MAPPING)
    assert result.status == "not_estimable"
    assert result.reason == "covariance_not_positive_definite"


def test_no_convergence_is_reported_not_raised(
    hs: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stuck(problem: object, start: np.ndarray) -> Estimate:
        return Estimate(start, 1.0, False, 500, 0.3, np.eye(start.size))

    monkeypatch.setattr(cfa, "fit", stuck)
    result = fit_cfa(hs, HS_MAPPING)
    assert result.status == "not_estimable"
    assert result.reason == "not_converged"
    assert not result.converged
    steps = invariance(hs, HS_MAPPING, "school").steps
    assert [s.reason for s in steps] == ["not_converged"] * 3
    assert all(s.comparison is None for s in steps)


def test_an_unidentified_two_item_model_is_reported_not_raised() -> None:
    """Two uncorrelated two-item factors: the likelihood has no proper maximum (a Heywood drift)."""
    rng = np.random.default_rng(5)
    n = 150
    factors = rng.normal(size=(n, 2))
    frame = pd.DataFrame(
        {
            "a1": 0.7 * factors[:, 0] + rng.normal(0, 0.7, n),
            "a2": 0.6 * factors[:, 0] + rng.normal(0, 0.8, n),
            "b1": 0.7 * factors[:, 1] + rng.normal(0, 0.7, n),
            "b2": -0.6 * factors[:, 1] + rng.normal(0, 0.8, n),
        }
    )
    result = fit_cfa(frame, {"a": ["a1", "a2"], "b": ["b1", "b2"]})
    strict_json(result.to_dict())
    if result.status == "ok":
        assert result.notes, "an improper solution must say so"
    else:
        assert result.reason == "not_converged"
        assert result.message is not None
        assert "two items" in result.message


def test_a_small_group_makes_invariance_not_estimable(hs: pd.DataFrame) -> None:
    frame = pd.concat([hs, hs.head(6).assign(school="Elders")], ignore_index=True)
    result = invariance(frame, HS_MAPPING, "school")
    assert result.status == "not_estimable"
    assert result.reason == "too_few_rows"
    assert result.message is not None
    assert "Elders" in result.message
    strict_json(result.to_dict())


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({"visual": ["x1", "x2", "x99"], "speed": ["x7", "x8"]}, "x99"),
        ({"visual": ["x1", "x2"], "speed": ["x2", "x8"]}, "x2"),
        ({"visual": ["x1"], "speed": ["x7", "x8"]}, "visual"),
        ({"visual": ["x1", "x2"]}, "visual"),
        ({"visual": "x1 x2 x3"}, "visual"),
        ({"visual": ["x1", "x1", "x2"]}, "visual"),
        ({}, "no factors"),
    ],
)
def test_a_bad_mapping_raises_a_value_error_naming_it(
    hs: pd.DataFrame, mapping: dict[str, object], named: str
) -> None:
    before = hs.copy()
    with pytest.raises(MappingError, match=named) as caught:
        fit_cfa(hs, mapping)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    pd.testing.assert_frame_equal(hs, before)


def test_bad_data_raises_naming_the_problem(hs: pd.DataFrame) -> None:
    with pytest.raises(CfaInputError, match="no rows"):
        fit_cfa(hs.head(0), HS_MAPPING)
    with pytest.raises(CfaInputError, match=r"constant column\(s\): x4"):
        fit_cfa(hs.assign(x4=2.0), HS_MAPPING)
    with pytest.raises(CfaInputError, match=r"x5.*not numeric"):
        fit_cfa(hs.assign(x5="a"), HS_MAPPING)
    with pytest.raises(CfaInputError, match="x6"):
        fit_cfa(hs.assign(x6=np.nan), HS_MAPPING)
    with pytest.raises(CfaInputError, match=r"infinite value: x7"):
        fit_cfa(hs.assign(x7=np.where(hs.index == 3, np.inf, hs["x7"])), HS_MAPPING)


def test_bad_group_column_raises(hs: pd.DataFrame) -> None:
    with pytest.raises(CfaInputError, match="'klas'"):
        invariance(hs, HS_MAPPING, "klas")
    with pytest.raises(CfaInputError, match="at least two"):
        invariance(hs[hs["school"] == "Pasteur"], HS_MAPPING, "school")
