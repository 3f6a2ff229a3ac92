"""``alliantiemonitor signals`` on files that ``synth`` writes, and on scored extracts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alliantiemonitor.cli import main
from alliantiemonitor.core.signals import OUTPUT_COLUMNS, SIGNAL_KINDS


@pytest.fixture(scope="module")
def synth_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "synth.csv"
    assert main(["synth", "--trajectories", "400", "--seed", "5", "--out", str(path)]) == 0
    return path


def test_synth_output_in_signals_out_csv(
    synth_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "signals.csv"
    assert main(["signals", str(synth_csv), "--out", str(out)]) == 0
    result = pd.read_csv(out)
    assert list(result.columns) == list(OUTPUT_COLUMNS)
    assert not result.empty
    assert set(result["kind"]) <= set(SIGNAL_KINDS)
    assert result["round_index"].min() >= 2  # counted from 1; nothing judged on one round
    source = pd.read_csv(synth_csv)
    assert set(result["trajectory_id"]) <= set(source["trajectory_id"])
    assert "signal(s) in" in capsys.readouterr().out


def test_parquet_and_a_scored_extract_give_the_same_signals(
    synth_csv: Path, tmp_path: Path
) -> None:
    out_items = tmp_path / "from_items.parquet"
    assert main(["signals", str(synth_csv), "--out", str(out_items)]) == 0
    # Score first, then hand over the extract with characteristic columns only.
    scored = tmp_path / "scored.csv"
    assert main(["score", "--instrument", "standaard", str(synth_csv), "--out", str(scored)]) == 0
    frame = pd.read_csv(scored)
    items = [c for c in frame.columns if c.startswith(("c_", "p_"))]
    extract = tmp_path / "extract.parquet"
    frame.drop(columns=items).to_parquet(extract)
    out_scores = tmp_path / "from_scores.parquet"
    assert main(["signals", str(extract), "--out", str(out_scores)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out_items), pd.read_parquet(out_scores), check_dtype=False
    )


def test_missing_columns_are_named(
    synth_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.csv"
    pd.read_csv(synth_csv).drop(columns=["submitted", "after_handover"]).to_csv(broken)
    assert main(["signals", str(broken), "--out", str(tmp_path / "s.csv")]) == 1
    err = capsys.readouterr().err
    assert "missing column(s): after_handover, submitted" in err or "submitted" in err
    assert not (tmp_path / "s.csv").exists()


def test_unknown_instrument_and_file_types(
    synth_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "s.csv")
    assert main(["signals", str(synth_csv), "--instrument", "nope", "--out", out]) == 1
    assert "unknown instrument 'nope'" in capsys.readouterr().err
    assert main(["signals", str(synth_csv), "--out", str(tmp_path / "s.txt")]) == 1
    assert "use .csv or .parquet" in capsys.readouterr().err
    assert main(["signals", str(tmp_path / "absent.csv"), "--out", out]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_no_item_and_no_score_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("trajectory_id,round_index\nT1,1\n", encoding="utf-8")
    assert main(["signals", str(source), "--out", str(tmp_path / "s.csv")]) == 1
    assert "neither item columns" in capsys.readouterr().err


def test_answers_off_the_scale(
    synth_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(synth_csv)
    frame.loc[0, "c_trust_1"] = 7
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    assert main(["signals", str(bad), "--out", str(tmp_path / "s.csv")]) == 1
    err = capsys.readouterr().err
    assert "data row 1, column c_trust_1" in err
    assert "nothing written" in err
