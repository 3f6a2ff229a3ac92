"""Reliability against independent implementations: pingouin (alpha, Feldt CI), semopy (omega)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import semopy
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from alliantiemonitor.core import change
from alliantiemonitor.core.research import reliability as rel
from alliantiemonitor.core.research.data import mapping_from_instrument, parse_mapping, prepare
from tests.core.research.synthetic import random_items, rater_rows, standaard

# pingouin rounds its interval to 3 decimals.
PINGOUIN_CI = 0.0005 + 1e-12


def _client() -> tuple[pd.DataFrame, list[rel.ScaleReliability]]:
    frame = rater_rows("client")
    data = prepare(frame, mapping_from_instrument(standaard(), "client"))
    return data.items, rel.reliability(data)


def _semopy_omega(block: pd.DataFrame) -> float:
    """Omega total from semopy's ML one-factor model: (Σλ)²·var(F) / ((Σλ)²·var(F) + Σθ)."""
    columns = [f"x{i}" for i in range(block.shape[1])]  # semopy wants plain names
    data = block.set_axis(columns, axis=1)
    model = semopy.Model("F =~ " + " + ".join(columns))
    model.fit(data)
    estimates = model.inspect()
    loadings = estimates[(estimates["op"] == "~") & (estimates["rval"] == "F")]
    variances = estimates[estimates["op"] == "~~"]
    factor = float(variances[variances["lval"] == "F"]["Estimate"].iloc[0])
    unique = variances[variances["lval"].isin(columns) & (variances["lval"] == variances["rval"])]
    common = float(loadings["Estimate"].astype(float).sum()) ** 2 * factor
    return common / (common + float(unique["Estimate"].astype(float).sum()))


def test_alpha_and_feldt_interval_equal_pingouin_on_synthetic_data() -> None:
    items, results = _client()
    assert [r.scale for r in results] == ["direction", "trust", "bond", "friction"]
    for result in results:
        block = items[[i.item for i in result.items]].dropna()
        alpha, interval = pg.cronbach_alpha(block, nan_policy="listwise")
        assert result.status == "ok"
        assert result.n == len(block)
        assert result.k == block.shape[1]
        assert result.alpha == pytest.approx(alpha, abs=1e-12)
        assert result.alpha_ci is not None
        assert result.alpha_ci[0] == pytest.approx(interval[0], abs=PINGOUIN_CI)
        assert result.alpha_ci[1] == pytest.approx(interval[1], abs=PINGOUIN_CI)


def test_pairwise_alpha_equals_pingouins_default() -> None:
    frame = random_items(300, 6, seed=4, missing=0.1)
    data = prepare(frame, parse_mapping({"scales": {"s": list(frame.columns)}}), missing="pairwise")
    (result,) = rel.reliability(data)
    answered = frame.dropna(how="all")
    alpha, interval = pg.cronbach_alpha(answered)  # pingouin: pairwise, n = rows
    assert result.missing == "pairwise"
    assert result.n == len(answered)
    assert result.alpha == pytest.approx(alpha, abs=1e-12)
    assert result.alpha_ci is not None
    assert result.alpha_ci == pytest.approx(tuple(interval), abs=PINGOUIN_CI)
    # Listwise differs: fewer rows, another alpha.
    listwise = rel.reliability(prepare(frame, data.mapping))[0]
    assert listwise.n == len(frame.dropna())
    assert listwise.alpha == pytest.approx(pg.cronbach_alpha(frame.dropna())[0], abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_data_against_pingouin(seed: int) -> None:
    frame = random_items(80 + 40 * seed, 3 + seed, seed=seed)
    (result,) = rel.reliability(prepare(frame, parse_mapping({"scales": {"s": list(frame)}})))
    alpha, interval = pg.cronbach_alpha(frame)
    assert result.alpha == pytest.approx(alpha, abs=1e-12)
    assert result.alpha_ci == pytest.approx(tuple(interval), abs=PINGOUIN_CI)


def test_alpha_if_deleted_and_item_rest_against_independent_computations() -> None:
    items, results = _client()
    for result in results:
        block = items[[i.item for i in result.items]].dropna()
        for stat in result.items:
            rest = block.drop(columns=stat.item)
            assert stat.alpha_if_deleted == pytest.approx(pg.cronbach_alpha(rest)[0], abs=1e-12)
            corrected = np.corrcoef(block[stat.item], rest.sum(axis=1))[0, 1]
            assert stat.item_rest_r == pytest.approx(corrected, abs=1e-12)
            assert stat.mean == pytest.approx(block[stat.item].mean())
            assert stat.sd == pytest.approx(block[stat.item].std(ddof=1))
        assert result.mean == pytest.approx(block.mean(axis=1).mean())
        assert result.sd == pytest.approx(block.mean(axis=1).std(ddof=1))


def test_omega_equals_semopy_one_factor_model() -> None:
    items, results = _client()
    for result in results:
        block = items[[i.item for i in result.items]].dropna()
        assert result.omega is not None
        assert round(result.omega, 3) == round(_semopy_omega(block), 3)
        assert result.omega == pytest.approx(_semopy_omega(block), abs=5e-4)


def test_omega_on_random_data_equals_semopy() -> None:
    frame = random_items(400, 5, seed=9)
    (result,) = rel.reliability(prepare(frame, parse_mapping({"scales": {"s": list(frame)}})))
    assert result.omega == pytest.approx(_semopy_omega(frame), abs=5e-4)


def test_one_factor_loadings_reproduce_a_known_model() -> None:
    # A covariance matrix made exactly from a one-factor model is fitted back exactly.
    loadings = np.array([0.9, 0.6, 0.7, 1.1])
    unique = np.array([0.4, 0.5, 0.3, 0.6])
    model = rel.fit_one_factor(np.outer(loadings, loadings) + np.diag(unique))
    assert model.converged
    np.testing.assert_allclose(model.loadings, loadings, atol=1e-5)
    np.testing.assert_allclose(model.unique, unique, atol=1e-5)
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + unique.sum())
    assert model.omega == pytest.approx(expected, abs=1e-6)


