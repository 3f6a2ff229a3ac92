"""Plain questionnaires: the file format, the registry, answers and scoring per scale."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.datafile import SHIPPED_DIR
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.loader import (
    InstrumentError,
    instrument_to_data,
    load_instrument,
    parse_instrument,
    validate_data,
)
from alliantiemonitor.core.questionnaire import (
    QuestionnaireAnswerError,
    clean_questionnaire_answers,
    respondent_of,
    score_questionnaire,
    score_questionnaire_frame,
)
from alliantiemonitor.core.registry import InstrumentRegistry, default_registry
from alliantiemonitor.core.scoring import score_answers
from tests.core.instrument_factory import minimal_instrument_data

SHIPPED_QUESTIONNAIRES = ("levensgebieden", "bruikbaarheid", "motivatie")


def questionnaire_data() -> dict[str, Any]:
    """A small valid plain questionnaire: two scales, one reverse-keyed item."""
    return {
        "id": "testlijst",
        "version": "1.0.0",
        "kind": "questionnaire",
        "respondent": "client",
        "title": {"nl": "Testlijst", "en": "Test list"},
        "languages": ["nl", "en"],
        "provenance": "own-wording",
        "scale": {
            "points": [
                {"value": v, "label": {"nl": f"punt {v}", "en": f"point {v}"}} for v in range(1, 6)
            ],
            "not_answered_label": {"nl": "Weet niet", "en": "Don't know"},
        },
        "characteristics": [
            {"key": "mood", "name": {"nl": "Stemming", "en": "Mood"}, "polarity": "positive"},
            {"key": "worry", "name": {"nl": "Zorgen", "en": "Worry"}, "polarity": "negative"},
        ],
        "items": [
            {"id": "q1", "characteristic": "mood", "text": {"nl": "Een", "en": "One"}},
            {
                "id": "q2",
                "characteristic": "mood",
                "reverse": True,
                "text": {"nl": "Twee", "en": "Two"},
            },
            {"id": "q3", "characteristic": "mood", "text": {"nl": "Drie", "en": "Three"}},
            {"id": "q4", "characteristic": "worry", "text": {"nl": "Vier", "en": "Four"}},
        ],
    }


def messages(data: dict[str, Any]) -> list[str]:
    return [f"{p.item}: {p.message}" for p in validate_data(data, source="q.yaml")]


# -- the file format --------------------------------------------------------------------------


def test_a_plain_questionnaire_is_valid_and_loads_with_one_respondent() -> None:
    assert messages(questionnaire_data()) == []
    questionnaire = parse_instrument(questionnaire_data(), source="q.yaml")
    assert questionnaire.is_questionnaire
    assert questionnaire.respondent == "client"
    assert [c.key for c in questionnaire.characteristics] == ["mood", "worry"]
    assert {i.rater for i in questionnaire.items} == {"client"}
    assert questionnaire.mirror_pairs() == ()
    assert questionnaire.item("q2").reverse


def test_the_respondent_defaults_to_the_client_and_may_be_the_professional() -> None:
    data = questionnaire_data()
    del data["respondent"]
    assert parse_instrument(data, source="q.yaml").respondent == "client"
    data["respondent"] = "professional"
    professional = parse_instrument(data, source="q.yaml")
    assert {i.rater for i in professional.items} == {"professional"}


def test_a_questionnaire_round_trips_through_plain_data() -> None:
    questionnaire = parse_instrument(questionnaire_data(), source="q.yaml")
    dumped = instrument_to_data(questionnaire)
    assert dumped["kind"] == "questionnaire"
    assert all("mirror" not in item and "rater" not in item for item in dumped["items"])
    assert parse_instrument(dumped, source="again") == questionnaire


def test_the_monitor_dump_has_no_kind_key() -> None:
    monitor = parse_instrument(minimal_instrument_data(), source="m.yaml")
    assert not monitor.is_questionnaire
    assert "kind" not in instrument_to_data(monitor)


def _with(**changes: Any) -> dict[str, Any]:
    data = questionnaire_data()
    data.update(changes)
    return data


def _item_with(index: int, **changes: Any) -> dict[str, Any]:
    data = questionnaire_data()
    data["items"][index].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_item_with(0, mirror="q2"), "q1: a plain questionnaire has no mirror pairs"),
        (_item_with(0, rater="client"), "q1: a plain questionnaire has one respondent"),
        (_item_with(0, characteristic="sleep"), "q1: unknown characteristic 'sleep'"),
        (_item_with(1, reverse="yes"), "q2: reverse must be true or false"),
        (_item_with(2, text={"nl": "Drie"}), "q3: text lacks the 'en' translation"),
        (_with(respondent="team"), "respondent must be client or professional; got 'team'"),
        (_with(kind="survey"), "kind must be one of monitor, questionnaire; got 'survey'"),
        (_with(items=[]), "items must be a non-empty list"),
    ],
)
def test_a_malformed_questionnaire_names_the_problem(data: dict[str, Any], expected: str) -> None:
    found = messages(data)
    assert any(expected in message for message in found), found


def test_a_scale_without_items_and_a_bad_scale_key_are_named() -> None:
    data = questionnaire_data()
    data["characteristics"].append(
        {"key": "Sleep Quality", "name": {"nl": "Slaap", "en": "Sleep"}, "polarity": "positive"}
    )
    data["characteristics"].append(
        {"key": "energy", "name": {"nl": "Energie", "en": "Energy"}, "polarity": "positive"}
    )
    found = messages(data)
    assert any("the key of a scale must start with a lower-case letter" in m for m in found)
    assert any("scale 'energy' has no items" in m for m in found)


def test_the_monitor_still_needs_its_four_characteristics_and_mirrors() -> None:
    data = minimal_instrument_data()
    data["respondent"] = "client"
    found = messages(data)
    assert any("'respondent' belongs to a plain questionnaire" in m for m in found)
    # A questionnaire does not need the four characteristics of the monitor.
    assert not any("characteristic 'trust' is missing" in m for m in messages(questionnaire_data()))


def test_loading_a_broken_questionnaire_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "lijst.yaml"
    data = _item_with(0, mirror="q2")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert "lijst.yaml" in str(caught.value)
    assert "no mirror pairs" in str(caught.value)


# -- the registry ---------------------------------------------------------------------------


def test_the_registry_keeps_questionnaires_apart_from_the_monitor() -> None:
    monitor = parse_instrument(minimal_instrument_data(), source="m.yaml")
    questionnaire = parse_instrument(questionnaire_data(), source="q.yaml")
    registry = InstrumentRegistry([monitor, questionnaire])
    assert registry.ids() == [monitor.id]
    assert registry.ids(kind="questionnaire") == ["testlijst"]
    assert registry.ids(kind=None) == sorted([monitor.id, "testlijst"])
    assert [i.ref for i in registry.all()] == [monitor.ref]
    assert registry.latest(kind="questionnaire") == [questionnaire]
    assert registry.get("testlijst", kind="questionnaire") is questionnaire
    assert "testlijst" not in registry  # a round can never pin a questionnaire
    with pytest.raises(KeyError, match="unknown instrument 'testlijst'"):
        registry.get("testlijst")
    with pytest.raises(KeyError, match="unknown questionnaire"):
        registry.get(monitor.id, kind="questionnaire")


@pytest.mark.parametrize("name", SHIPPED_QUESTIONNAIRES)
def test_the_shipped_questionnaires_are_valid_and_short(name: str) -> None:
    questionnaire = load_instrument(SHIPPED_DIR / f"{name}.yaml")
    assert questionnaire.is_questionnaire
    assert questionnaire.provenance == "own-wording"
    assert 5 <= len(questionnaire.items) <= 8
    for item in questionnaire.items:
        assert set(item.text) == {"nl", "en"}
    assert default_registry().get(name, kind="questionnaire") == questionnaire
    assert name not in default_registry().ids()


# -- answers and scores -----------------------------------------------------------------------


@pytest.fixture
def questionnaire() -> Instrument:
    return parse_instrument(questionnaire_data(), source="q.yaml")


def test_scores_per_scale_with_reverse_keying(questionnaire: Instrument) -> None:
    # mood: 5, 6 - 1 = 5, 2 -> 4.0; worry: 2
    assert score_questionnaire(questionnaire, {"q1": 5, "q2": 1, "q3": 2, "q4": 2}) == {
        "mood": 4.0,
        "worry": 2.0,
    }
    # Two of three mood items answered is enough; none of worry is not.
    assert score_questionnaire(questionnaire, {"q1": 4, "q2": 2}) == {"mood": 4.0, "worry": None}
    assert score_questionnaire(questionnaire, {"q1": 4}) == {"mood": None, "worry": None}


def test_clean_answers_accepts_form_text_and_lists_every_problem(
    questionnaire: Instrument,
) -> None:
    assert clean_questionnaire_answers(questionnaire, {"q1": "5", "q2": "", "q4": 3}) == {
        "q1": 5,
        "q2": None,
        "q3": None,
        "q4": 3,
    }
    with pytest.raises(QuestionnaireAnswerError) as caught:
        clean_questionnaire_answers(questionnaire, {"q1": "6", "q9": 1, "q3": "x"})
    assert [(p.item, p.message) for p in caught.value.problems] == [
        ("q9", "testlijst@1.0.0 has no item with this id"),
        ("q1", "'6' is not an answer on the scale 1–5"),
        ("q3", "'x' is not an answer on the scale 1–5"),
    ]


def test_the_monitor_is_not_a_questionnaire() -> None:
    monitor = parse_instrument(minimal_instrument_data(), source="m.yaml")
    with pytest.raises(ValueError, match="not a plain questionnaire"):
        respondent_of(monitor)


answer = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({f"q{i}": answer for i in range(1, 5)}), min_size=1))
def test_one_response_and_a_frame_give_the_same_scores(rows: list[dict[str, Any]]) -> None:
    questionnaire = parse_instrument(questionnaire_data(), source="q.yaml")
    frame = score_questionnaire_frame(questionnaire, pd.DataFrame(rows, dtype=object))
    for position, row in enumerate(rows):
        one = score_questionnaire(questionnaire, row)
        assert one == score_answers(questionnaire, row, "client")
        for key, value in one.items():
            cell = frame.iloc[position][key]
            assert (value is None and math.isnan(cell)) or value == pytest.approx(cell)


@settings(max_examples=60, deadline=None)
@given(value=st.integers(min_value=1, max_value=5), reverse=st.booleans())
def test_a_reverse_keyed_item_mirrors_the_answer(value: int, reverse: bool) -> None:
    data = copy.deepcopy(questionnaire_data())
    data["items"] = [
        {"id": "only", "characteristic": "mood", "reverse": reverse, "text": {"nl": "A", "en": "A"}}
    ]
    data["characteristics"] = data["characteristics"][:1]
    single = parse_instrument(data, source="q.yaml")
    expected = 6 - value if reverse else value
    assert score_questionnaire(single, {"only": value}) == {"mood": float(expected)}
    assert np.isclose(
        score_questionnaire_frame(single, pd.DataFrame({"only": [value]}))["mood"].iloc[0],
        expected,
    )
