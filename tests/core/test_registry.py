"""The instrument registry: folders, versions and references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliantiemonitor.core.datafile import SHIPPED_DIR, InstrumentError
from alliantiemonitor.core.registry import (
    InstrumentRegistry,
    clear_default_registry,
    default_registry,
    parse_ref,
    validate_dirs,
)
from tests.core.instrument_factory import minimal_instrument_data, write_instrument


def _write_version(folder: Path, version: str, name: str = "") -> Path:
    data = minimal_instrument_data()
    data["version"] = version
    data["title"] = {"nl": f"Testmonitor {version}", "en": f"Test monitor {version}"}
    return write_instrument(folder, data, name=name)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for version in ("1.0.0", "1.10.0", "1.9.0"):
        _write_version(tmp_path, version)
    other = minimal_instrument_data()
    other["id"] = "anders"
    (tmp_path / "anders.json").write_text(json.dumps(other), encoding="utf-8")
    (tmp_path / "domains.yaml").write_text("not: an instrument\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    return tmp_path


def test_from_dirs_loads_yaml_and_json_but_not_domains(folder: Path) -> None:
    registry = InstrumentRegistry.from_dirs([folder])
    assert [i.ref for i in registry.all()] == [
        "anders@1.0.0",
        "testmonitor@1.0.0",
        "testmonitor@1.9.0",
        "testmonitor@1.10.0",
    ]
    assert len(registry) == 4
    assert registry.ids() == ["anders", "testmonitor"]


def test_yml_suffix_is_loaded(tmp_path: Path) -> None:
    _write_version(tmp_path, "2.0.0", name="monitor.yml")
    assert InstrumentRegistry.from_dirs([tmp_path]).get("testmonitor").version == "2.0.0"


def test_get_latest_compares_versions_numerically(folder: Path) -> None:
    registry = InstrumentRegistry.from_dirs([folder])
    # As text "1.9.0" > "1.10.0"; numerically 1.10 is the later one.
    assert registry.get("testmonitor").version == "1.10.0"
    assert registry.versions("testmonitor") == ["1.0.0", "1.9.0", "1.10.0"]
    assert [i.ref for i in registry.latest()] == ["anders@1.0.0", "testmonitor@1.10.0"]


def test_get_pinned_version(folder: Path) -> None:
    instrument = InstrumentRegistry.from_dirs([folder]).get("testmonitor", "1.9.0")
    assert instrument.title["nl"] == "Testmonitor 1.9.0"


def test_unknown_id_and_version_raise_key_error_with_message(folder: Path) -> None:
    registry = InstrumentRegistry.from_dirs([folder])
    with pytest.raises(KeyError) as unknown_id:
        registry.get("standaard")
    assert unknown_id.value.args[0] == (
        "unknown instrument 'standaard' (known: anders, testmonitor)"
    )
    with pytest.raises(KeyError) as unknown_version:
        registry.get("testmonitor", "3.0.0")
    assert unknown_version.value.args[0] == (
        "instrument 'testmonitor' has no version '3.0.0' (known: 1.0.0, 1.9.0, 1.10.0)"
    )
    with pytest.raises(KeyError):
        registry.versions("standaard")


def test_contains_accepts_refs(folder: Path) -> None:
    registry = InstrumentRegistry.from_dirs([folder])
    assert "testmonitor@1.9.0" in registry
    assert "testmonitor" in registry
    assert "testmonitor@2.0.0" not in registry
    assert "@" not in registry


def test_duplicate_id_version_across_files_is_an_error(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    one = _write_version(first, "1.0.0")
    two = _write_version(second, "1.0.0", name="copy.yaml")

    with pytest.raises(InstrumentError) as caught:
        InstrumentRegistry.from_dirs([first, second])

    (problem,) = caught.value.problems
    assert problem.file == str(two)
    assert f"testmonitor@1.0.0 is already defined in {one}" in problem.message
    assert validate_dirs([first, second]) == [problem]


def test_invalid_files_raise_with_every_problem(tmp_path: Path) -> None:
    bad = minimal_instrument_data()
    bad["provenance"] = "official"
    write_instrument(tmp_path, bad, name="bad.yaml")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    _write_version(tmp_path, "1.0.0", name="good.yaml")

    with pytest.raises(InstrumentError) as caught:
        InstrumentRegistry.from_dirs([tmp_path])

    files = sorted(Path(p.file).name for p in caught.value.problems)
    assert files == ["bad.yaml", "broken.json"]


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as caught:
        InstrumentRegistry.from_dirs([tmp_path / "nowhere"])
    assert caught.value.problems[0].message == "the instruments folder does not exist"


def test_registry_constructor_rejects_duplicates(folder: Path) -> None:
    instrument = InstrumentRegistry.from_dirs([folder]).get("anders")
    with pytest.raises(InstrumentError):
        InstrumentRegistry([instrument, instrument])


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("standaard@1.0.0", ("standaard", "1.0.0")),
        ("standaard", ("standaard", None)),
        (" kort@2 ", ("kort", "2")),
    ],
)
def test_parse_ref(ref: str, expected: tuple[str, str | None]) -> None:
    assert parse_ref(ref) == expected


@pytest.mark.parametrize("ref", ["", "@1.0.0", "standaard@"])
def test_parse_ref_rejects_malformed(ref: str) -> None:
    with pytest.raises(ValueError, match="not an instrument reference"):
        parse_ref(ref)


def test_default_registry_holds_shipped_and_extra_dirs(folder: Path) -> None:
    clear_default_registry()
    shipped = default_registry()
    combined = default_registry([folder])
    assert {i.id for i in shipped.all()} >= {"standaard", "kort", "eenvoudig"}
    assert all(Path(i.source).parent == SHIPPED_DIR for i in shipped.all())
    assert combined.get("testmonitor").version == "1.10.0"
    assert combined.get("standaard") == shipped.get("standaard")
    # Cached per tuple of folders: the same folders give the same object.
    assert default_registry([folder]) is combined
    assert default_registry([str(folder)]) is combined
    assert default_registry() is shipped
