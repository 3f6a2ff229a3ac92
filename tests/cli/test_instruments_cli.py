"""``alliantiemonitor instruments``: list, show and validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliantiemonitor import cli
from alliantiemonitor.core.datafile import SHIPPED_DIR
from alliantiemonitor.core.registry import clear_default_registry
from tests.core.instrument_factory import minimal_instrument_data, write_instrument


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    clear_default_registry()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["instruments", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def extra(tmp_path: Path) -> Path:
    write_instrument(tmp_path)
    return tmp_path


def test_list_shows_shipped_and_extra_instruments(
    extra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "list", "--dir", str(extra))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "VERSION", "TITLE"]
    row = next(line for line in lines if line.startswith("testmonitor"))
    # id, version, Dutch title, 8 client / 8 professional items, languages, provenance
    assert row.split() == ["testmonitor", "1.0.0", "Testmonitor", "8/8", "nl,", "en", "own-wording"]
    assert any(line.startswith("standaard ") for line in lines)


def test_dir_option_before_the_action(extra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["instruments", "--dir", str(extra), "list"])
    out = capsys.readouterr().out
    assert code == 0
    assert "testmonitor" in out


def test_show_text(extra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "testmonitor@1.0.0", "--dir", str(extra))
    assert code == 0
    assert out.startswith("Testmonitor (testmonitor@1.0.0)")
    assert "friction   Stroefheid — negative (higher is worse)" in out
    assert "Client items (8; R = reverse-keyed)" in out
    trust_2 = next(line for line in out.splitlines() if line.strip().startswith("c_trust_2"))
    assert trust_2.split()[:4] == ["c_trust_2", "R", "trust", "↔"]
    assert "p_trust_2" in trust_2
    trust_1 = next(line for line in out.splitlines() if line.strip().startswith("c_trust_1"))
    assert trust_1.split()[1] == "trust"  # no reverse marker
    assert "Mirror pairs (8; client ↔ professional)" in out
    assert "Mijn {professional} legt uit" in out


def test_show_fills_in_domain_and_language(extra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "show",
        "testmonitor",
        "--dir",
        str(extra),
        "--language",
        "en",
        "--domain",
        "schuldhulpverlening",
    )
    assert code == 0
    assert out.startswith("Test monitor (testmonitor@1.0.0)")
    assert "My debt counsellor explains what is expected of me." in out


def test_show_json_is_a_complete_dump(extra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "testmonitor", "--dir", str(extra), "--format", "json")
    assert code == 0
    data = json.loads(out)
    expected = minimal_instrument_data()
    assert data["ref"] == "testmonitor@1.0.0"
    assert data["languages"] == ["nl", "en"]
    assert [c["key"] for c in data["characteristics"]] == ["direction", "trust", "bond", "friction"]
    assert [i["id"] for i in data["items"]] == [i["id"] for i in expected["items"]]
    assert data["items"][0]["text"] == expected["items"][0]["text"]
    assert [p["value"] for p in data["scale"]["points"]] == [1, 2, 3, 4, 5]


def test_show_json_with_domain_fills_texts(extra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "show", "testmonitor", "--dir", str(extra), "--format", "json",
        "--domain", "reclassering",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert data["domain"] == "reclassering"
    assert data["items"][0]["text"] == {
        "nl": "Mijn reclasseringswerker legt uit wat er van mij verwacht wordt.",
        "en": "My probation officer explains what is expected of me.",
    }


def test_show_shipped_standaard(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "standaard")
    assert code == 0
    assert "(standaard@" in out.splitlines()[0]
    assert "Client items (19;" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "nope"], "error: unknown instrument 'nope' (known: "),
        (["show", "standaard@9.9.9"], "error: instrument 'standaard' has no version '9.9.9'"),
        (["show", "standaard@"], "error: not an instrument reference"),
        (["show", "standaard", "--domain", "zorg"], "error: unknown domain 'zorg'"),
        (["show", "standaard", "--language", "fr"], "has no language 'fr'"),
    ],
)
def test_show_errors_exit_1_without_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_list_with_invalid_dir_reports_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    code, _, err = run(capsys, "list", "--dir", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'bad.yaml'}: missing required key 'version'" in err


def test_validate_ok(extra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = extra / "testmonitor-1.0.0.yaml"
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert out == f"OK {path} (testmonitor@1.0.0: 8 client + 8 professional items)\n"


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = minimal_instrument_data()
    data["items"][4]["mirror"] = "p_trust_9"  # c_trust_1
    data["items"][5]["reverse"] = "yes"  # p_trust_1
    bad = write_instrument(tmp_path, data, name="standaard.yaml")
    good = write_instrument(tmp_path, name="good.yaml")

    code, out, err = run(capsys, "validate", str(bad), str(good))

    assert code == 1
    assert out.splitlines() == [
        f"{bad}: item p_trust_1: reverse must be true or false; got 'yes'",
        f"{bad}: item c_trust_1: mirror 'p_trust_9' does not exist",
        f"{bad}: item p_trust_1: mirror 'c_trust_1' does not point back "
        "(its mirror is 'p_trust_9')",
        f"OK {good} (testmonitor@1.0.0: 8 client + 8 professional items)",
    ]
    assert "3 problem(s) in 1 file" in err


def test_validate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(tmp_path / "none.yaml"))
    assert code == 1
    assert out == f"{tmp_path / 'none.yaml'}: the file does not exist\n"


def test_validate_folder_reports_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_instrument(tmp_path, name="a.yaml")
    write_instrument(tmp_path, name="b.yaml")
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == 1
    assert "testmonitor@1.0.0 is already defined in" in out


def test_validate_shipped_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(SHIPPED_DIR))
    assert code == 0, out
    assert f"OK {SHIPPED_DIR / 'domains.yaml'}" in out
    assert f"OK {SHIPPED_DIR / 'standaard.yaml'} (standaard@" in out


def test_show_names_the_professionals_not_answered_label(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "show", "standaard")
    assert code == 0
    assert "not answered (professional): Kan ik niet beoordelen" in out


def test_list_and_show_include_the_plain_questionnaires(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("motivatie "))
    assert "6/0" in row.split()
    code, out, _ = run(capsys, "show", "motivatie", "--format", "json")
    assert code == 0
    assert '"kind": "questionnaire"' in out
