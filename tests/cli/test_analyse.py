"""``alliantiemonitor analyse psychometrics``: the output, its numbers, and every refusal."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from alliantiemonitor.cli import analyse, main
from tests.core.research.synthetic import random_items, responses

PINGOUIN_CI = 0.0005 + 1e-12


def _synthetic_csv(tmp_path: Path) -> Path:
    path = tmp_path / "responses.csv"
    responses().to_csv(path, index=False)
    return path


def _items_csv(tmp_path: Path, frame: pd.DataFrame, name: str = "items.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _mapping(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["analyse", "psychometrics", *args, "--format", "json"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def _section(report: dict[str, Any], name: str) -> dict[str, Any]:
    (section,) = (s for s in report["analyses"] if s["name"] == name)
    return section


def _fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["analyse", "psychometrics", "--format", "json", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_instrument_json_with_both_sections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _synthetic_csv(tmp_path)
    report = _run_json(
        ["--data", str(data), "--instrument", "standaard", "--rater", "client"], capsys
    )
    source = report["input"]
    assert source["file"] == "responses.csv"
    assert source["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert source["rows"] == len(responses())
    assert source["missing"] == "listwise"
    assert source["instrument"] == "standaard@1.0.0"
    assert source["software"]["alliantiemonitor"]
    assert [s["name"] for s in report["analyses"]] == [
        "reliability",
        "factor_structure",
        "invariance",
        "agreement",
    ]
    assert _section(report, "invariance")["status"] == "not_estimable"  # no --group

    frame = responses()
    client = frame[frame["rater"] == "client"]
    for result in _section(report, "reliability")["results"]:
        block = client[[item["item"] for item in result["items"]]].astype(float)
        for item in result["items"]:
            if item["reverse"]:
                block[item["item"]] = 6 - block[item["item"]]
        alpha, interval = pg.cronbach_alpha(block.dropna())
        assert result["alpha"] == pytest.approx(alpha, abs=1e-12)
        assert result["alpha_ci95"] == pytest.approx(list(interval), abs=PINGOUIN_CI)
        assert result["n"] == len(block.dropna())
    agreement = _section(report, "agreement")
    assert agreement["status"] == "ok"
    assert [r["characteristic"] for r in agreement["results"]] == [
        "direction",
        "trust",
        "bond",
        "friction",
    ]


def test_parquet_data_yaml_mapping_reverse_and_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = random_items(240, 4, seed=3).assign(site=np.repeat(["north", "south"], 120))
    frame["q4"] = 6 - frame["q4"]  # stored reversed; the mapping turns it back
    data = tmp_path / "items.parquet"
    frame.to_parquet(data)
    mapping = _mapping(
        tmp_path,
        "answer_range: {min: 1, max: 5}\nscales:\n  s:\n    items: [q1, q2, q3, q4]\n"
        "    reverse: [q4]\n",
    )
    report = _run_json(["--data", str(data), "--mapping", str(mapping), "--group", "site"], capsys)
    results = _section(report, "reliability")["results"]
    assert [r["group"] for r in results] == [None, "north", "south"]
    restored = frame.assign(q4=6 - frame["q4"])
    for result in results:
        rows = (
            restored if result["group"] is None else restored[restored["site"] == result["group"]]
        )
        expected = pg.cronbach_alpha(rows[["q1", "q2", "q3", "q4"]])[0]
        assert result["alpha"] == pytest.approx(expected, abs=1e-12)
    agreement = _section(report, "agreement")
    assert agreement["status"] == "not_estimable"
    assert "needs --instrument" in agreement["reason"]


def test_pairwise_is_reported_and_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = random_items(200, 5, seed=6, missing=0.1)
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(tmp_path, json.dumps({"scales": {"s": list(frame)}}), "m.json")
    report = _run_json(
        ["--data", str(data), "--mapping", str(mapping), "--missing", "pairwise"], capsys
    )
    assert report["input"]["missing"] == "pairwise"
    (result,) = _section(report, "reliability")["results"]
    assert result["missing"] == "pairwise"
    assert result["alpha"] == pytest.approx(pg.cronbach_alpha(frame.dropna(how="all"))[0])


def test_html_is_self_contained_and_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = random_items(100, 3, seed=2).rename(columns={"q1": "<b>q1</b>"})
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(
        tmp_path,
        json.dumps({"scales": {"<script>alert(1)</script>": list(frame)}}),
        "m.json",
    )
    out = tmp_path / "report.html"
    assert main(["analyse", "psychometrics", "--data", str(data), "--mapping", str(mapping),
                 "--format", "html", "--out", str(out)]) == 0  # fmt: skip
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;q1&lt;/b&gt;" in page
    assert not re.search(r"(src|href)\s*=", page)  # no external assets
    assert page.count("<h1>") == 1
    assert "<caption>" in page
    assert "Not estimable: needs --instrument" in page


def test_a_section_that_fails_is_reported_and_the_rest_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(context: analyse.AnalysisContext) -> analyse.Section:
        raise ValueError("the model has more parameters than data points")

    def extra(context: analyse.AnalysisContext) -> analyse.Section:
        frame = context.items_and_group
        return analyse.Section("rows", "ok", None, [{"n": len(frame), "nested": {"a": 1},
                                                    "columns": list(frame)}])  # fmt: skip

    sections = [*analyse.SECTIONS, ("cfa", broken), ("rows", extra)]
    monkeypatch.setattr(analyse, "SECTIONS", sections)
    frame = random_items(30, 3, seed=4).assign(site=["a", "b"] * 15, note="x")
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(tmp_path, "scales:\n  s: [q1, q2, q3]\n")
    report = _run_json(["--data", str(data), "--mapping", str(mapping), "--group", "site"], capsys)
    cfa = _section(report, "cfa")
    assert cfa["status"] == "not_estimable"
    assert cfa["reason"] == "could not be estimated: the model has more parameters than data points"
    assert _section(report, "reliability")["status"] == "ok"
    assert _section(report, "rows")["results"] == [
        {"n": 30, "nested": {"a": 1}, "columns": ["q1", "q2", "q3", "site"]}
    ]
    assert main(["analyse", "psychometrics", "--data", str(data), "--mapping", str(mapping),
                 "--format", "html"]) == 0  # fmt: skip
    page = capsys.readouterr().out
    assert "nested.a" in page  # a section without a layout of its own still shows


def test_not_estimable_results_on_tiny_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.DataFrame({"a": [1, 2, 4], "b": [2, 2, 5], "c": [1, 3, 3]})
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(tmp_path, "scales:\n  s: [a, b, c]\n")
    report = _run_json(["--data", str(data), "--mapping", str(mapping)], capsys)
    (result,) = _section(report, "reliability")["results"]
    assert result["status"] == "ok"
    assert result["omega"] is None
    assert result["omega_reason"] == (
        "3 rows for 3 items: the one-factor model needs more rows than items"
    )


def test_out_file_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _items_csv(tmp_path, random_items(50, 3, seed=1))
    mapping = _mapping(tmp_path, "scales:\n  s: [q1, q2, q3]\n")
    out = tmp_path / "report.json"
    assert main(["analyse", "psychometrics", "--data", str(data), "--mapping", str(mapping),
                 "--format", "json", "--out", str(out)]) == 0  # fmt: skip
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["input"]["rows"] == 50


def _bad(tmp_path: Path, frame: pd.DataFrame, mapping_text: str = "") -> list[str]:
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(
        tmp_path, mapping_text or "answer_range: {min: 1, max: 5}\nscales:\n  s: [q1, q2, q3]\n"
    )
    return ["--data", str(data), "--mapping", str(mapping)]


@pytest.mark.parametrize(
    ("change", "mapping_text", "message"),
    [
        (
            lambda f: f,
            "scales:\n  s: [q1, q2, q9]\n",
            "error: the mapping names column(s) not in the data: q9",
        ),
        (
            lambda f: f.assign(q2=4),
            "",
            "error: column q2: is constant (every answer is 4); a constant item carries no "
            "information",
        ),
        (
            lambda f: f.astype({"q1": object}).assign(q1=["x"] + [1] * 19),
            "",
            "error: column q1: not a number in row(s) 1 (found 'x')",
        ),
        (
            lambda f: f.assign(q3=[7, *f["q3"][1:]]),
            "",
            "error: column q3: value(s) outside the answer range 1–5 in row(s) 1",
        ),
        (
            lambda f: f,
            "scales:\n  s: [q1]\n",
            "error: mapping.yaml: scale 's': has 1 item(s); a scale needs at least 2",
        ),
        (lambda f: f.iloc[0:0], "", "error: the data have no rows"),
    ],
)
def test_bad_data_exit_1_with_the_problem(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Any,
    mapping_text: str,
    message: str,
) -> None:
    frame = change(random_items(20, 3, seed=1))
    error = _fails(_bad(tmp_path, frame, mapping_text), capsys)
    assert message in error.splitlines()


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "empty.csv"
    data.write_bytes(b"")
    mapping = _mapping(tmp_path, "scales:\n  s: [q1, q2]\n")
    error = _fails(["--data", str(data), "--mapping", str(mapping)], capsys)
    assert error == f"error: {data}: the file is empty\n"


def test_unknown_group_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _bad(tmp_path, random_items(20, 3, seed=1))
    error = _fails([*args, "--group", "domain"], capsys)
    assert error == "error: the group column 'domain' is not in the data\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--instrument", "standaard"], "error: --instrument needs --rater client or --rater"),
        (["--rater", "client"], "error: give either --mapping FILE or --instrument ID"),
        (["--missing", "mean"], "error: --missing must be listwise or pairwise"),
        (["--instrument", "nope", "--rater", "client"], "error: unknown instrument 'nope'"),
    ],
)
def test_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    data = _synthetic_csv(tmp_path)
    error = _fails(["--data", str(data), *extra], capsys)
    assert message in error


def test_unknown_format_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _bad(tmp_path, random_items(20, 3, seed=1).assign(q2=1))
    out = tmp_path / "report.json"
    assert main(["analyse", "psychometrics", *args, "--format", "json", "--out", str(out)]) == 1
    assert not out.exists()
    assert main(["analyse", "psychometrics", *args, "--format", "pdf"]) == 1
    assert "error: --format must be json or html" in capsys.readouterr().err


def test_rater_column_with_an_unknown_rater(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = responses()
    frame.loc[3, "rater"] = "neighbour"
    data = tmp_path / "responses.csv"
    frame.to_csv(data, index=False)
    error = _fails(["--data", str(data), "--instrument", "standaard", "--rater", "client"], capsys)
    assert "column rater: row(s) 4 name no rater (client or professional)" in error


def test_no_rows_of_the_chosen_rater(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = responses()
    data = tmp_path / "clients.csv"
    frame[frame["rater"] == "client"].to_csv(data, index=False)
    error = _fails(
        ["--data", str(data), "--instrument", "standaard", "--rater", "professional"], capsys
    )
    assert error == f"error: {data}: no rows with professional in column rater\n"


def test_factor_structure_and_invariance_equal_the_core_functions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command reports exactly what fit_cfa and invariance give on the same items."""
    from alliantiemonitor.core.research.cfa import fit_cfa, invariance

    rng = np.random.default_rng(11)
    n = 300
    factors = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1.0, 0.4], [0.4, 1.0]]).T
    items = {
        f"{name}{i}": np.clip(np.rint(3 + 0.9 * factors[:, f] + rng.normal(0, 0.7, n)), 1, 5)
        for f, name in enumerate(("a", "b"))
        for i in range(1, 4)
    }
    frame = pd.DataFrame(items).assign(site=np.where(np.arange(n) % 2 == 0, "noord", "zuid"))
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(tmp_path, "scales:\n  A: [a1, a2, a3]\n  B: [b1, b2, b3]\n")
    report = _run_json(["--data", str(data), "--mapping", str(mapping), "--group", "site"], capsys)
    scales = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}
    cfa = _section(report, "factor_structure")
    assert cfa["status"] == "ok"
    expected = json.loads(
        json.dumps(
            fit_cfa(frame[[item for items in scales.values() for item in items]], scales).to_dict()
        )
    )
    assert cfa["results"][0]["fit"] == expected["fit"]
    assert cfa["results"][0]["loadings"] == expected["loadings"]
    steps = _section(report, "invariance")["results"][0]["steps"]
    direct = invariance(frame, scales, "site").to_dict()["steps"]
    assert [step["level"] for step in steps] == ["configural", "metric", "scalar"]
    assert [step["fit"]["chi2"] for step in steps] == pytest.approx(
        [step["fit"]["chi2"] for step in direct], rel=1e-9
    )
    assert [step["fit"]["df"] for step in steps] == [step["fit"]["df"] for step in direct]


def test_html_headings_name_each_section_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = random_items(120, 4, seed=3)
    frame["site"] = ["north", "south"] * 60
    data = _items_csv(tmp_path, frame)
    mapping = _mapping(tmp_path, json.dumps({"scales": {"s": ["q1", "q2", "q3", "q4"]}}), "m.json")
    out = tmp_path / "report.html"
    assert main(["analyse", "psychometrics", "--data", str(data), "--mapping", str(mapping),
                 "--group", "site", "--format", "html", "--out", str(out)]) == 0  # fmt: skip
    page = out.read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "Reliability",
        "Factor structure",
        "Measurement invariance",
        "Agreement between client and professional",
    ]
    assert "Factor_structure" not in page
    # Every section has a heading in both languages of the report's table.
    for name, _function in analyse.SECTIONS:
        assert "_" not in analyse.section_heading(name, "en")
        assert analyse.section_heading(name, "nl") != analyse.section_heading(name, "en")
    assert analyse.section_heading("factor_structure", "nl") == "Factorstructuur"
    assert analyse.section_heading("some_new_part") == "Some new part"
