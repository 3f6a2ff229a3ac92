"""Loading and validating instrument definitions."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alliantiemonitor.core.datafile import SHIPPED_DIR
from alliantiemonitor.core.domains import default_domains
from alliantiemonitor.core.instrument import PLACEHOLDER_RE
from alliantiemonitor.core.loader import (
    REQUIRED_KEYS,
    InstrumentError,
    Problem,
    instrument_to_data,
    load_instrument,
    parse_instrument,
    validate_data,
    validate_file,
    version_key,
)
from tests.core.instrument_factory import minimal_instrument_data, write_instrument

Data = dict[str, Any]


def _item(data: Data, item_id: str) -> Data:
    return next(i for i in data["items"] if i["id"] == item_id)


def _characteristic(data: Data, key: str) -> Data:
    return next(c for c in data["characteristics"] if c["key"] == key)


def problems_after(mutate: Callable[[Data], object]) -> list[Problem]:
    data = minimal_instrument_data()
    mutate(data)
    return validate_data(data, source="test.yaml")


def assert_problem(problems: list[Problem], item: str | None, fragment: str) -> None:
    matching = [p for p in problems if p.item == item and fragment in p.message]
    assert matching, f"no problem for item {item!r} containing {fragment!r} in:\n" + "\n".join(
        str(p) for p in problems
    )


# -- a valid instrument ---------------------------------------------------------------------


def test_minimal_instrument_is_valid() -> None:
    assert validate_data(minimal_instrument_data(), source="test.yaml") == []


def test_load_instrument_from_yaml(tmp_path: Path) -> None:
    data = minimal_instrument_data()
    _characteristic(data, "trust")["reference"] = {
        "client": {"sd": 0.6, "reliability": 0.8},
        "professional": {"sd": 0.5, "reliability": 0.85},
    }
    path = write_instrument(tmp_path, data)

    instrument = load_instrument(path)

    assert instrument.ref == "testmonitor@1.0.0"
    assert instrument.source == str(path)
    assert instrument.languages == ("nl", "en")
    assert instrument.scale.values == (1, 2, 3, 4, 5)
    assert instrument.scale.reverse(2) == 4
    assert [c.key for c in instrument.characteristics] == ["direction", "trust", "bond", "friction"]
    assert instrument.characteristic("friction").polarity == "negative"
    assert instrument.characteristic("trust").reference["client"].sd == 0.6
    assert instrument.characteristic("trust").reference["professional"].reliability == 0.85
    assert instrument.characteristic("direction").reference == {}
    assert len(instrument.items_for("client")) == 8
    assert len(instrument.items_for("professional")) == 8
    assert instrument.item("c_trust_2").reverse is True
    assert instrument.item("c_trust_1").reverse is False
    assert instrument.item("c_direction_1").mirror == "p_direction_1"
    assert len(instrument.mirror_pairs()) == 8
    assert (
        instrument.item("c_direction_1").display_text("en", {"professional": "debt counsellor"})
        == "My debt counsellor explains what is expected of me."
    )
    assert instrument.presentation == "statements"
    assert instrument.easy_read is False


def test_load_instrument_from_json(tmp_path: Path) -> None:
    path = tmp_path / "monitor.json"
    path.write_text(json.dumps(minimal_instrument_data()), encoding="utf-8")
    assert load_instrument(path).ref == "testmonitor@1.0.0"


def test_scale_points_are_sorted_by_value() -> None:
    data = minimal_instrument_data()
    data["scale"]["points"].reverse()
    instrument = parse_instrument(data, source="test.yaml")
    assert instrument.scale.values == (1, 2, 3, 4, 5)


def test_instrument_to_data_round_trips() -> None:
    data = minimal_instrument_data()
    data["easy_read"] = True
    data["presentation"] = "one_per_screen"
    for item in data["items"]:
        item["easy_text"] = {"nl": "Kort.", "en": "Short."}
        item["pictogram"] = "handshake"
    _characteristic(data, "bond")["reference"] = {"client": {"sd": 0.7, "reliability": 0.9}}
    instrument = parse_instrument(data, source="a.yaml")

    again = parse_instrument(
        json.loads(json.dumps(instrument_to_data(instrument))), source="b.yaml"
    )

    assert again == instrument


def test_problem_str_names_file_item_and_message() -> None:
    assert (
        str(Problem("standaard.yaml", "c_trust_3", "mirror 'p_trust_9' does not exist"))
        == "standaard.yaml: item c_trust_3: mirror 'p_trust_9' does not exist"
    )
    assert str(Problem("standaard.yaml", None, "the file is empty")) == (
        "standaard.yaml: the file is empty"
    )


def test_parse_raises_with_all_problems() -> None:
    data = minimal_instrument_data()
    data["provenance"] = "official"
    _item(data, "c_bond_1")["rater"] = "teamlead"
    _item(data, "p_friction_2")["text"].pop("en")

    with pytest.raises(InstrumentError) as caught:
        parse_instrument(data, source="x.yaml")

    problems = caught.value.problems
    assert_problem(problems, None, "provenance must be one of")
    assert_problem(problems, "c_bond_1", "rater must be client or professional")
    assert_problem(problems, "p_friction_2", "text lacks the 'en' translation")
    assert "x.yaml: item p_friction_2: text lacks the 'en' translation" in str(caught.value)


def test_custom_placeholders_replace_the_default() -> None:
    data = minimal_instrument_data()
    assert validate_data(data, source="t", placeholders={"worker"}) != []
    _item(data, "c_direction_1")["text"] = {"nl": "Mijn {worker} …", "en": "My {worker} …"}
    assert validate_data(data, source="t", placeholders={"worker"}) == []


def test_version_key_compares_numerically() -> None:
    versions = ["1.10.0", "1.9.2", "2.0", "1.0.0", "1.2"]
    assert sorted(versions, key=version_key) == ["1.0.0", "1.2", "1.9.2", "1.10.0", "2.0"]
    assert version_key("1.0") == version_key("1.0.0")


# -- one problem per validation rule --------------------------------------------------------


def _set(path: str, value: object) -> Callable[[Data], None]:
    """Mutation that sets a top-level key, or a key of the item ``item_id.key``."""

    def mutate(data: Data) -> None:
        if "." in path:
            item_id, key = path.split(".")
            _item(data, item_id)[key] = value
        else:
            data[path] = value

    return mutate


def _del_item(*item_ids: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        data["items"] = [i for i in data["items"] if i["id"] not in item_ids]

    return mutate


def _mirror(**pairs: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        for item_id, mirror in pairs.items():
            _item(data, item_id)["mirror"] = mirror

    return mutate


def _point(index: int, **changes: object) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        point = data["scale"]["points"][index]
        for key, value in changes.items():
            if value is None:
                point.pop(key)
            else:
                point[key] = value

    return mutate


def _char(which: str, /, **changes: object) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        _characteristic(data, which).update(changes)

    return mutate


def _reference(**values: object) -> Callable[[Data], None]:
    return _char("trust", reference={"client": {"sd": 0.6, "reliability": 0.8} | values})


def _drop_characteristic(key: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        data["characteristics"] = [c for c in data["characteristics"] if c["key"] != key]

    return mutate


def _duplicate_characteristic(data: Data) -> None:
    data["characteristics"].append(copy.deepcopy(_characteristic(data, "trust")))


def _duplicate_item_id(data: Data) -> None:
    _item(data, "c_direction_2")["id"] = "c_direction_1"


def _same_rater_mirror(data: Data) -> None:
    _item(data, "c_direction_1")["mirror"] = "c_direction_2"
    _item(data, "c_direction_2")["mirror"] = "c_direction_1"


def _other_characteristic_mirror(data: Data) -> None:
    _item(data, "c_direction_1")["mirror"] = "p_trust_1"
    _item(data, "p_trust_1")["mirror"] = "c_direction_1"


def _pop_text(item_id: str, field: str, language: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        _item(data, item_id)[field].pop(language)

    return mutate


def _no_label_language(data: Data) -> None:
    data["scale"]["points"][0]["label"].pop("en")


def _undeclared_language(data: Data) -> None:
    _item(data, "p_bond_1")["text"]["de"] = "Ich …"


def _easy_read_without_easy_text(data: Data) -> None:
    data["easy_read"] = True
    for item in data["items"]:
        item["easy_text"] = {"nl": "Kort.", "en": "Short."}
    del _item(data, "c_bond_2")["easy_text"]


def _drop_not_answered(data: Data) -> None:
    del data["scale"]["not_answered_label"]


BAD_TEXT = {"nl": "Mijn {begeleider} luistert.", "en": "My {begeleider} listens."}

CASES: list[tuple[str, Callable[[Data], object], str | None, str]] = [
    # top level
    (
        "top level unknown key",
        _set("titel", "x"),
        None,
        "unknown key 'titel' (did you mean 'title'?)",
    ),
    ("id with capitals", _set("id", "Standaard"), None, "id must start with a lower-case letter"),
    ("id not text", _set("id", 7), None, "id must start with a lower-case letter"),
    ("version as number", _set("version", 1.0), None, "in quotes; got the number 1.0"),
    ("version not dotted numbers", _set("version", "v1"), None, "numbers separated by dots"),
    ("title not translated", _set("title", "Monitor"), None, "title must be a mapping"),
    ("languages not a list", _set("languages", "nl"), None, "languages must be a non-empty list"),
    ("language listed twice", _set("languages", ["nl", "en", "nl"]), None, "'nl' is listed twice"),
    ("language code invalid", _set("languages", ["nl", "English"]), None, "'English' is not a"),
    ("unknown provenance", _set("provenance", "official"), None, "provenance must be one of"),
    ("unknown presentation", _set("presentation", "cards"), None, "presentation must be one of"),
    ("easy_read not bool", _set("easy_read", "ja"), None, "easy_read must be true or false"),
    ("items not a list", _set("items", {}), None, "items must be a non-empty list"),
    # scale
    (
        "scale without points",
        _set("scale", {"points": [], "not_answered_label": {"nl": "x", "en": "y"}}),
        None,
        "scale has no points",
    ),
    ("scale not a mapping", _set("scale", [1, 2, 3]), None, "scale must be a mapping"),
    (
        "scale value not integer",
        _point(2, value=2.5),
        None,
        "scale point 3: value must be a whole number",
    ),
    ("scale value bool", _point(0, value=True), None, "value must be a whole number"),
    (
        "scale values not consecutive",
        _point(4, value=7),
        None,
        "consecutive whole numbers; got 1, 2, 3, 4, 7",
    ),
    ("scale value duplicate", _point(4, value=4), None, "scale value 4 appears more than once"),
    ("scale point without label", _point(0, label=None), None, "scale point 1: missing label"),
    (
        "scale label missing language",
        _no_label_language,
        None,
        "scale point 1 label lacks the 'en' translation",
    ),
    (
        "scale without not_answered_label",
        _drop_not_answered,
        None,
        "missing required key 'not_answered_label'",
    ),
    # characteristics
    (
        "unknown characteristic key",
        _char("bond", key="hope"),
        None,
        "unknown characteristic 'hope'",
    ),
    (
        "characteristic missing",
        _drop_characteristic("friction"),
        None,
        "characteristic 'friction' is missing",
    ),
    (
        "characteristic duplicate",
        _duplicate_characteristic,
        None,
        "characteristic 'trust' is declared more than once",
    ),
    (
        "characteristic unknown field",
        _char("bond", polarty="positive"),
        None,
        "did you mean 'polarity'?",
    ),
    (
        "characteristic without name",
        lambda d: _characteristic(d, "bond").pop("name"),
        None,
        "characteristic 'bond': missing required key 'name'",
    ),
    (
        "polarity not allowed",
        _char("bond", polarity="up"),
        None,
        "polarity must be positive or negative; got 'up'",
    ),
    (
        "friction positive",
        _char("friction", polarity="positive"),
        None,
        "characteristic 'friction': polarity must be negative",
    ),
    (
        "trust negative",
        _char("trust", polarity="negative"),
        None,
        "characteristic 'trust': polarity must be positive",
    ),
    ("reference sd zero", _reference(sd=0), None, "reference client: sd must be a number above 0"),
    ("reference sd negative", _reference(sd=-0.5), None, "sd must be a number above 0"),
    (
        "reliability one",
        _reference(reliability=1.0),
        None,
        "reliability must be a number between 0 and 1",
    ),
    (
        "reliability zero",
        _reference(reliability=0),
        None,
        "reliability must be a number between 0 and 1",
    ),
    ("reliability text", _reference(reliability="high"), None, "reliability must be a number"),
    (
        "reference unknown rater",
        _char("trust", reference={"teamlead": {"sd": 1, "reliability": 0.8}}),
        None,
        "reference for unknown rater 'teamlead'",
    ),
    # items
    ("duplicate item id", _duplicate_item_id, "c_direction_1", "used by more than one item"),
    (
        "item unknown field",
        _set("c_trust_1.revers", True),
        "c_trust_1",
        "unknown key 'revers' (did you mean 'reverse'?)",
    ),
    (
        "item unknown characteristic",
        _set("c_bond_1.characteristic", "hope"),
        "c_bond_1",
        "unknown characteristic 'hope'",
    ),
    (
        "item characteristic not text",
        _set("c_bond_1.characteristic", ["bond"]),
        "c_bond_1",
        "characteristic must be the key of a characteristic",
    ),
    (
        "empty title",
        _set("title", {}),
        None,
        "title is empty",
    ),
    (
        "item bad rater",
        _set("c_bond_1.rater", "cliënt"),
        "c_bond_1",
        "rater must be client or professional; got 'cliënt'",
    ),
    (
        "item without mirror",
        lambda d: _item(d, "c_bond_1").pop("mirror"),
        "c_bond_1",
        "missing required key 'mirror'",
    ),
    (
        "item without text",
        lambda d: _item(d, "c_bond_1").pop("text"),
        "c_bond_1",
        "missing required key 'text'",
    ),
    (
        "mirror does not exist",
        _mirror(c_trust_1="p_trust_9"),
        "c_trust_1",
        "mirror 'p_trust_9' does not exist",
    ),
    (
        "mirror is the item itself",
        _mirror(c_trust_1="c_trust_1"),
        "c_trust_1",
        "mirror points to the item itself",
    ),
    (
        "mirror of the same rater",
        _same_rater_mirror,
        "c_direction_1",
        "mirror 'c_direction_2' is also a client item",
    ),
    (
        "mirror of another characteristic",
        _other_characteristic_mirror,
        "c_direction_1",
        "mirror 'p_trust_1' belongs to characteristic 'trust', not 'direction'",
    ),
    (
        "mirror not pointing back",
        _mirror(p_direction_1="c_direction_2"),
        "c_direction_1",
        "mirror 'p_direction_1' does not point back (its mirror is 'c_direction_2')",
    ),
    (
        "reverse not bool",
        _set("c_trust_1.reverse", "yes"),
        "c_trust_1",
        "reverse must be true or false",
    ),
    (
        "text missing a language",
        _pop_text("p_bond_1", "text", "en"),
        "p_bond_1",
        "text lacks the 'en' translation",
    ),
    (
        "text empty",
        _set("p_bond_1.text", {"nl": "", "en": "x"}),
        "p_bond_1",
        "text (nl) must be non-empty text",
    ),
    (
        "text undeclared language",
        _undeclared_language,
        "p_bond_1",
        "has language 'de', which is not in languages",
    ),
    (
        "text not translated",
        _set("p_bond_1.text", "Ik luister."),
        "p_bond_1",
        "text must be a mapping",
    ),
    (
        "easy_text missing a language",
        _set("p_bond_1.easy_text", {"nl": "Kort."}),
        "p_bond_1",
        "easy_text lacks the 'en' translation",
    ),
    (
        "easy_text required for easy-read",
        _easy_read_without_easy_text,
        "c_bond_2",
        "easy_text is required",
    ),
    (
        "unknown placeholder",
        _set("c_bond_1.text", BAD_TEXT),
        "c_bond_1",
        "text (nl) uses unknown placeholder '{begeleider}'",
    ),
    (
        "unknown placeholder in easy_text",
        _set("c_bond_1.easy_text", BAD_TEXT),
        "c_bond_1",
        "easy_text (en) uses unknown placeholder",
    ),
    (
        "stray brace",
        _set("c_bond_1.text", {"nl": "Mijn {Professional} x", "en": "My {professional x"}),
        "c_bond_1",
        "brace that is not part of a placeholder",
    ),
    (
        "fewer than two items per rater",
        _del_item("c_bond_2", "p_bond_2"),
        None,
        "characteristic 'bond' has 1 client item(s)",
    ),
    (
        "no items of a rater",
        _del_item("p_friction_1", "p_friction_2", "c_friction_1", "c_friction_2"),
        None,
        "characteristic 'friction' has 0 professional item(s)",
    ),
    ("item not a mapping", lambda d: d["items"].append("c_extra"), "#17", "must be a mapping"),
    ("item id invalid", _set("c_bond_1.id", "c bond 1"), "#9", "id must be letters, digits"),
]


@pytest.mark.parametrize(
    ("mutate", "item", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_validation_reports(
    mutate: Callable[[Data], object], item: str | None, fragment: str
) -> None:
    assert_problem(problems_after(mutate), item, fragment)


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_missing_required_key(key: str) -> None:
    problems = problems_after(lambda d: d.pop(key))
    assert_problem(problems, None, f"missing required key '{key}'")


def test_all_problems_are_collected_in_file_order() -> None:
    def mutate(data: Data) -> None:
        data["version"] = "x"
        _item(data, "c_direction_1")["reverse"] = "no"
        _item(data, "p_friction_2")["rater"] = "boss"

    problems = problems_after(mutate)

    assert [(p.item, p.message.split(";")[0]) for p in problems][:3] == [
        (None, 'version must be numbers separated by dots, like "1.0.0"'),
        ("c_direction_1", "reverse must be true or false"),
        ("p_friction_2", "rater must be client or professional"),
    ]
    # p_friction_2 no longer counts as a professional item, so friction has too few.
    assert_problem(problems, None, "characteristic 'friction' has 1 professional item(s)")


def test_top_level_not_a_mapping() -> None:
    problems = validate_data(["id", "version"], source="list.yaml")
    assert problems == [
        Problem(
            "list.yaml",
            None,
            "the top level must be a mapping with keys such as id, version and items; got a list",
        )
    ]


# -- reading files --------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", 'id: x\nversion: "1.0"\ntitle: {nl: [unclosed\n')
    (problem,) = validate_file(path)
    assert problem.file == str(path)
    assert problem.message.startswith("line 4, column 1: not valid YAML")


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.json", '{\n  "id": "x",\n  "version": \n}\n')
    (problem,) = validate_file(path)
    assert problem.message.startswith("line 4, column 1: not valid JSON")


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "twice.yaml", "id: a\nversion: '1'\nid: b\n")
    (problem,) = validate_file(path)
    assert "line 3" in problem.message
    assert "the key 'id' appears twice" in problem.message


def test_duplicate_json_key_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "twice.json", '{"id": "a", "id": "b"}')
    (problem,) = validate_file(path)
    assert "the key 'id' appears twice" in problem.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        (b"id: caf\xe9\n", "the file is not UTF-8 text"),
        ("- one\n- two\n", "the top level must be a mapping"),
        ("just text\n", "the top level must be a mapping with keys such as id, version and items"),
    ],
)
def test_unusable_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = _write(tmp_path, "x.yaml", content)
    (problem,) = validate_file(path)
    assert message in problem.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument(tmp_path / "nope.yaml")
    assert [p.message for p in caught.value.problems] == ["the file does not exist"]


def test_load_invalid_file_raises_with_file_name(tmp_path: Path) -> None:
    data = minimal_instrument_data()
    _item(data, "c_trust_1")["mirror"] = "p_trust_9"
    path = write_instrument(tmp_path, data, name="standaard.yaml")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert f"{path}: item c_trust_1: mirror 'p_trust_9' does not exist" in [
        str(p) for p in caught.value.problems
    ]


# -- the shipped instruments ----------------------------------------------------------------

SHIPPED = ["standaard", "kort", "eenvoudig"]


def _shipped_path(name: str) -> Path:
    path = SHIPPED_DIR / f"{name}.yaml"
    if not path.exists():
        pytest.skip(f"{path.name} is not in {SHIPPED_DIR} yet")
    return path


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instrument_is_valid(name: str) -> None:
    path = _shipped_path(name)
    assert [str(p) for p in validate_file(path)] == []
    instrument = load_instrument(path)
    assert instrument.id == name
    assert instrument.provenance == "own-wording"
    assert set(instrument.languages) >= {"nl", "en"}
    assert instrument.scale.values == (1, 2, 3, 4, 5)
    if name == "standaard":
        # Easy-read variants may avoid reverse-keyed statements; the standard one has them.
        assert any(item.reverse for item in instrument.items)
    assert len(instrument.mirror_pairs()) == len(instrument.items_for("professional"))


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instrument_fills_in_for_every_domain(name: str) -> None:
    instrument = load_instrument(_shipped_path(name))
    catalogue = default_domains()
    for domain in catalogue.domains:
        for language in instrument.languages:
            vocabulary = catalogue.vocabulary(domain, language)
            for item in instrument.items:
                for easy in (False, True):
                    text = item.display_text(language, vocabulary, easy_read=easy)
                    assert not PLACEHOLDER_RE.search(text), (domain, language, item.id, text)


def test_the_professional_gets_their_own_not_answered_label() -> None:
    data = minimal_instrument_data()
    data["scale"]["not_answered_label_professional"] = {
        "nl": "Kan ik niet beoordelen",
        "en": "Cannot judge",
    }
    instrument = parse_instrument(data, source="a.yaml")
    scale = instrument.scale
    assert scale.not_answered_label_for("professional") == {
        "nl": "Kan ik niet beoordelen",
        "en": "Cannot judge",
    }
    assert scale.not_answered_label_for("client") == scale.not_answered_label
    again = parse_instrument(json.loads(json.dumps(instrument_to_data(instrument))), source="b")
    assert again == instrument


def test_without_a_professional_label_both_use_the_one_label() -> None:
    instrument = parse_instrument(minimal_instrument_data(), source="a.yaml")
    assert instrument.scale.not_answered_label_for("professional") == (
        instrument.scale.not_answered_label
    )
    assert "not_answered_label_professional" not in instrument_to_data(instrument)["scale"]


def test_the_professional_label_needs_every_language() -> None:
    data = minimal_instrument_data()
    data["scale"]["not_answered_label_professional"] = {"nl": "Kan ik niet beoordelen"}
    assert_problem(validate_data(data, source="a.yaml"), None, "not_answered_label_professional")


def test_shipped_instruments_give_the_professional_their_own_label() -> None:
    from alliantiemonitor.core.registry import default_registry

    registry = default_registry()
    for instrument_id in ("standaard", "kort", "eenvoudig"):
        scale = registry.get(instrument_id).scale
        label = scale.not_answered_label_for("professional")
        assert label != scale.not_answered_label
        assert "liever niet" not in label["nl"]
