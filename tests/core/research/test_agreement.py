"""Client-professional agreement against pingouin (corr, paired ttest, intraclass_corr)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.research.agreement import (
    CharacteristicAgreement,
    agreement,
    characteristic_agreement,
    instrument_pairs,
    join_long,
    join_raters,
)
from alliantiemonitor.core.research.data import AnalysisInputError
from alliantiemonitor.core.scoring import score_frame
from tests.core.research.synthetic import responses, standaard

# pingouin rounds the intervals of corr, ttest and intraclass_corr to 2 decimals.
PINGOUIN_CI = 0.005 + 1e-12
KEY = ["trajectory_id", "round_index"]
# pingouin's own use of a pandas keyword that pandas 3.1 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")


@pytest.fixture(autouse=True)
def _full_precision() -> Iterator[None]:
    before = pg.options["round"]
    pg.options["round"] = None
    yield
    pg.options["round"] = before


def _synthetic() -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    return instrument_pairs(responses(), standaard(), on=KEY)


def _random(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.normal(3.5, 0.6, size=n)
    return truth + rng.normal(0.1, 0.4, size=n), truth + rng.normal(0, 0.5, size=n)


def _compare(result: CharacteristicAgreement, x: np.ndarray, y: np.ndarray) -> None:
    corr = pg.corr(x, y).iloc[0]
    assert result.n == corr["n"] == len(x)
    assert result.pearson_r == pytest.approx(corr["r"], abs=1e-12)
    assert result.pearson_p == pytest.approx(corr["p_val"], rel=1e-6, abs=1e-300)
    assert result.pearson_ci == pytest.approx(tuple(corr["CI95"]), abs=PINGOUIN_CI)

    test = pg.ttest(x, y, paired=True).iloc[0]
    assert result.t == pytest.approx(test["T"], rel=1e-10)
    assert result.df == test["dof"]
    assert result.t_p == pytest.approx(test["p_val"], rel=1e-6, abs=1e-300)
    assert result.difference_ci == pytest.approx(tuple(test["CI95"]), abs=PINGOUIN_CI)
    assert result.mean_difference == pytest.approx(float(np.mean(x - y)), abs=1e-12)

    long = pd.DataFrame({"target": np.arange(len(x)), "client": x, "professional": y}).melt(
        id_vars="target", var_name="rater", value_name="score"
    )
    table = pg.intraclass_corr(long, targets="target", raters="rater", ratings="score")
    table = table.set_index("Type")
    assert [icc.form for icc in result.icc] == table.index.tolist()
    for icc in result.icc:
        row = table.loc[icc.form]
        assert icc.icc == pytest.approx(row["ICC"], abs=1e-12)
        assert icc.f == pytest.approx(row["F"], rel=1e-10)
        assert icc.df1 == row["df1"]
        assert icc.df2 == row["df2"]
        assert icc.p == pytest.approx(row["pval"], rel=1e-6, abs=1e-300)
        assert icc.ci == pytest.approx(tuple(row["CI95"]), abs=PINGOUIN_CI)
    applying = [icc.form for icc in result.icc if icc.applies]
    assert applying == ["ICC(A,1)", "ICC(C,1)", "ICC(A,k)", "ICC(C,k)"]


def test_synthetic_pairs_against_pingouin() -> None:
    paired, pairs = _synthetic()
    results = agreement(paired, pairs)
    assert [r.characteristic for r in results] == ["direction", "trust", "bond", "friction"]
    for result in results:
        both = paired[list(pairs[result.characteristic])].dropna()
        x, y = both.iloc[:, 0].to_numpy(), both.iloc[:, 1].to_numpy()
        assert result.status == "ok"
        _compare(result, x, y)


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (60, 2), (500, 3)])
def test_random_pairs_against_pingouin(n: int, seed: int) -> None:
    x, y = _random(n, seed)
    _compare(characteristic_agreement(x, y, characteristic="trust"), x, y)


def test_bland_altman_limits() -> None:
    x, y = _random(4000, 8)
    result = characteristic_agreement(x, y, characteristic="bond")
    differences = list(x - y)
    bias, sd = statistics.fmean(differences), statistics.stdev(differences)
    assert result.limits == pytest.approx((bias - 1.96 * sd, bias + 1.96 * sd), abs=1e-12)
    assert result.limits is not None
    lower, upper = result.limits
    inside = np.mean((x - y >= lower) & (x - y <= upper))
    assert inside == pytest.approx(0.95, abs=0.015)  # normal differences: 95 % within
    assert result.lower_limit_ci is not None
    assert result.lower_limit_ci[0] < lower < result.lower_limit_ci[1]


def test_pairs_with_a_missing_score_are_skipped() -> None:
    x, y = _random(40, 3)
    x_missing = x.copy()
    x_missing[:5] = np.nan
    y_missing = y.copy()
    y_missing[5:8] = np.nan
    result = characteristic_agreement(x_missing, y_missing, characteristic="trust")
    assert result.n == 32
    _compare(result, x[8:], y[8:])


def test_too_few_pairs_is_not_estimable_and_json_safe() -> None:
    result = characteristic_agreement([1.0, 2, np.nan, 4], [2.0, 2, 3, np.nan], characteristic="c")
    assert result.status == "not_estimable"
    assert result.reason == "2 complete pair(s); agreement needs at least 4"
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert payload["pearson"]["r"] is None
    assert payload["icc"] == []


def test_constant_difference_keeps_the_rest() -> None:
    x = np.array([1.0, 2, 3, 4, 5, 2])
    result = characteristic_agreement(x, x - 0.5, characteristic="c")
    assert result.status == "ok"
    assert result.pearson_r == pytest.approx(1.0)
    assert result.t is None
    assert "t-test: the differences do not vary" in result.notes
    assert result.mean_difference == pytest.approx(0.5)
    json.dumps(result.to_dict(), allow_nan=False)


def test_identical_scores_do_not_crash() -> None:
    x = np.array([1.0, 2, 3, 4, 5, 2])
    result = characteristic_agreement(x, x.copy(), characteristic="c")
    assert result.status == "ok"
    assert result.mean_difference == 0
    assert result.limits == (0, 0)
    absolute = next(icc for icc in result.icc if icc.form == "ICC(A,1)")
    assert absolute.icc == pytest.approx(1.0)
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert payload["paired_difference"]["t"] is None
    assert any(note.startswith("ICC:") for note in result.notes)


def test_one_row_per_round_gives_the_same_as_pairing_by_key() -> None:
    frame = responses()
    instrument = standaard()
    client = frame[frame["rater"] == "client"].set_index(KEY)
    professional = frame[frame["rater"] == "professional"].set_index(KEY)
    client_items = [i.id for i in instrument.items_for("client")]
    professional_items = [i.id for i in instrument.items_for("professional")]
    wide = client[client_items].join(professional[professional_items], how="inner")
    by_row, pairs = instrument_pairs(wide.reset_index(drop=True), instrument)
    by_key, _ = _synthetic()
    for one, other in zip(agreement(by_row, pairs), agreement(by_key, pairs), strict=True):
        assert one.n == other.n
        assert one.pearson_r == pytest.approx(other.pearson_r, abs=1e-12)
        assert one.icc[1].icc == pytest.approx(other.icc[1].icc, abs=1e-12)


def test_scores_are_the_products_own() -> None:
    frame = responses()
    paired, _ = _synthetic()
    client = frame[frame["rater"] == "client"]
    expected = pd.concat([client[KEY], score_frame(standaard(), client, "client")], axis=1)
    merged = paired.merge(expected, on=KEY)
    np.testing.assert_allclose(merged["trust_client"], merged["trust"], equal_nan=True)


def test_join_refuses_duplicate_keys_and_absent_columns() -> None:
    client = pd.DataFrame({"id": [1, 1, 2], "trust": [3.0, 4.0, 2.0]})
    professional = pd.DataFrame({"id": [1, 2], "bond": [3.0, 4.0]})
    with pytest.raises(AnalysisInputError) as caught:
        join_raters(client, professional, on=["id"], characteristics=["trust"])
    assert caught.value.problems == [
        "the client data have more than one row for a key (id)",
        "the professional data have no column(s) trust",
    ]


def test_instrument_pairs_needs_both_parties_and_a_key() -> None:
    frame = responses()
    only_client = frame.drop(columns=[i.id for i in standaard().items_for("professional")])
    with pytest.raises(AnalysisInputError, match="the data hold no professional items"):
        instrument_pairs(only_client, standaard(), on=KEY)
    with pytest.raises(AnalysisInputError, match="no key column"):
        instrument_pairs(frame, standaard(), on=["visit"])


def test_agreement_refuses_absent_or_text_columns() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(AnalysisInputError) as caught:
        agreement(frame, {"trust": ("a", "b"), "bond": ("a", "c")})
    assert caught.value.problems == [
        "column b: holds values that are not numbers",
        "the paired data have no column c",
    ]


_KEYS = st.lists(
    st.tuples(st.sampled_from(["t1", "t2", "t3", None]), st.integers(-2, 3)),
    unique=True,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(left_keys=_KEYS, right_keys=_KEYS, text=st.booleans())
def test_join_is_the_inner_merge_in_the_clients_order(left_keys, right_keys, text) -> None:
    """The integer-code join gives exactly what DataFrame.merge gives, missing keys included."""

    def side(keys: list[tuple[str | None, int]], offset: float) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "trajectory": pd.Series([k[0] for k in keys], dtype="string" if text else object),
                "round": pd.Series([k[1] for k in keys], dtype="int64"),
            }
        )
        frame["trust"] = np.arange(len(keys), dtype=float) + offset
        return frame

    client, professional = side(left_keys, 0.0), side(right_keys, 0.5)
    joined, _pairs = join_raters(
        client, professional, on=["trajectory", "round"], characteristics=["trust"]
    )
    expected = client.merge(
        professional, on=["trajectory", "round"], suffixes=("_client", "_professional")
    )
    pd.testing.assert_frame_equal(joined, expected)


@settings(max_examples=40, deadline=None)
@given(
    left_keys=_KEYS,
    right_keys=_KEYS,
    order=st.randoms(use_true_random=False),
)
def test_join_long_is_join_raters_on_the_split_frames(left_keys, right_keys, order) -> None:
    """One long frame with a rater column joins as its client and professional parts do."""
    rows = [("client", key, float(i)) for i, key in enumerate(left_keys)] + [
        ("professional", key, i + 0.5) for i, key in enumerate(right_keys)
    ]
    order.shuffle(rows)
    long = pd.DataFrame(
        {
            "rater": pd.Series([row[0] for row in rows], dtype="str"),
            "trajectory": pd.Series([row[1][0] for row in rows], dtype="str"),
            "round": pd.Series([row[1][1] for row in rows], dtype="int64"),
            "trust": pd.Series([row[2] for row in rows], dtype="float64"),
        }
    )
    joined, pairs = join_long(long, on=["trajectory", "round"], characteristics=["trust"])
    expected, expected_pairs = join_raters(
        long[long["rater"] == "client"],
        long[long["rater"] == "professional"],
        on=["trajectory", "round"],
        characteristics=["trust"],
    )
    pd.testing.assert_frame_equal(joined, expected)
    assert pairs == expected_pairs


def test_join_long_refuses_other_raters_duplicates_and_absent_columns() -> None:
    frame = pd.DataFrame(
        {"id": [1, 1, 2], "rater": ["client", "client", "professional"], "trust": [3.0, 4.0, 2.0]}
    )
    with pytest.raises(AnalysisInputError) as caught:
        join_long(frame, on=["id"], characteristics=["trust"])
    assert caught.value.problems == ["the client data have more than one row for a key (id)"]
    other = frame.assign(rater=["client", "teacher", None])
    expected = r"other values than client or professional: \(empty\), teacher"
    with pytest.raises(AnalysisInputError, match=expected):
        join_long(other, on=["id"], characteristics=["trust"])
    with pytest.raises(AnalysisInputError, match=r"no column\(s\) bond"):
        join_long(frame, on=["id"], characteristics=["bond"])
