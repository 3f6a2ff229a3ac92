"""Client languages: a translation of only what a client reads, marked as unvalidated."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alliantiemonitor.core.loader import instrument_to_data, parse_instrument, validate_data
from alliantiemonitor.core.registry import default_registry
from tests.core.instrument_factory import minimal_instrument_data

Data = dict[str, Any]


def _with_turkish_client_side() -> Data:
    """The minimal instrument with Turkish for the title, the scale and every client item."""
    data = minimal_instrument_data()
    data["client_languages"] = ["tr"]
    data["unvalidated_translations"] = ["tr"]
    data["title"]["tr"] = "Test ölçeği"
    for point in data["scale"]["points"]:
        point["label"]["tr"] = f"Nokta {point['value']}"
    data["scale"]["not_answered_label"]["tr"] = "Bilmiyorum"
    for characteristic in data["characteristics"]:
        characteristic["name"]["tr"] = f"Özellik {characteristic['key']}"
    for item in data["items"]:
        if item["rater"] == "client":
            item["text"]["tr"] = f"Test cümlesi {item['id']}."
    return data


def _messages(data: Data) -> list[str]:
    return [f"{p.item}: {p.message}" for p in validate_data(data, source="test.yaml")]


def test_a_client_language_needs_only_what_the_client_reads() -> None:
    data = _with_turkish_client_side()

    assert _messages(data) == []
    instrument = parse_instrument(data, source="test.yaml")
    assert instrument.languages == ("nl", "en")
    assert instrument.client_language_choices == ("nl", "en", "tr")
    assert instrument.unvalidated_translations == ("tr",)


@pytest.mark.parametrize(
    ("remove", "expected"),
    [
        (lambda d: d["title"].pop("tr"), "None: title lacks the 'tr' translation"),
        (
            lambda d: d["characteristics"][1]["name"].pop("tr"),
            "None: characteristic 'trust': name lacks the 'tr' translation",
        ),
        (
            lambda d: d["scale"]["points"][2]["label"].pop("tr"),
            "None: scale point 3 label lacks the 'tr' translation",
        ),
        (
            lambda d: d["scale"]["not_answered_label"].pop("tr"),
            "None: scale not_answered_label lacks the 'tr' translation",
        ),
        (
            lambda d: next(i for i in d["items"] if i["id"] == "c_bond_2")["text"].pop("tr"),
            "c_bond_2: text lacks the 'tr' translation",
        ),
    ],
)
def test_a_partial_client_language_is_refused_by_name(remove: Any, expected: str) -> None:
    data = _with_turkish_client_side()
    remove(data)

    messages = _messages(data)

    assert len(messages) == 1, messages
    assert messages[0].startswith(expected)
    assert "every text a client reads needs it" in messages[0]


def test_an_easy_text_of_a_client_item_needs_the_client_language() -> None:
    data = _with_turkish_client_side()
    item = next(i for i in data["items"] if i["id"] == "c_trust_1")
    item["easy_text"] = {"nl": "Kort.", "en": "Short."}

    assert _messages(data) == [
        "c_trust_1: easy_text lacks the 'tr' translation; 'tr' is in client_languages, "
        "so every text a client reads needs it"
    ]


def test_the_professional_side_may_stay_without_the_client_language() -> None:
    data = _with_turkish_client_side()
    professional = next(i for i in data["items"] if i["rater"] == "professional")

    assert "tr" not in professional["text"]
    assert _messages(data) == []
    professional["text"]["tr"] = "Profesyonel için bir cümle."
    assert _messages(data) == []


def test_a_questionnaire_for_the_client_needs_the_client_language_on_every_item() -> None:
    data = _with_turkish_client_side()
    data["kind"] = "questionnaire"
    for item in data["items"]:
        item.pop("rater")
        item.pop("mirror")
    p_item = next(i for i in data["items"] if i["id"] == "p_bond_1")

    messages = _messages(data)

    assert p_item["id"] in {m.split(":")[0] for m in messages}


def test_client_and_unvalidated_language_lists_are_checked() -> None:
    data = _with_turkish_client_side()
    data["client_languages"] = ["tr", "en", "tr"]
    data["unvalidated_translations"] = ["ar", "Turks"]

    messages = _messages(data)

    assert "None: client_languages: 'tr' is listed twice" in messages
    assert "None: client_languages: 'en' is already in languages; list it once" in messages
    assert (
        "None: unvalidated_translations: 'ar' is not in languages or client_languages "
        "(nl, en, tr)" in messages
    )
    assert any("'Turks' is not a language code" in m for m in messages)


def test_client_languages_round_trip_and_stay_out_of_older_dumps() -> None:
    instrument = parse_instrument(_with_turkish_client_side(), source="a.yaml")
    data = instrument_to_data(instrument)

    assert parse_instrument(json.loads(json.dumps(data)), source="b.yaml") == instrument
    plain = instrument_to_data(parse_instrument(minimal_instrument_data(), source="c.yaml"))
    assert "client_languages" not in plain
    assert "unvalidated_translations" not in plain


@pytest.mark.parametrize("variant", ["kort", "eenvoudig"])
def test_shipped_short_and_easy_variants_speak_five_languages(variant: str) -> None:
    instrument = default_registry().get(variant)

    assert instrument.client_language_choices == ("nl", "en", "tr", "ar", "pl")
    assert instrument.unvalidated_translations == ("tr", "ar", "pl")
    # Adding languages changed no stored wording: the rounds that pin 1.0.0 read it as before.
    assert instrument.version == "1.0.0"
    for item in instrument.items_for("client"):
        for language in ("tr", "ar", "pl"):
            assert item.text[language].strip()
            if instrument.easy_read:
                assert item.easy_text is not None
                assert item.easy_text[language].strip()
