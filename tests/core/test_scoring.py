"""Scale scores, validation, alliance total and discrepancies (INSTRUMENT.md, "Scoring")."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.scoring import (
    AnswerError,
    alliance_total,
    answers_to_frame,
    characteristic_discrepancies,
    discrepancy_frame,
    pair_discrepancies,
    read_answers,
    required_answers,
    score_answers,
    score_array,
    score_frame,
    validate_answers,
)
from tests.core.scoring_instrument import client_ids, make_instrument, professional_ids

INSTRUMENT = make_instrument()
KEYS = ["direction", "trust", "bond", "friction"]

# A client response worked out by hand (reverse-keyed: c_direction_2, c_trust_2, c_friction_5).
WORKED = {
    "c_direction_1": 4,
    "c_direction_2": 2,  # reversed: 6 - 2 = 4
    "c_direction_3": 5,  # direction = (4 + 4 + 5) / 3 = 4.333…
    "c_trust_1": 3,
    "c_trust_2": 1,  # reversed: 5
    "c_trust_3": None,
    "c_trust_4": 4,  # 3 of 4 answered: trust = (3 + 5 + 4) / 3 = 4.0
    "c_bond_1": 2,
    "c_bond_2": None,  # 1 of 2 answered (< 2/3): bond missing
    "c_friction_1": 1,
    "c_friction_2": 2,
    "c_friction_3": None,
    "c_friction_4": 2,
    "c_friction_5": 5,  # reversed: 1; 4 of 5 answered: friction = (1 + 2 + 2 + 1) / 4 = 1.5
}
WORKED_SCORES = {"direction": 13 / 3, "trust": 4.0, "bond": None, "friction": 1.5}


def test_worked_example_one_response() -> None:
    scores = score_answers(INSTRUMENT, WORKED, "client")
    assert scores["direction"] == pytest.approx(13 / 3)
    assert scores["trust"] == 4.0
    assert scores["bond"] is None
    assert scores["friction"] == 1.5


def test_worked_example_frame() -> None:
    frame = answers_to_frame([WORKED], client_ids())
    scores = score_frame(INSTRUMENT, frame, "client")
    assert list(scores.columns) == KEYS
    row = scores.iloc[0]
    assert row["direction"] == pytest.approx(13 / 3)
    assert row["trust"] == 4.0
    assert math.isnan(row["bond"])
    assert row["friction"] == 1.5


@pytest.mark.parametrize(
    ("n_items", "required"),
    [(2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (9, 6), (12, 8), (19, 13)],
)
def test_required_answers_two_thirds_rounded_up(n_items: int, required: int) -> None:
    assert required_answers(n_items) == required


def test_required_answers_other_fraction() -> None:
    assert required_answers(4, 0.5) == 2
    assert required_answers(5, 1.0) == 5
    with pytest.raises(ValueError, match="min_fraction"):
        required_answers(4, 0.0)


@pytest.mark.parametrize(
    ("answers", "key", "expected"),
    [
        # 2 of 3 is exactly two thirds: scored. c_direction_2 absent; (4 + 2) / 2 = 3.0
        ({"c_direction_1": 4, "c_direction_3": 2}, "direction", 3.0),
        # 1 of 3: missing
        ({"c_direction_1": 4}, "direction", None),
        # 3 of 4 (0.75): scored, c_trust_2 = 2 reversed is 4; (5 + 4 + 3) / 3 = 4.0
        ({"c_trust_1": 5, "c_trust_2": 2, "c_trust_3": 3}, "trust", 4.0),
        # 2 of 4 (0.5): missing
        ({"c_trust_1": 5, "c_trust_3": 3}, "trust", None),
        # 4 of 5 (0.8): scored; (2 + 3 + 4 + 3) / 4 = 3.0
        (
            {"c_friction_1": 2, "c_friction_2": 3, "c_friction_3": 4, "c_friction_4": 3},
            "friction",
            3.0,
        ),
        # 3 of 5 (0.6): missing
        ({"c_friction_1": 2, "c_friction_2": 3, "c_friction_3": 4}, "friction", None),
        # 2 of 2: scored; 1 of 2: missing
        ({"c_bond_1": 2, "c_bond_2": 5}, "bond", 3.5),
        ({"c_bond_1": 2}, "bond", None),
    ],
)
def test_two_thirds_rule_boundaries(
    answers: dict[str, int], key: str, expected: float | None
) -> None:
    assert score_answers(INSTRUMENT, answers, "client")[key] == expected
    frame_score = score_frame(INSTRUMENT, answers_to_frame([answers], client_ids()), "client")
    value = frame_score.iloc[0][key]
    if expected is None:
        assert math.isnan(value)
    else:
        assert value == expected


def test_min_fraction_can_be_set() -> None:
    answers = {"c_trust_1": 5, "c_trust_3": 3}  # 2 of 4
    assert score_answers(INSTRUMENT, answers, "client", min_fraction=0.5)["trust"] == 4.0
    frame = answers_to_frame([answers], client_ids())
    assert score_frame(INSTRUMENT, frame, "client", min_fraction=0.5).iloc[0]["trust"] == 4.0


def test_professional_items_and_reverse_keys() -> None:
    # p_direction_2 is reversed, p_trust_2 is not.
    answers = {"p_direction_1": 5, "p_direction_2": 5, "p_direction_3": 5, "p_trust_1": 2}
    answers |= {"p_trust_2": 2, "p_trust_3": 2, "p_trust_4": 2, "c_direction_1": 1}
    scores = score_answers(INSTRUMENT, answers, "professional")
    assert scores["direction"] == pytest.approx((5 + 1 + 5) / 3)
    assert scores["trust"] == 2.0
    assert scores["bond"] is None


def test_validate_answers_names_every_bad_cell() -> None:
    index = ["r1", "r2", "r3"]
    frame = pd.DataFrame(
        {
            "c_direction_1": [1, 0, 3],
            "c_trust_1": pd.Series([6, None, 2.5], index=index, dtype=object),
            "c_bond_1": pd.Series(["x", "4", ""], index=index, dtype=object),
            "p_trust_1": [99, 99, 99],  # the other rater: not checked
            "name": ["a", "b", "c"],
        },
        index=index,
    )
    problems = validate_answers(INSTRUMENT, frame, "client")
    found = [(p.row, p.position, p.column, p.value) for p in problems]
    assert found == [
        ("r1", 0, "c_bond_1", "x"),
        ("r1", 0, "c_trust_1", 6),
        ("r2", 1, "c_direction_1", 0),
        ("r3", 2, "c_trust_1", 2.5),
    ]
    assert "1–5" in problems[0].message
    with pytest.raises(AnswerError) as excinfo:
        score_frame(INSTRUMENT, frame, "client")
    assert len(excinfo.value.problems) == 4


def test_text_answers_and_missing_spellings_are_accepted() -> None:
    frame = pd.DataFrame({"c_bond_1": ["2", " 4 ", "NA", "3.0"], "c_bond_2": ["4", "", "nan", "5"]})
    assert validate_answers(INSTRUMENT, frame, "client") == []
    bond = score_frame(INSTRUMENT, frame, "client")["bond"]
    assert bond.iloc[0] == 3.0
    assert math.isnan(bond.iloc[1])  # 1 of 2
    assert math.isnan(bond.iloc[2])
    assert bond.iloc[3] == 4.0


def test_nullable_integer_columns() -> None:
    frame = pd.DataFrame(
        {
            "c_bond_1": pd.array([2, None], dtype="Int64"),
            "c_bond_2": pd.array([4, 4], dtype="Int64"),
        }
    )
    bond = score_frame(INSTRUMENT, frame, "client")["bond"]
    assert bond.iloc[0] == 3.0
    assert math.isnan(bond.iloc[1])


def test_absent_columns_are_unanswered_and_index_is_kept() -> None:
    frame = pd.DataFrame({"c_bond_1": [1.0], "c_bond_2": [2.0]}, index=[42])
    scores = score_frame(INSTRUMENT, frame, "client")
    assert list(scores.index) == [42]
    assert scores.loc[42, "bond"] == 1.5
    assert scores.loc[[42], ["direction", "trust", "friction"]].isna().all().all()


def test_score_answers_rejects_bad_values() -> None:
    with pytest.raises(AnswerError) as excinfo:
        score_answers(INSTRUMENT, {"c_bond_1": 7, "c_trust_1": "x", "p_bond_1": 0}, "client")
    assert [p.column for p in excinfo.value.problems] == ["c_trust_1", "c_bond_1"]


def test_score_array_checks_shape_and_values() -> None:
    with pytest.raises(ValueError, match="14 columns"):
        score_array(INSTRUMENT, np.ones((2, 3)), "client")
    values = np.full((2, 14), 3.0)
    values[1, 4] = 0.0
    with pytest.raises(AnswerError) as excinfo:
        score_array(INSTRUMENT, values, "client")
    problem = excinfo.value.problems[0]
    assert (problem.position, problem.column, problem.value) == (1, client_ids()[4], 0.0)


def test_score_array_all_threes() -> None:
    # A 3 stays 3 under reverse keying (6 - 3), so every score is 3.
    scores = score_array(INSTRUMENT, np.full((3, 14), 3.0), "client")
    assert scores.shape == (3, 4)
    assert (scores == 3.0).all()


def test_empty_frame() -> None:
    scores = score_frame(INSTRUMENT, answers_to_frame([], client_ids()), "client")
    assert scores.shape == (0, 4)


def test_alliance_total_leaves_friction_out() -> None:
    scores = {"direction": 4.0, "trust": 3.0, "bond": 3.5, "friction": 5.0}
    assert alliance_total(scores) == 3.5  # (4 + 3 + 3.5) / 3, friction not in it
    assert alliance_total({**scores, "bond": None}) is None
    frame = pd.DataFrame([scores, {**scores, "trust": np.nan}])
    totals = alliance_total(frame)
    assert totals.iloc[0] == 3.5
    assert math.isnan(totals.iloc[1])


# -- discrepancies --------------------------------------------------------------------------


def _pairs_by_client_item(client: dict[str, int], professional: dict[str, int]) -> dict:
    return {p.client_item: p for p in pair_discrepancies(INSTRUMENT, client, professional)}


def test_pair_discrepancy_thresholds() -> None:
    pairs = _pairs_by_client_item(
        {"c_direction_1": 5, "c_direction_3": 4, "c_bond_1": 1, "c_bond_2": 3},
        {"p_direction_1": 3, "p_direction_3": 3, "p_bond_1": 4},
    )
    assert pairs["c_direction_1"].difference == 2  # exactly 2: highlighted
    assert pairs["c_direction_1"].highlight
    assert pairs["c_direction_3"].difference == 1
    assert not pairs["c_direction_3"].highlight
    assert pairs["c_bond_1"].difference == -3  # client lower: highlighted too
    assert pairs["c_bond_1"].highlight
    assert pairs["c_bond_2"].difference is None  # professional did not answer
    assert not pairs["c_bond_2"].highlight
    assert len(pairs) == 14


def test_pair_discrepancy_compares_item_scores_after_reverse_keying() -> None:
    # c_trust_2 is reverse-keyed, its mirror p_trust_2 is not: raw 1 against 5 means the same
    # (both say "open"), so the difference is 0, not -4.
    pair = _pairs_by_client_item({"c_trust_2": 1}, {"p_trust_2": 5})["c_trust_2"]
    assert (pair.client_value, pair.professional_value) == (1, 5)
    assert (pair.client_score, pair.professional_score) == (5, 5)
    assert pair.difference == 0
    assert not pair.highlight
    # Both reverse-keyed: raw 2 (score 4) against raw 4 (score 2) is +2.
    pair = _pairs_by_client_item({"c_direction_2": 2}, {"p_direction_2": 4})["c_direction_2"]
    assert pair.difference == 2
    assert pair.highlight


def test_pair_discrepancy_threshold_setting_and_bad_values() -> None:
    client, professional = {"c_direction_1": 4}, {"p_direction_1": 3}
    [first, *_] = pair_discrepancies(INSTRUMENT, client, professional, threshold=1)
    assert first.highlight
    with pytest.raises(AnswerError):
        pair_discrepancies(INSTRUMENT, {"c_direction_1": 9}, professional)


def test_characteristic_discrepancies() -> None:
    client = {"direction": 3.4, "trust": 4.0, "bond": None, "friction": 1.5}
    professional = {"direction": 2.4, "trust": 3.5, "bond": 3.0, "friction": 3.0}
    result = {d.characteristic: d for d in characteristic_discrepancies(client, professional)}
    assert list(result) == KEYS
    # 3.4 - 2.4 is 0.9999999999999998 in floating point; on paper exactly 1.0: highlighted.
    assert result["direction"].difference == pytest.approx(1.0)
    assert result["direction"].highlight
    assert result["trust"].difference == 0.5
    assert not result["trust"].highlight
    assert result["bond"].difference is None
    assert not result["bond"].highlight
    assert result["friction"].difference == -1.5
    assert result["friction"].highlight
    relaxed = characteristic_discrepancies(client, professional, threshold=2.0)
    assert not any(d.highlight for d in relaxed)


def test_characteristic_discrepancies_treat_nan_as_missing() -> None:
    [only] = characteristic_discrepancies({"trust": math.nan}, {"trust": 3.0})
    assert only.client is None
    assert only.difference is None


def test_discrepancy_frame_matches_one_by_one() -> None:
    client = {"c_direction_1": 5, "c_direction_2": 2, "c_direction_3": 4, "c_trust_2": 1}
    professional = {"p_direction_1": 3, "p_direction_2": 4, "p_direction_3": 3, "p_trust_2": 5}
    frame = discrepancy_frame(
        INSTRUMENT,
        answers_to_frame([client], client_ids()),
        answers_to_frame([professional], professional_ids()),
    )
    row = frame.iloc[0]
    for pair in pair_discrepancies(INSTRUMENT, client, professional):
        if pair.difference is None:
            assert math.isnan(row[pair.client_item])
        else:
            assert row[pair.client_item] == pair.difference
    # direction: client (5 + 4 + 4) / 3, professional (3 + 2 + 3) / 3 → difference 5/3
    assert row["direction"] == pytest.approx(5 / 3)
    assert math.isnan(row["trust"])


# -- properties -----------------------------------------------------------------------------

ANSWER = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
CLIENT_RESPONSE = st.fixed_dictionaries(dict.fromkeys(client_ids(), ANSWER))


def _same(a: float | None, b: float) -> bool:
    return math.isnan(b) if a is None else a == b


@settings(max_examples=200, deadline=None)
@given(st.lists(CLIENT_RESPONSE, min_size=1, max_size=20))
def test_vectorised_scoring_equals_one_by_one(records: list[dict[str, int | None]]) -> None:
    frame = score_frame(INSTRUMENT, answers_to_frame(records, client_ids()), "client")
    for position, record in enumerate(records):
        one = score_answers(INSTRUMENT, record, "client")
        assert all(_same(one[key], frame.iloc[position][key]) for key in KEYS)


@settings(max_examples=200, deadline=None)
@given(CLIENT_RESPONSE)
def test_scores_stay_on_the_scale(record: dict[str, int | None]) -> None:
    for value in score_answers(INSTRUMENT, record, "client").values():
        assert value is None or 1.0 <= value <= 5.0


@given(st.integers(min_value=1, max_value=5))
def test_reversing_twice_is_identity(value: int) -> None:
    scale = INSTRUMENT.scale
    assert scale.reverse(scale.reverse(value)) == value
    assert scale.reverse(value) == 6 - value


@settings(max_examples=100, deadline=None)
@given(CLIENT_RESPONSE)
def test_flipping_answers_and_reverse_keys_keeps_scores(record: dict[str, int | None]) -> None:
    # Toggle every item's reverse key and mirror every answer: items that were reverse-keyed are
    # now read straight from 6 - a, and the others are reversed twice, 6 - (6 - a) = a.
    toggled = dataclasses.replace(
        INSTRUMENT,
        items=tuple(dataclasses.replace(i, reverse=not i.reverse) for i in INSTRUMENT.items),
    )
    flipped = {k: None if v is None else 6 - v for k, v in record.items()}
    assert score_answers(toggled, flipped, "client") == score_answers(INSTRUMENT, record, "client")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(CLIENT_RESPONSE, min_size=1, max_size=10),
    st.permutations(client_ids()),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_column_order_and_extra_columns_do_not_matter(
    records: list[dict[str, int | None]], order: list[str], seed: int
) -> None:
    frame = answers_to_frame(records, client_ids())
    expected = score_frame(INSTRUMENT, frame, "client")
    rng = np.random.default_rng(seed)
    shuffled = frame[order].copy()
    shuffled["p_trust_1"] = rng.integers(-5, 50, len(frame))  # other rater, even out of range
    shuffled["c_unknown_9"] = "garbage"
    shuffled.insert(0, "client_name", "Testpersoon")
    pd.testing.assert_frame_equal(score_frame(INSTRUMENT, shuffled, "client"), expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(CLIENT_RESPONSE, min_size=1, max_size=10))
def test_text_cells_score_like_numbers(records: list[dict[str, int | None]]) -> None:
    # A CSV read as text: "4" for 4 and an empty cell for "not answered".
    numbers = answers_to_frame(records, client_ids())
    text = pd.DataFrame(
        [{k: "" if v is None else str(v) for k, v in r.items()} for r in records], dtype=str
    )
    pd.testing.assert_frame_equal(
        score_frame(INSTRUMENT, text, "client"), score_frame(INSTRUMENT, numbers, "client")
    )


def test_booleans_are_not_answers() -> None:
    frame = pd.DataFrame({"c_bond_1": pd.Series([True, 3], dtype=object), "c_bond_2": [1, 2]})
    assert [(p.position, p.value) for p in validate_answers(INSTRUMENT, frame, "client")] == [
        (0, True)
    ]


def test_duplicated_item_column_is_named() -> None:
    # Two columns with one item id (a merge gone wrong) used to fail with an AttributeError.
    ids = client_ids()
    frame = pd.DataFrame([[3, 4]], columns=[ids[0], ids[0]])
    with pytest.raises(ValueError, match=rf"more than one column named {ids[0]}"):
        score_frame(INSTRUMENT, frame, "client")
    with pytest.raises(ValueError, match=rf"more than one column named {ids[0]}"):
        validate_answers(INSTRUMENT, frame, "client")


def test_duplicated_other_columns_do_not_matter() -> None:
    ids = client_ids()
    frame = pd.DataFrame([[3, "a", "b"]], columns=[ids[0], "note", "note"])
    assert len(score_frame(INSTRUMENT, frame, "client")) == 1


# -- float columns and selected rows (the quick path for large tables) ----------------------


def test_float_columns_off_the_scale_are_named_and_left_out() -> None:
    """Float columns are checked as one block first; each bad cell is still named."""
    index = ["r1", "r2", "r3", "r4"]
    frame = pd.DataFrame(
        {
            "c_direction_1": [1.0, 0.0, 3.0, np.nan],
            "c_trust_1": [6.0, np.nan, 2.5, 4.0],
            "c_bond_1": [5.0, 4.0, 3.0, 2.0],
        },
        index=index,
    )
    problems = validate_answers(INSTRUMENT, frame, "client")
    found = [(p.row, p.position, p.column, p.value) for p in problems]
    assert found == [
        ("r1", 0, "c_trust_1", 6.0),
        ("r2", 1, "c_direction_1", 0.0),
        ("r3", 2, "c_trust_1", 2.5),
    ]
    values, _problems = read_answers(INSTRUMENT, frame, "client")
    ids = client_ids()
    direction, trust = values[:, ids.index("c_direction_1")], values[:, ids.index("c_trust_1")]
    np.testing.assert_array_equal(direction, [1.0, np.nan, 3.0, np.nan])
    np.testing.assert_array_equal(trust, [np.nan, np.nan, np.nan, 4.0])


def test_a_scale_with_a_gap_refuses_the_missing_value() -> None:
    points = tuple(p for p in INSTRUMENT.scale.points if p.value != 3)
    gapped = dataclasses.replace(
        INSTRUMENT, scale=dataclasses.replace(INSTRUMENT.scale, points=points)
    )
    frame = pd.DataFrame({"c_direction_1": [1.0, 3.0, 5.0], "c_trust_1": [2.0, 4.0, np.nan]})
    problems = validate_answers(gapped, frame, "client")
    assert [(p.position, p.column, p.value) for p in problems] == [(1, "c_direction_1", 3.0)]


def test_selected_rows_name_their_own_labels_and_positions() -> None:
    frame = pd.DataFrame(
        {"c_direction_1": [1.0, 9.0, 2.0, 7.0], "p_direction_1": [np.nan, 1.0, np.nan, 1.0]},
        index=["a", "b", "c", "d"],
    )
    rows = np.array([False, True, False, True])
    problems = validate_answers(INSTRUMENT, frame[rows], "client")
    values, selected = read_answers(INSTRUMENT, frame, "client", rows=rows)
    assert [(p.row, p.position, p.value) for p in selected] == [("b", 0, 9.0), ("d", 1, 7.0)]
    assert selected == problems
    assert values.shape == (2, len(client_ids()))
    with pytest.raises(ValueError, match="boolean array"):
        read_answers(INSTRUMENT, frame, "client", rows=[1, 3])
    with pytest.raises(ValueError, match="boolean array"):
        score_frame(INSTRUMENT, frame, "client", rows=rows[:3])


ROWS = st.lists(st.tuples(CLIENT_RESPONSE, st.booleans()), min_size=1, max_size=20)


@settings(max_examples=100, deadline=None)
@given(ROWS, st.booleans())
def test_scoring_selected_rows_equals_scoring_their_frame(
    rows: list[tuple[dict[str, int | None], bool]], as_float: bool
) -> None:
    records = [record for record, _chosen in rows]
    frame = answers_to_frame(records, client_ids())
    frame = frame.astype(np.float64) if as_float else frame.astype("Int64")
    frame.index = [f"row{i}" for i in range(len(frame))]
    mask = np.array([chosen for _record, chosen in rows])
    expected = score_frame(INSTRUMENT, frame[mask], "client")
    pd.testing.assert_frame_equal(score_frame(INSTRUMENT, frame, "client", rows=mask), expected)
    array = score_array(
        INSTRUMENT, frame[mask].to_numpy(dtype=np.float64, na_value=np.nan), "client"
    )
    np.testing.assert_array_equal(array, expected.to_numpy())
