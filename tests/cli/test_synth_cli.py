"""``alliantiemonitor synth``: files in long format that the scoring reads as they are."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
import yaml

from alliantiemonitor.cli import synth
from alliantiemonitor.core.registry import SHIPPED_DIR, default_registry
from alliantiemonitor.core.scoring import score_frame
from alliantiemonitor.core.synth import generate


def main(argv: Sequence[str]) -> int:
    """Run the command through its own parser, so this test does not need the other commands."""
    parser = argparse.ArgumentParser(prog="alliantiemonitor")
    synth.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["synth", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_writes_long_csv_with_a_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "synth.csv"
    code, stdout, _ = run(capsys, "--trajectories", "25", "--seed", "4", "--out", str(out))
    assert code == 0
    frame = pd.read_csv(out)
    standaard = default_registry().get("standaard")
    rounds = frame.groupby("trajectory_id")["round_index"].nunique().sum()
    # Two responses per round; the summary reports what was written.
    assert len(frame) == 2 * rounds
    assert stdout.startswith(f"{len(frame)} rows, 25 trajectories, {rounds} rounds")
    assert set(frame["rater"]) == {"client", "professional"}
    assert frame["trajectory_id"].nunique() == 25
    item_ids = [i.id for i in standaard.items]
    assert set(item_ids) <= set(frame.columns)
    answers = frame[item_ids].stack().dropna()
    assert set(answers.unique()) <= {1, 2, 3, 4, 5}
    # Answers are written as integers, not as 4.0.
    assert ",4.0," not in out.read_text()


def test_same_seed_writes_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    for path, seed in ((first, "9"), (second, "9"), (other, "10")):
        assert run(capsys, "--trajectories", "30", "--seed", seed, "--out", str(path))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_output_scores_as_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synth.csv"
    assert run(capsys, "--trajectories", "40", "--seed", "2", "--out", str(out))[0] == 0
    frame = pd.read_csv(out)
    standaard = default_registry().get("standaard")
    client = frame[(frame["rater"] == "client") & frame["submitted"]]
    scores = score_frame(standaard, client, "client")
    assert scores["trust"].notna().mean() > 0.9
    assert scores["trust"].dropna().between(1, 5).all()
    # The same rows carry the trajectory's outcome, so alliance and outcome can be linked.
    assert client["end_kind"].notna().all()


def test_parquet_and_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, events = tmp_path / "synth.parquet", tmp_path / "events.csv"
    code, _, _ = run(
        capsys,
        "--trajectories",
        "20",
        "--seed",
        "1",
        "--out",
        str(out),
        "--events-out",
        str(events),
        "--domain",
        "reclassering",
        "--instrument",
        "kort",
    )
    assert code == 0
    frame = pd.read_parquet(out)
    assert set(frame["domain"]) == {"reclassering"}
    assert set(frame["instrument"]) == {"kort"}
    assert pd.api.types.is_datetime64_any_dtype(frame["round_date"])
    kinds = set(pd.read_csv(events)["kind"])
    # Every trajectory ends somehow, so an end event is always there.
    assert kinds & {"completion", "premature_end_negative", "premature_end_positive"}


def test_trajectories_table_equals_the_generators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, table = tmp_path / "synth.csv", tmp_path / "trajectories.parquet"
    argv = ["--trajectories", "40", "--seed", "5", "--out", str(out)]
    code, _, _ = run(capsys, *argv, "--trajectories-out", str(table))
    assert code == 0
    written = pd.read_parquet(table)
    expected = generate(default_registry().get("standaard"), trajectories=40, seed=5)
    # Parquet keeps dates in milliseconds; the values are what is compared.
    pd.testing.assert_frame_equal(written, expected.trajectories, check_dtype=False)
    assert {"recidivism_months", "recidivism_observed", "course"} <= set(written.columns)
    # The long file names the same trajectories.
    assert set(pd.read_csv(out)["trajectory_id"]) == set(written["trajectory_id"])


def test_trajectories_table_needs_a_known_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "trajectories.txt"
    argv = ["--out", str(tmp_path / "synth.csv"), "--trajectories-out", str(wrong)]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "trajectories.txt" in err
    assert not wrong.exists()


def test_instrument_from_an_extra_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load((SHIPPED_DIR / "eenvoudig.yaml").read_text(encoding="utf-8"))
    data["id"], data["version"] = "eigen-set", "2.1"
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "eigen.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "synth.csv"
    code, stdout, _ = run(
        capsys,
        "--trajectories",
        "10",
        "--out",
        str(out),
        "--dir",
        str(folder),
        "--instrument",
        "eigen-set@2.1",
    )
    assert code == 0, stdout
    frame = pd.read_csv(out, dtype={"instrument_version": str})
    assert set(frame["instrument"]) == {"eigen-set"}
    assert set(frame["instrument_version"]) == {"2.1"}
    assert "(eigen-set@2.1, seed 1)" in stdout


def test_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--out", str(tmp_path / "x.xlsx"))
    assert code == 2
    assert "use a .csv or .parquet" in err
    code, _, err = run(capsys, "--out", str(tmp_path / "x.csv"), "--instrument", "bestaat-niet")
    assert code == 1
    assert "bestaat-niet" in err
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(SystemExit):
        main(["synth", "--trajectories", "0", "--out", str(tmp_path / "y.csv")])


def test_score_command_reads_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("alliantiemonitor.cli.score")
    from alliantiemonitor.cli import main as full_main

    out, scored = tmp_path / "synth.csv", tmp_path / "scored.csv"
    assert full_main(["synth", "--trajectories", "30", "--out", str(out)]) == 0
    code = full_main(["score", "--instrument", "standaard", str(out), "--out", str(scored)])
    capsys.readouterr()
    assert code == 0
    frame = pd.read_csv(scored)
    assert len(frame) == len(pd.read_csv(out))
    submitted = frame[frame["submitted"]]
    assert submitted["trust"].notna().mean() > 0.9
    # A skipped round has no answers, so no scores.
    assert frame.loc[~frame["submitted"], "trust"].isna().all()