def test_two_items_give_alpha_but_no_omega() -> None:
    frame = random_items(100, 2, seed=5)
    (result,) = rel.reliability(prepare(frame, parse_mapping({"scales": {"s": list(frame)}})))
    assert result.status == "ok"
    assert result.alpha == pytest.approx(pg.cronbach_alpha(frame)[0], abs=1e-12)
    assert result.omega is None
    assert result.omega_reason is not None
    assert "at least 3 items" in result.omega_reason
    assert all(item.alpha_if_deleted is None for item in result.items)


def test_too_few_rows_is_not_estimable_and_json_safe() -> None:
    frame = pd.DataFrame({"a": [1, 2, np.nan, 4], "b": [2, 3, 1, np.nan], "c": [1, 5, 3, 3]})
    (result,) = rel.reliability(prepare(frame, parse_mapping({"scales": {"s": ["a", "b", "c"]}})))
    assert result.status == "not_estimable"
    assert result.reason == "2 complete rows; alpha needs at least 3"
    assert result.n == 2
    payload = json.dumps(result.to_dict(), allow_nan=False)
    assert json.loads(payload)["alpha"] is None


def test_groups_equal_the_analysis_of_each_subset() -> None:
    frame = rater_rows("professional")
    mapping = mapping_from_instrument(standaard(), "professional")
    results = rel.reliability(prepare(frame, mapping, group="domain"))
    groups = sorted(frame["domain"].unique())
    assert [r.group for r in results] == [None] * 4 + [g for g in groups for _ in range(4)]
    for result in results[4:]:
        subset = prepare(frame[frame["domain"] == result.group], mapping)
        (alone,) = (r for r in rel.reliability(subset) if r.scale == result.scale)
        assert result.n == alone.n
        assert result.alpha == alone.alpha
        assert result.omega == alone.omega


def test_one_alpha_in_the_code_base() -> None:
    assert change.cronbach_alpha is rel.cronbach_alpha
    frame = random_items(50, 4, seed=7, missing=0.05)
    assert rel.cronbach_alpha(frame.to_numpy()) == pytest.approx(
        pg.cronbach_alpha(frame.dropna())[0], abs=1e-12
    )


answers = arrays(
    np.float64,
    st.tuples(st.integers(5, 40), st.integers(3, 7)),
    elements=st.integers(1, 5).map(float),
)


@settings(max_examples=40, deadline=None)
@given(column=arrays(np.float64, st.integers(3, 50), elements=st.integers(1, 5).map(float)),
       k=st.integers(2, 6))  # fmt: skip
def test_alpha_of_identical_items_is_one(column: np.ndarray, k: int) -> None:
    if np.ptp(column) == 0:
        return  # a constant item is refused before any analysis
    frame = pd.DataFrame({f"q{i}": column for i in range(k)})
    (result,) = rel.reliability(prepare(frame, parse_mapping({"scales": {"s": list(frame)}})))
    assert result.alpha == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(values=answers)
def test_omega_at_most_one_and_one_alpha_if_deleted_per_item(values: np.ndarray) -> None:
    frame = pd.DataFrame(values, columns=[f"q{i}" for i in range(values.shape[1])])
    if (frame.nunique() < 2).any():
        return  # constant items are refused before any analysis
    (result,) = rel.reliability(prepare(frame, parse_mapping({"scales": {"s": list(frame)}})))
    if result.status != "ok":
        assert result.reason
        return
    assert len(result.items) == result.k == values.shape[1]
    assert all(item.alpha_if_deleted is not None for item in result.items)
    assert result.omega is None or result.omega <= 1 + 1e-12
    assert result.omega is not None or result.omega_reason
    json.dumps(result.to_dict(), allow_nan=False)
    if result.alpha is not None and math.isfinite(result.alpha):
        assert result.alpha <= 1 + 1e-12
