"""``alliantiemonitor score`` on CSV and Parquet files, against the shipped ``standaard``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliantiemonitor.cli import main
from tests.core.instrument_factory import write_instrument

# standaard@1.0.0: c_direction_1..5 with c_direction_5 reverse-keyed; the same for trust and
# bond (item 5); friction has 4 items per rater.
HEADER = "person,c_direction_1,c_direction_2,c_direction_3,c_direction_4,c_direction_5\n"


def _csv(tmp_path: Path, text: str, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_to_csv_with_rater(tmp_path: Path) -> None:
    source = _csv(
        tmp_path,
        HEADER
        # 4, 5, 3, –, 2 (reversed: 4) → 4 of 5 answered: (4 + 5 + 3 + 4) / 4 = 4.0
        + "007,4,5,3,,2\n"
        # 1, 2, 3, 4, 5 (reversed: 1) → 11 / 5 = 2.2
        + "A-2,1,2,3,4,5\n"
        # 3 of 5 answered (< 2/3) → empty
        + "A-3,5,5,,,5\n",
    )
    out = tmp_path / "scored.csv"
    assert main(["score", "--instrument", "standaard@1.0.0", "--rater", "client",
                 str(source), "--out", str(out)]) == 0  # fmt: skip
    result = pd.read_csv(out, dtype={"person": str})
    assert list(result.columns[:6]) == HEADER.strip().split(",")
    assert list(result.columns[6:]) == ["direction", "trust", "bond", "friction"]
    assert result["person"].tolist() == ["007", "A-2", "A-3"]  # passed through as written
    assert result["direction"].iloc[0] == 4.0
    assert result["direction"].iloc[1] == pytest.approx(2.2)
    assert math.isnan(result["direction"].iloc[2])
    assert result["trust"].isna().all()  # no trust columns: not answered


def test_stdout_when_no_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _csv(tmp_path, HEADER + "x,1,2,3,4,5\n")
    assert main(["score", "--instrument", "standaard", "--rater", "client", str(source)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(",direction,trust,bond,friction")
    assert lines[1] == "x,1,2,3,4,5,2.2,,,"


def test_parquet_to_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "round": [10, 11],
            "p_trust_1": [5, 4],
            "p_trust_2": [5, np.nan],
            "p_trust_3": [4, 4],
            "p_trust_4": [np.nan, 4],
            "p_trust_5": [1, 2],  # reversed: 5, 4
        }
    )
    source = tmp_path / "answers.parquet"
    frame.to_parquet(source)
    out = tmp_path / "scored.parquet"
    args = ["score", "--instrument", "standaard", "--rater", "professional", str(source)]
    assert main([*args, "--out", str(out)]) == 0
    result = pd.read_parquet(out)
    assert result["round"].tolist() == [10, 11]
    # row 1: 5, 5, 4, –, 5 → 19/4 = 4.75; row 2: 4, –, 4, 4, 4 → 4.0
    assert result["trust"].tolist() == [4.75, 4.0]


def test_bad_value_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path, HEADER + "a,1,2,3,4,5\nb,1,6,3,x,5\nc,2.5,2,3,4,0\n")
    out = tmp_path / "scored.csv"
    args = ["score", "--instrument", "standaard", "--rater", "client", str(source)]
    assert main([*args, "--out", str(out)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert errors[0].startswith(f"{source}: data row 2 (line 3), column c_direction_2: '6'")
    assert f"{source}: data row 2 (line 3), column c_direction_4: 'x'" in errors[1]
    assert f"{source}: data row 3 (line 4), column c_direction_1: '2.5'" in errors[2]
    assert f"{source}: data row 3 (line 4), column c_direction_5: '0'" in errors[3]
    assert errors[4] == "4 invalid answer(s); nothing written"
    assert captured.out == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]  # no temporary file


def test_unknown_instrument(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _csv(tmp_path, HEADER + "a,1,2,3,4,5\n")
    assert main(["score", "--instrument", "bestaatniet", str(source)]) == 1
    assert "unknown instrument 'bestaatniet'" in capsys.readouterr().err
    assert main(["score", "--instrument", "standaard@9.9.9", str(source)]) == 1
    assert "no version '9.9.9'" in capsys.readouterr().err


def test_rater_column_scores_each_row_with_its_own_items(tmp_path: Path) -> None:
    source = _csv(
        tmp_path,
        "rater,c_bond_1,c_bond_2,c_bond_3,p_bond_1,p_bond_2,p_bond_3,p_bond_4,p_bond_5\n"
        # client: 3 of 5 answered → empty; the professional's cells are empty on this row
        "client,5,5,5,,,,,\n"
        # professional: 1, 2, 3, 4, 5 (reversed: 1) → 2.2; the client's cells are not used
        " Professional ,1,1,1,1,2,3,4,5\n",
    )
    out = tmp_path / "scored.csv"
    assert main(["score", "--instrument", "standaard", str(source), "--out", str(out)]) == 0
    result = pd.read_csv(out)
    assert math.isnan(result["bond"].iloc[0])
    assert result["bond"].iloc[1] == pytest.approx(2.2)
    assert "client_bond" not in result.columns


def test_garbage_in_the_other_raters_cells_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(
        tmp_path,
        "rater,c_bond_1,c_bond_2,c_bond_3,p_bond_1,p_bond_2,p_bond_3\n"
        "client,5,5,5,9,,\n"
        "professional,x,,,1,2,3\n",
    )
    out = tmp_path / "scored.csv"
    assert main(["score", "--instrument", "standaard", str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "data row 1 (line 2), column p_bond_1: '9'" in err
    assert "data row 2 (line 3), column c_bond_1: 'x'" in err
    assert not out.exists()


def test_rater_column_with_unknown_rater(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path, "rater,c_bond_1,c_bond_2\nclient,1,2\nteamleider,3,4\n")
    out = tmp_path / "scored.csv"
    assert main(["score", "--instrument", "standaard", str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "data row 2 (line 3), column rater: 'teamleider' is not a rater" in err
    assert not out.exists()


def test_without_rater_both_sides_are_scored_with_prefixes(tmp_path: Path) -> None:
    source = _csv(
        tmp_path,
        "c_bond_1,c_bond_2,c_bond_3,c_bond_4,p_bond_1,p_bond_2,p_bond_3,p_bond_4,p_bond_5\n"
        "4,4,4,4,2,2,2,2,4\n",
    )
    out = tmp_path / "scored.csv"
    assert main(["score", "--instrument", "standaard", str(source), "--out", str(out)]) == 0
    result = pd.read_csv(out)
    assert result["client_bond"].iloc[0] == 4.0  # 4 of 5 answered
    assert result["professional_bond"].iloc[0] == 2.0  # p_bond_5 = 4 reversed is 2
    assert "bond" not in result.columns
    assert math.isnan(result["client_trust"].iloc[0])


def test_refuses_to_overwrite_an_existing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path, "c_bond_1,c_bond_2,direction\n1,2,3\n")
    assert main(["score", "--instrument", "standaard", "--rater", "client", str(source)]) == 1
    captured = capsys.readouterr()
    assert "already has column(s) direction" in captured.err
    assert captured.out == ""


def test_no_item_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _csv(tmp_path, "person,age\na,40\n")
    assert main(["score", "--instrument", "standaard", str(source)]) == 1
    assert "none of the client or professional item columns" in capsys.readouterr().err
    assert main(["score", "--instrument", "standaard", "--rater", "client", str(source)]) == 1


def test_unknown_file_types_and_missing_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _csv(tmp_path, HEADER + "a,1,2,3,4,5\n")
    assert main(["score", "--instrument", "standaard", str(source), "--out", "x.xlsx"]) == 1
    assert "unknown file type '.xlsx'" in capsys.readouterr().err
    assert main(["score", "--instrument", "standaard", str(tmp_path / "gone.csv")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_own_instrument_from_dir(tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    write_instrument(folder)  # testmonitor@1.0.0: 2 items per characteristic, c_trust_2 reversed
    source = _csv(tmp_path, "c_trust_1,c_trust_2\n5,2\n")
    out = tmp_path / "scored.csv"
    args = ["score", "--instrument", "testmonitor@1.0.0", "--dir", str(folder), "--rater"]
    assert main([*args, "client", str(source), "--out", str(out)]) == 0
    assert pd.read_csv(out)["trust"].iloc[0] == 4.5  # (5 + (6 - 2)) / 2
