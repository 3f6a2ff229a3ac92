"""Item data and mappings: reading, reverse keying, and every refusal with its message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliantiemonitor.core.research.data import (
    AnalysisInputError,
    ScaleMapping,
    ScaleSpec,
    mapping_from_instrument,
    parse_mapping,
    prepare,
    read_mapping,
)
from alliantiemonitor.core.research.reliability import reliability
from tests.core.research.synthetic import rater_rows, reversed_items, standaard

MAPPING = {
    "answer_range": {"min": 1, "max": 5},
    "scales": {"a": ["q1", "q2", "q3"], "b": {"items": ["q4", "q5"], "reverse": ["q5"]}},
}


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person": ["p1", "p2", "p3", "p4"],
            "q1": [1, 2, 3, 4],
            "q2": [2, 2, 4, 5],
            "q3": [1, np.nan, 3, 5],
            "q4": [5, 4, 2, 1],
            "q5": [1, 2, 4, 5],
        }
    )


def _problems(frame: pd.DataFrame, mapping: ScaleMapping, **kwargs: object) -> list[str]:
    with pytest.raises(AnalysisInputError) as caught:
        prepare(frame, mapping, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def test_short_and_long_forms_and_reverse_keying() -> None:
    mapping = parse_mapping(MAPPING)
    assert mapping.as_dict() == {"a": ["q1", "q2", "q3"], "b": ["q4", "q5"]}
    assert mapping.reverse == {"q5"}
    data = prepare(_frame(), mapping)
    assert data.items["q5"].tolist() == [5, 4, 2, 1]  # 6 - answer
    assert data.items["q1"].tolist() == [1, 2, 3, 4]
    assert "person" not in data.items.columns
    assert data.missing == "listwise"


def test_mapping_from_instrument_takes_the_raters_items() -> None:
    instrument = standaard()
    mapping = mapping_from_instrument(instrument, "professional")
    assert [s.name for s in mapping.scales] == [c.key for c in instrument.characteristics]
    for scale in mapping.scales:
        expected = instrument.items_of(scale.name, "professional")
        assert scale.items == tuple(i.id for i in expected)
        assert scale.reverse == {i.id for i in expected if i.reverse}
        assert all(item.startswith("p_") for item in scale.items)
    assert (mapping.minimum, mapping.maximum) == (1, 5)


def test_instrument_mapping_reverses_like_the_instrument() -> None:
    frame = rater_rows("client")
    data = prepare(frame, mapping_from_instrument(standaard(), "client"))
    expected = reversed_items(frame, standaard(), "client")
    pd.testing.assert_frame_equal(data.items, expected[list(data.items.columns)])


def test_read_mapping_from_yaml_and_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "m.yaml"
    yaml_file.write_text(
        "answer_range: {min: 1, max: 5}\nscales:\n  a: [q1, q2, q3]\n"
        "  b:\n    items: [q4, q5]\n    reverse: [q5]\n",
        encoding="utf-8",
    )
    json_file = tmp_path / "m.json"
    json_file.write_text(json.dumps(MAPPING), encoding="utf-8")
    assert read_mapping(yaml_file).as_dict() == read_mapping(json_file).as_dict()
    assert read_mapping(yaml_file).reverse == {"q5"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scales": {"a": ["q1"]}}, "has 1 item(s); a scale needs at least 2"),
        ({"scales": {"a": ["q1", "q1"]}}, "listed twice: q1"),
        ({"scales": {"a": {"items": ["q1", "q2"], "reverse": ["q9"]}}}, "not in its items: q9"),
        ({"scales": {"a": {"items": ["q1", "q2"], "reverse": ["q2"]}}}, "need answer_range"),
        ({"scales": {}}, "'scales' must map"),
        ({"scales": {"a": "q1"}}, "must be a list of column names"),
        ({"scales": {"a": ["q1", "q2"]}, "answer_range": {"min": 5, "max": 1}}, "min must be"),
        ({"scales": {"a": ["q1", "q2"]}, "extra": 1}, "unknown key(s) extra"),
        ([], "expected a mapping with 'scales'"),
    ],
)
def test_bad_mapping_is_refused(data: object, message: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        parse_mapping(data, source="m.yaml")
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert all(problem.startswith("m.yaml") for problem in caught.value.problems)


def test_unreadable_mapping_file(tmp_path: Path) -> None:
    broken = tmp_path / "m.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(AnalysisInputError, match="not valid JSON"):
        read_mapping(broken)
    with pytest.raises(AnalysisInputError, match="does not exist"):
        read_mapping(tmp_path / "absent.yaml")


def test_missing_column_named() -> None:
    mapping = parse_mapping({"scales": {"a": ["q1", "q2", "zz"]}})
    assert _problems(_frame(), mapping) == ["the mapping names column(s) not in the data: zz"]


def test_empty_data() -> None:
    problems = _problems(_frame().iloc[0:0], parse_mapping(MAPPING))
    assert "the data have no rows" in problems


def test_constant_item() -> None:
    frame = _frame().assign(q2=3)
    problems = _problems(frame, parse_mapping(MAPPING))
    assert problems == [
        "column q2: is constant (every answer is 3); a constant item carries no information"
    ]


def test_item_without_answers() -> None:
    frame = _frame().assign(q2=np.nan)
    assert _problems(frame, parse_mapping(MAPPING)) == ["column q2: has no answers"]


def test_non_numeric_values_named_with_rows() -> None:
    frame = _frame().astype({"q1": object})
    frame.loc[1, "q1"] = "x"
    frame.loc[3, "q1"] = "four"
    problems = _problems(frame, parse_mapping(MAPPING))
    assert problems == ["column q1: not a number in row(s) 1, 3 (found 'x', 'four')"]


def test_numbers_written_as_text_are_read() -> None:
    frame = _frame().astype({"q1": str})
    frame.loc[0, "q1"] = " "  # a blank cell is a missing answer
    data = prepare(frame, parse_mapping(MAPPING))
    assert np.isnan(data.items.loc[0, "q1"])
    assert data.items["q1"].iloc[1:].tolist() == [2, 3, 4]


def test_values_outside_the_answer_range() -> None:
    frame = _frame()
    frame.loc[2, "q4"] = 6
    frame.loc[0, "q1"] = 0
    problems = _problems(frame, parse_mapping(MAPPING))
    assert problems == [
        "column q1: value(s) outside the answer range 1–5 in row(s) 0",
        "column q4: value(s) outside the answer range 1–5 in row(s) 2",
    ]


def test_scale_with_one_item_built_directly() -> None:
    mapping = ScaleMapping((ScaleSpec("a", ("q1",)),))
    assert _problems(_frame(), mapping) == ["scale a: has 1 item(s); needs at least 2"]


def test_unknown_group_column_and_policy() -> None:
    problems = _problems(_frame(), parse_mapping(MAPPING), group="domain", missing="mean")
    assert "the group column 'domain' is not in the data" in problems
    assert "missing-data handling 'mean' is unknown (use listwise or pairwise)" in problems


def test_every_problem_at_once_and_input_untouched() -> None:
    frame = _frame().assign(q2=3)
    frame.loc[0, "q4"] = 9
    before = frame.copy()
    mapping = parse_mapping(MAPPING)
    problems = _problems(frame, mapping)
    assert len(problems) == 2
    pd.testing.assert_frame_equal(frame, before)


def test_listwise_and_pairwise_rows() -> None:
    frame = _frame()
    frame.loc[0, ["q1", "q2", "q3"]] = np.nan  # no answer to scale a at all
    mapping = parse_mapping(MAPPING)
    listwise = next(r for r in reliability(prepare(frame, mapping)) if r.scale == "a")
    pairwise = next(
        r for r in reliability(prepare(frame, mapping, missing="pairwise")) if r.scale == "a"
    )
    assert listwise.n == 2  # rows 2 and 3: row 1 misses q3
    assert pairwise.n == 3  # rows 1–3: row 0 answered nothing of a


def test_selected_rows_are_the_rows_of_the_selected_frame() -> None:
    """``rows`` gives what ``frame[rows]`` gives, problems named by the selected rows' labels."""
    mapping = parse_mapping(MAPPING)
    frame = pd.concat([_frame(), _frame().assign(q1=9.0)], ignore_index=True)
    frame["q1"] = frame["q1"].astype(np.float64)
    frame["group"] = ["g1", "g2"] * 4
    rows = np.array([True] * 4 + [False] * 4)
    chosen = prepare(frame, mapping, rows=rows, group="group", missing="pairwise")
    expected = prepare(frame[rows], mapping, group="group", missing="pairwise")
    pd.testing.assert_frame_equal(chosen.items, expected.items)
    assert chosen.groups is not None
    assert expected.groups is not None
    pd.testing.assert_series_equal(chosen.groups, expected.groups)
    assert [r.to_dict() for r in reliability(chosen)] == [
        r.to_dict() for r in reliability(expected)
    ]
    others = _problems(frame, mapping, rows=~rows)
    assert others == _problems(frame[~rows], mapping)
    assert any("value(s) outside the answer range 1–5 in row(s) 4, 5, 6, 7" in p for p in others)
    texts = frame.astype({"q2": object})
    texts.loc[5, "q2"] = "x"
    assert _problems(texts, mapping, rows=~rows) == [
        "column q2: not a number in row(s) 5 (found 'x')"
    ]
    assert _problems(frame, mapping, rows=np.zeros(8, dtype=bool)) == ["the data have no rows"]
    with pytest.raises(ValueError, match="boolean array"):
        prepare(frame, mapping, rows=[0, 1])
