"""The research benchmark at CI scale: its output parses and ours equals the naive script.

Runs ``benchmarks/bench_research.py --rounds 20000`` once (about 5,400 trajectories) in a
temporary directory and reads what every part left there. Timing is not checked here: the
figures of a shared machine say nothing in a test; docs/benchmarks.md has the measured ones.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alliantiemonitor.core.change import classify_pattern
from alliantiemonitor.core.registry import default_registry

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_research.py"
STEPS = ("read Parquet", "reliability", "scores", "agreement", "change patterns")
STEP_LINE = re.compile(
    r"^  step (?P<step>[^:]+): (?P<seconds>[\d.]+) s \(CPU (?P<cpu>[\d.]+) s\), "
    r"max RSS (?P<rss>[\d,]+) MiB$"
)


def _run(directory: str) -> tuple[str, dict[str, object]]:
    out = Path(directory)
    completed = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--rounds",
            "20000",
            "--out",
            str(out),
            "--json",
            str(out / "figures.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout, json.loads((out / "figures.json").read_text())


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, object]]:
    directory = tmp_path_factory.mktemp("bench-research")
    stdout, figures = _run(str(directory))
    return directory, stdout, figures


def _sections(stdout: str) -> dict[str, dict[str, tuple[float, float, int]]]:
    """Per part, per step: wall seconds, CPU seconds and max RSS, parsed from the text."""
    sections: dict[str, dict[str, tuple[float, float, int]]] = {}
    current = None
    for line in stdout.splitlines():
        if line.startswith(("ours", "naive", "floor")) and line.endswith(":"):
            current = line.split()[0]
            sections[current] = {}
        elif (match := STEP_LINE.match(line)) is not None:
            assert current is not None, line
            sections[current][match["step"]] = (
                float(match["seconds"]),
                float(match["cpu"]),
                int(match["rss"].replace(",", "")),
            )
    return sections


def test_the_output_parses_into_every_part_and_step(run: tuple[Path, str, dict]) -> None:
    _, stdout, figures = run
    sections = _sections(stdout)
    assert set(sections) == {"ours", "naive", "floor"}
    assert set(STEPS) | {"trajectory classes"} == set(sections["ours"])
    assert set(STEPS) == set(sections["naive"])
    assert list(sections["floor"]) == ["DuckDB scan (alpha)"]
    for steps in sections.values():
        for seconds, cpu, rss in steps.values():
            assert seconds >= 0
            assert cpu >= 0
            assert rss > 0
    assert re.search(r"^data: trajectories [\d,]+, rounds [\d,]+, ", stdout, re.MULTILINE)
    rounds = figures["size"]["rounds"]  # type: ignore[index]
    assert 15_000 < rounds < 25_000  # about the 20,000 asked for
    assert re.search(r"naive / ours, .* the four steps both do: [\d.]+x", stdout)
    assert re.search(r"whole run \(write Parquet \+ every analysis\): [\d.]+ s", stdout)
    assert "change labels differing: 0 of " in stdout
    # The trajectory classes cover every trajectory by default, not a sample.
    classes = figures["parts"]["ours"]["results"]["classes"]  # type: ignore[index]
    assert classes["sampled"] is False
    assert classes["assigned"] == classes["n"] > 4_000
    assert classes["iterations"][0] >= 1
    assert re.search(r"^trajectory classes: .* trajectories \(all\)", stdout, re.MULTILINE)


def test_our_alphas_and_iccs_equal_pingouin_and_duckdb(run: tuple[Path, str, dict]) -> None:
    directory, _, _ = run
    parts = {
        p: json.loads((directory / f"{p}.json").read_text()) for p in ("ours", "naive", "floor")
    }
    ours = parts["ours"]["results"]
    instrument = default_registry().get("standaard")
    expected_scales = {
        f"{rater}/{c.key}"
        for c in instrument.characteristics
        for rater in ("client", "professional")
    }
    assert set(ours["alpha"]) == expected_scales
    for scale, alpha in ours["alpha"].items():
        assert 0.3 < alpha < 1  # the generator's items hang together
        assert alpha == pytest.approx(parts["naive"]["results"]["alpha"][scale], abs=1e-12)
        assert alpha == pytest.approx(parts["floor"]["results"]["alpha"][scale], abs=1e-12)
        assert ours["omega"][scale] is not None
        assert 0 < ours["omega"][scale] <= 1
    for key, forms in ours["icc"].items():
        assert set(forms) == {"ICC(A,1)", "ICC(C,1)"}
        for form, value in forms.items():
            assert math.isfinite(value)
            assert value == pytest.approx(parts["naive"]["results"]["icc"][key][form], abs=1e-10)


def test_every_change_label_equals_the_groupby_apply_script(run: tuple[Path, str, dict]) -> None:
    directory, _, figures = run
    key = ["trajectory_id", "rater", "characteristic"]
    ours = pd.read_parquet(directory / "ours_patterns.parquet").sort_values(key)
    naive = pd.read_parquet(directory / "naive_patterns.parquet").sort_values(key)
    assert len(ours) > 30_000
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), naive.reset_index(drop=True))
    # Every pattern occurs, so the comparison is not one of all-stable labels.
    assert set(ours["pattern"]) == {
        "stable",
        "improving",
        "deteriorating",
        "fluctuating",
        "insufficient",
    }
    assert figures["checks"]["change_labels_differ"] == 0  # type: ignore[index]


def test_the_naive_rule_equals_classify_pattern() -> None:
    # The naive script's own rule, checked against the core's single-series function.
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from bench_research import _reliable_course
    finally:
        sys.path.remove(str(SCRIPT.parent))
    sd, reliability = 0.7, 0.8
    s_diff = sd * math.sqrt(2) * math.sqrt(1 - reliability)
    series = [
        [3.0],
        [3.0, 4.2],
        [4.2, 3.0],
        [3.0, 3.5, 4.0],
        [3.0, 4.2, 3.0],
        [4.0, 3.0, 4.9],
        [2.0, 2.5, 3.0, 3.5],
        [3.6, 3.6],
    ]
    for values in series:
        for polarity in ("positive", "negative"):
            expected = classify_pattern(values, sd=sd, reliability=reliability, polarity=polarity)
            assert _reliable_course(values, s_diff, polarity == "positive") == expected.value
