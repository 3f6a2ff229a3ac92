"""The domain vocabulary that fills item placeholders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from alliantiemonitor.core.domains import (
    default_domains,
    load_domains,
    parse_domains,
    shipped_domains_path,
    validate_domains_data,
    validate_domains_file,
)
from alliantiemonitor.core.loader import InstrumentError


def _data() -> dict[str, Any]:
    return {
        "placeholders": ["professional", "trajectory"],
        "domains": {
            "reclassering": {
                "name": {"nl": "Reclassering", "en": "Probation"},
                "vocabulary": {
                    "nl": {"professional": "reclasseringswerker", "trajectory": "toezicht"},
                    "en": {"professional": "probation officer", "trajectory": "supervision"},
                },
            },
            "schuldhulpverlening": {
                "name": {"nl": "Schuldhulpverlening", "en": "Debt counselling"},
                "description": {"nl": "Hulp bij schulden."},
                "vocabulary": {
                    "nl": {"professional": "schuldhulpverlener", "trajectory": "traject"},
                    "en": {"professional": "debt counsellor", "trajectory": "programme"},
                },
            },
        },
    }


def test_parse_valid_catalogue() -> None:
    catalogue = parse_domains(_data(), source="domains.yaml")
    assert catalogue.placeholders == frozenset({"professional", "trajectory"})
    assert catalogue.domains == ("reclassering", "schuldhulpverlening")
    assert catalogue.languages == ("en", "nl")
    assert catalogue.name("reclassering", "en") == "Probation"
    assert catalogue.vocabulary("schuldhulpverlening", "nl") == {
        "professional": "schuldhulpverlener",
        "trajectory": "traject",
    }
    assert catalogue.description("schuldhulpverlening", "en") == "Hulp bij schulden."
    assert catalogue.description("reclassering", "nl") == ""


def test_missing_language_falls_back_to_dutch() -> None:
    catalogue = parse_domains(_data(), source="domains.yaml")
    assert catalogue.name("reclassering", "fr") == "Reclassering"
    assert catalogue.vocabulary("reclassering", "fr")["professional"] == "reclasseringswerker"


def test_unknown_domain_raises_key_error() -> None:
    catalogue = parse_domains(_data(), source="domains.yaml")
    with pytest.raises(KeyError, match="unknown domain 'zorg'"):
        catalogue.vocabulary("zorg", "nl")
    with pytest.raises(KeyError):
        catalogue.name("zorg", "nl")


def _without_trajectory_word(data: dict[str, Any]) -> None:
    del data["domains"]["reclassering"]["vocabulary"]["en"]["trajectory"]


def _without_english(data: dict[str, Any]) -> None:
    del data["domains"]["schuldhulpverlening"]["vocabulary"]["en"]


def _extra_word(data: dict[str, Any]) -> None:
    data["domains"]["reclassering"]["vocabulary"]["nl"]["judge"] = "rechter"


def _name_without_english(data: dict[str, Any]) -> None:
    del data["domains"]["reclassering"]["name"]["en"]


def _placeholder_twice(data: dict[str, Any]) -> None:
    data["placeholders"].append("professional")


def _bad_placeholder(data: dict[str, Any]) -> None:
    data["placeholders"].append("Role Noun")


def _unknown_domain_key(data: dict[str, Any]) -> None:
    data["domains"]["reclassering"]["words"] = {}


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (
            _without_trajectory_word,
            "domain 'reclassering': vocabulary (en) lacks the placeholder 'trajectory'",
        ),
        (_without_english, "domain 'schuldhulpverlening': vocabulary lacks the 'en' language"),
        (_extra_word, "vocabulary (nl) has 'judge', which is not listed under placeholders"),
        (_name_without_english, "domain 'reclassering': name lacks the 'en' translation"),
        (_placeholder_twice, "placeholders: 'professional' is listed twice"),
        (_bad_placeholder, "placeholders: 'Role Noun' is not a lower-case name"),
        (_unknown_domain_key, "domain 'reclassering': unknown key 'words'"),
        (lambda d: d.pop("domains"), "domains must be a non-empty mapping"),
        (lambda d: d.update(languages=["nl"]), "top level: unknown key 'languages'"),
    ],
)
def test_validation_problems(mutate: Any, fragment: str) -> None:
    data = _data()
    mutate(data)
    problems = validate_domains_data(data, source="domains.yaml")
    assert any(fragment in p.message for p in problems), problems
    assert all(p.file == "domains.yaml" and p.item is None for p in problems)


def test_parse_invalid_raises() -> None:
    data = _data()
    _without_trajectory_word(data)
    with pytest.raises(InstrumentError) as caught:
        parse_domains(data, source="d.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "d.yaml: domain 'reclassering': vocabulary (en) lacks the placeholder 'trajectory'"
    ]


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "domains.yaml"
    path.write_text(yaml.safe_dump(_data(), allow_unicode=True), encoding="utf-8")
    assert validate_domains_file(path) == []
    assert load_domains(path).name("schuldhulpverlening", "nl") == "Schuldhulpverlening"
    path.write_text("placeholders: [a\n", encoding="utf-8")
    (problem,) = validate_domains_file(path)
    assert "not valid YAML" in problem.message


def test_shipped_domains_are_valid_and_complete() -> None:
    if not shipped_domains_path().exists():
        pytest.skip("the shipped domains.yaml is not there yet")
    assert [str(p) for p in validate_domains_file(shipped_domains_path())] == []
    catalogue = default_domains()
    assert catalogue.placeholders == {
        "professional",
        "client",
        "trajectory",
        "the_trajectory",
        "this_trajectory",
        "conditions",
    }
    assert set(catalogue.domains) == {
        "reclassering",
        "jeugdbescherming",
        "jeugdreclassering",
        "schuldhulpverlening",
        "arbeidsintegratie",
        "woonbegeleiding",
        "justitiehuis",
    }
    assert catalogue.vocabulary("reclassering", "nl")["professional"] == "reclasseringswerker"
    assert default_domains() is catalogue
