"""The system check that reports invalid instrument files at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.checks import Error, run_checks
from django.test import override_settings

from alliantiemonitor.instruments import registry
from alliantiemonitor.instruments.checks import CHECK_ID, check_instrument_files
from tests.core.instrument_factory import minimal_instrument_data, write_instrument


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    registry.clear()


def test_shipped_instruments_pass() -> None:
    with override_settings(ALLIANTIEMONITOR_INSTRUMENT_DIRS=[]):
        assert check_instrument_files() == []


def test_invalid_extra_file_is_an_error(tmp_path: Path) -> None:
    data = minimal_instrument_data()
    data["items"][4]["mirror"] = "p_trust_9"
    bad = write_instrument(tmp_path, data, name="eigen.yaml")

    with override_settings(ALLIANTIEMONITOR_INSTRUMENT_DIRS=[tmp_path]):
        errors = check_instrument_files()

    assert len(errors) == 2  # c_trust_1 has a missing mirror; p_trust_1 is not pointed back to
    assert all(isinstance(e, Error) and e.id == CHECK_ID for e in errors)
    assert errors[0].msg == f"{bad}: item c_trust_1: mirror 'p_trust_9' does not exist"
    assert "alliantiemonitor instruments validate" in (errors[0].hint or "")


def test_missing_extra_folder_is_an_error(tmp_path: Path) -> None:
    with override_settings(ALLIANTIEMONITOR_INSTRUMENT_DIRS=[tmp_path / "nowhere"]):
        errors = check_instrument_files()
    assert [e.msg for e in errors] == [
        f"{tmp_path / 'nowhere'}: the instruments folder does not exist"
    ]


def test_check_is_registered(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    with override_settings(ALLIANTIEMONITOR_INSTRUMENT_DIRS=[tmp_path]):
        errors = [m for m in run_checks() if m.id == CHECK_ID]
    assert len(errors) == 1
    assert "not valid YAML" in errors[0].msg


def test_the_registry_follows_the_settings(tmp_path: Path) -> None:
    data = minimal_instrument_data()
    data["version"] = "2.0.0"
    write_instrument(tmp_path, data)
    with override_settings(ALLIANTIEMONITOR_INSTRUMENT_DIRS=[tmp_path]):
        assert registry.get_registry().get("testmonitor").version == "2.0.0"
        assert registry.get_registry().get("testmonitor", "2.0.0").ref == "testmonitor@2.0.0"
        assert registry.get_registry().get("standaard").id == "standaard"
    with (
        override_settings(ALLIANTIEMONITOR_INSTRUMENT_DIRS=[]),
        pytest.raises(KeyError, match="unknown instrument 'testmonitor'"),
    ):
        registry.get_registry().get("testmonitor")
