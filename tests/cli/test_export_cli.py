"""``alliantiemonitor export``: the files it writes, and every refusal with exit status 1."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from alliantiemonitor.cli import main
from alliantiemonitor.core.synth import generate
from tests.core.research.synthetic import standaard


@functools.cache
def _generated() -> pd.DataFrame:
    return generate(standaard(), trajectories=30, seed=9).to_long()


def _long() -> pd.DataFrame:
    return _generated().copy()


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    path = tmp_path / "responses.csv"
    _long().to_csv(path, index=False, float_format="%g")
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "study.key"
    path.write_bytes(b"a-synthetic-study-secret-32-bytes-long\n")
    return path


def _fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["export", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_export_writes_every_format_and_the_codebook(
    tmp_path: Path, data_csv: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    args = ["--data", str(data_csv), "--secret-file", str(secret), "--out", str(out)]
    assert main(["export", *args, "--format", "csv,parquet,sav", "--layout", "wide"]) == 0
    assert "rows in" in capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["rounds.csv", "rounds.parquet", "rounds.sav", "codebook.json", "codebook.html"]
    )
    codebook = json.loads((out / "codebook.json").read_text(encoding="utf-8"))
    assert codebook["instrument"] == {"id": "standaard", "version": "1.0.0"}
    assert codebook["layout"] == "wide"
    long = _long()
    assert codebook["rows"]["output"] == len(long.drop_duplicates(["trajectory_id", "round_index"]))
    _, meta = pyreadstat.read_sav(out / "rounds.sav", metadataonly=True)
    assert meta.column_names == [v["name"] for v in codebook["variables"]]
    raw = data_csv.read_text(encoding="utf-8")
    assert "C00001" in raw
    for path in out.iterdir():
        content = path.read_bytes()
        for value in ("C00001", "T00001", "R0000001"):
            assert value.encode() not in content


def test_csv_and_parquet_input_give_the_same_export(
    tmp_path: Path, data_csv: Path, secret: Path
) -> None:
    parquet_in = tmp_path / "responses.parquet"
    _long().to_parquet(parquet_in, index=False)
    for name, source in (("from-csv", data_csv), ("from-parquet", parquet_in)):
        args = ["--data", str(source), "--secret-file", str(secret), "--out", str(tmp_path / name)]
        assert main(["export", *args, "--dates", "shift", "--chunk-rows", "17"]) == 0
    a = pq.read_table(tmp_path / "from-csv" / "responses.parquet")
    b = pq.read_table(tmp_path / "from-parquet" / "responses.parquet")
    assert a.equals(b)
    assert (tmp_path / "from-csv" / "responses.csv").read_bytes() == (
        tmp_path / "from-parquet" / "responses.csv"
    ).read_bytes()


def test_include_free_text_flags_it(tmp_path: Path, data_csv: Path, secret: Path) -> None:
    out = tmp_path / "with-text"
    args = ["--data", str(data_csv), "--secret-file", str(secret), "--out", str(out)]
    assert main(["export", *args, "--include-free-text", "--format", "csv"]) == 0
    codebook = json.loads((out / "codebook.json").read_text(encoding="utf-8"))
    assert codebook["free_text_included"] == ["legal_frame"]
    assert "legal_frame" in pd.read_csv(out / "responses.csv", nrows=1).columns


def test_missing_or_short_secret_is_refused(
    tmp_path: Path, data_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x"
    base = ["--data", str(data_csv), "--out", str(out)]
    error = _fails([*base, "--secret-file", str(tmp_path / "absent.key")], capsys)
    assert "the secret file does not exist" in error
    short = tmp_path / "short.key"
    short.write_bytes(b"too short\n")
    error = _fails([*base, "--secret-file", str(short)], capsys)
    assert "9 byte(s)" in error
    assert "at least 32" in error
    assert not out.exists()


def test_name_like_and_unknown_columns_are_refused(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "named.csv"
    _long().assign(display_name="Fictief Persoon", herkomst="x").to_csv(path, index=False)
    out = tmp_path / "x"
    base = ["--data", str(path), "--secret-file", str(secret), "--out", str(out)]
    error = _fails(base, capsys)
    assert "look like names or contact details: display_name" in error
    assert "unknown kind: herkomst" in error
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["named.csv", "study.key"]
    mapped = [*base, "--kind", "display_name=drop", "--kind", "herkomst=category"]
    assert main(["export", *mapped]) == 0
    assert b"Fictief Persoon" not in (out / "responses.csv").read_bytes()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--layout", "diagonal"], "--layout 'diagonal'"),
        (["--dates", "exact"], "--dates 'exact'"),
        (["--format", "xlsx"], "--format 'xlsx'"),
        (["--kind", "herkomst"], "use COLUMN=KIND"),
        (["--kind", "herkomst=secret"], "use COLUMN=KIND"),
        (["--instrument", "onbekend"], "onbekend"),
    ],
)
def test_bad_options_are_refused(
    tmp_path: Path,
    data_csv: Path,
    secret: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "x"
    base = ["--data", str(data_csv), "--secret-file", str(secret), "--out", str(out)]
    assert message in _fails([*base, *extra], capsys)
    assert not out.exists()


def test_bad_data_are_refused(
    tmp_path: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x"
    base = ["--secret-file", str(secret), "--out", str(out)]
    assert "does not exist" in _fails([*base, "--data", str(tmp_path / "nope.csv")], capsys)
    odd = tmp_path / "data.txt"
    odd.write_text("a\n1\n", encoding="utf-8")
    assert "unknown file type" in _fails([*base, "--data", str(odd)], capsys)
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(_long().columns) + "\n", encoding="utf-8")
    assert "no rows" in _fails([*base, "--data", str(empty)], capsys)
    wrong = tmp_path / "wrong.csv"
    frame = _long()
    frame["round_date"] = frame["round_date"].astype(str)
    frame.loc[5, "round_date"] = "gisteren"
    frame.to_csv(wrong, index=False)
    assert "round_date: not an ISO date ('gisteren')" in _fails(
        [*base, "--data", str(wrong)], capsys
    )
    assert not out.exists()
    assert not any(p.name.startswith(".x.") for p in tmp_path.iterdir())
