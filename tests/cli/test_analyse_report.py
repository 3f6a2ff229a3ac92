"""``alliantiemonitor analyse report``: sections, numbers, reproducibility, refusals, the page."""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from pypdf import PdfReader
from sklearn.metrics import adjusted_rand_score

from alliantiemonitor import __version__
from alliantiemonitor.cli import main
from alliantiemonitor.core.registry import default_registry
from alliantiemonitor.core.research.agreement import agreement, instrument_pairs
from alliantiemonitor.core.research.cfa import fit_cfa, invariance
from alliantiemonitor.core.research.data import mapping_from_instrument, prepare
from alliantiemonitor.core.research.growth import (
    change_patterns,
    references_from_instrument,
    trajectory_classes,
)
from alliantiemonitor.core.research.outcomes import (
    cox_regression,
    kaplan_meier,
    logistic_regression,
)
from alliantiemonitor.core.research.reliability import reliability
from alliantiemonitor.core.research.report_html import render_report
from alliantiemonitor.core.research.report_text import DUTCH, knows, lookup
from alliantiemonitor.core.signals import scores_from_answers

SECTIONS = [
    "data",
    "reliability",
    "factor_structure",
    "agreement",
    "change",
    "trajectory_classes",
    "outcomes",
    "survival",
]
SEED = 7
INSTRUMENT = default_registry().get("standaard")
POSITIVE = [c.key for c in INSTRUMENT.characteristics if c.polarity == "positive"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """600 synthetic trajectories: the responses and the trajectories table."""
    folder = tmp_path_factory.mktemp("report")
    data, trajectories = folder / "responses.csv", folder / "trajectories.csv"
    argv = ["synth", "--trajectories", "600", "--seed", "3", "--out", str(data)]
    assert main([*argv, "--trajectories-out", str(trajectories)]) == 0
    return {"folder": folder, "data": data, "trajectories": trajectories}


def _args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "analyse",
        "report",
        "--data",
        str(files["data"]),
        "--instrument",
        "standaard",
        "--trajectories",
        str(files["trajectories"]),
        "--seed",
        str(SEED),
        *extra,
    ]


def _run(argv: list[str], out: Path) -> str:
    assert main([*argv, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(files: dict[str, Path]) -> dict[str, Any]:
    text = _run(
        _args(files, "--group", "substance_use", "--format", "json"), files["folder"] / "a.json"
    )
    result: dict[str, Any] = json.loads(text)
    return result


@pytest.fixture(scope="module")
def page(files: dict[str, Path]) -> str:
    return _run(
        _args(files, "--format", "html", "--language", "en"), files["folder"] / "report.html"
    )


def _section(report: dict[str, Any], name: str) -> dict[str, Any]:
    (section,) = (s for s in report["sections"] if s["name"] == name)
    return section


def _responses(files: dict[str, Path]) -> pd.DataFrame:
    frame = pd.read_csv(files["data"], low_memory=False)
    return frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis=0)


def _without(result: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in keys}


def _per_trajectory(files: dict[str, Path]) -> pd.DataFrame:
    """The client's mean characteristic scores per trajectory, worked out here with pandas."""
    scores = scores_from_answers(INSTRUMENT, _responses(files))
    client = scores[scores["rater"] == "client"]
    keys = [c.key for c in INSTRUMENT.characteristics]
    means = client.groupby("trajectory_id")[keys].mean()
    means["alliance"] = means[POSITIVE].mean(axis=1)
    firsts = scores.groupby("trajectory_id")[["end_kind", "substance_use"]].first()
    table = pd.read_csv(files["trajectories"]).set_index("trajectory_id")
    both = means.join(firsts).join(table[["recidivism_months", "recidivism_observed"]])
    return both.reset_index()


# --- what is in the report ------------------------------------------------------------------


def test_every_section_is_present_and_estimated(report: dict[str, Any]) -> None:
    assert [s["name"] for s in report["sections"]] == SECTIONS
    assert report["status"] == dict.fromkeys(SECTIONS, "ok")
    (data,) = _section(report, "data")["results"]
    assert data["trajectories"] == 600
    assert data["trajectories_table"] == 600
    assert {row["rater"] for row in data["per_rater"]} == {"client", "professional"}
    assert sum(row["responses"] for row in data["per_rater"]) == data["responses"]
    assert sum(row["trajectories"] for row in data["per_domain"]) == 600


def test_data_counts_equal_the_file(files: dict[str, Path], report: dict[str, Any]) -> None:
    frame = _responses(files)
    (data,) = _section(report, "data")["results"]
    assert data["responses"] == len(frame)
    assert data["submitted"] == int(frame["submitted"].sum())
    per_domain = {row["domain"]: row for row in data["per_domain"]}
    for domain, rows in frame.groupby("domain"):
        assert per_domain[domain]["responses"] == len(rows)
        assert per_domain[domain]["trajectories"] == rows["trajectory_id"].nunique()


def test_stamp_names_every_input_and_version(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    stamp = report["reproducibility"]
    hashes = {i["role"]: i["sha256"] for i in stamp["inputs"]}
    assert hashes["data"] == hashlib.sha256(files["data"].read_bytes()).hexdigest()
    assert hashes["trajectories"] == hashlib.sha256(files["trajectories"].read_bytes()).hexdigest()
    assert hashes["instrument"] == hashlib.sha256(Path(INSTRUMENT.source).read_bytes()).hexdigest()
    assert stamp["instrument"] == {"id": "standaard", "version": INSTRUMENT.version}
    assert stamp["software"] == {
        "alliantiemonitor": __version__,
        "numpy": metadata.version("numpy"),
        "scipy": metadata.version("scipy"),
        "pandas": metadata.version("pandas"),
    }
    assert stamp["seed"] == SEED
    assert stamp["missing"] == "listwise"
    assert "listwise" in stamp["missing_description"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stamp["run_at"])


# --- the numbers are the core functions' --------------------------------------------------


def test_reliability_and_factor_structure_equal_the_core(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    frame = _responses(files)
    reported = _section(report, "reliability")["results"]
    factor = _section(report, "factor_structure")["results"]
    for rater in ("client", "professional"):
        mapping = mapping_from_instrument(INSTRUMENT, rater)
        data = prepare(frame[frame["rater"] == rater], mapping, group="substance_use")
        expected = [r.to_dict() for r in reliability(data)]
        assert [_without(r, "rater") for r in reported if r["rater"] == rater] == expected
        cfa, steps = (_without(r, "rater") for r in factor if r["rater"] == rater)
        assert cfa == fit_cfa(data.items, mapping.as_dict()).to_dict()
        grouped = data.items.assign(substance_use=data.groups)
        assert steps == invariance(grouped, mapping.as_dict(), "substance_use").to_dict()
    # And alpha against pingouin (an independent implementation), listwise as SPSS.
    trust = mapping_from_instrument(INSTRUMENT, "client").scale("trust")
    client = frame[frame["rater"] == "client"][list(trust.items)].dropna()
    for item in trust.reverse:
        client[item] = 6 - client[item]
    (overall,) = (
        r
        for r in reported
        if r["rater"] == "client" and r["scale"] == "trust" and r["group"] is None
    )
    assert overall["alpha"] == pytest.approx(pg.cronbach_alpha(client)[0], abs=1e-12)
    assert overall["n"] == len(client)


def test_agreement_and_change_equal_the_core(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    frame = _responses(files)
    paired, pairs = instrument_pairs(
        frame, INSTRUMENT, on=("trajectory_id", "round_index"), rater_column="rater"
    )
    expected = [r.to_dict() for r in agreement(paired, pairs)]
    assert _section(report, "agreement")["results"] == expected
    scores = scores_from_answers(INSTRUMENT, frame)
    change = change_patterns(scores, references=references_from_instrument(INSTRUMENT))
    (reported,) = _section(report, "change")["results"]
    assert reported == change.to_dict()
    shares = pd.DataFrame(reported["shares"])
    assert set(shares["pattern"]) >= {"stable", "improving", "deteriorating"}
    # Every rater and characteristic's shares add up to one.
    totals = shares.groupby(["rater", "characteristic"])["share"].sum()
    np.testing.assert_allclose(totals.to_numpy(), 1.0)


def test_trajectory_classes_equal_the_core_and_ari_equals_scikit_learn(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    scores = scores_from_answers(INSTRUMENT, _responses(files))
    rows = scores.groupby(["trajectory_id", "round_index"])[POSITIVE].mean()
    per_round = rows.mean(axis=1).rename("alliance").reset_index()
    result = trajectory_classes(
        per_round, score="alliance", min_rounds=4, k_values=(1, 2, 3, 4), seed=SEED
    )
    (reported,) = _section(report, "trajectory_classes")["results"]
    assert _without(reported, "min_rounds", "max_round", "recovery") == result.to_dict()
    assert reported["chosen_k"] == min(reported["comparison"], key=lambda c: c["bic"])["k"]
    assert result.assignments is not None
    course = scores.groupby("trajectory_id")["course"].first()
    truth = course.loc[result.assignments["trajectory"]].to_numpy()
    labels = result.assignments["class"].to_numpy()
    recovery = reported["recovery"]
    assert recovery["adjusted_rand_index"] == pytest.approx(
        adjusted_rand_score(truth, labels), abs=1e-12
    )
    table = pd.crosstab(truth, labels)
    for row in recovery["crosstab"]:
        for label in table.columns:
            assert row[f"class_{label}"] == table.loc[row["course"], label]


def test_logistic_regression_equals_the_core_and_statsmodels(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    frame = _per_trajectory(files)
    frame["negative_end"] = (frame["end_kind"] == "premature_end_negative").astype(float)
    predictors = ["trust", "friction", "substance_use"]
    expected = logistic_regression(frame, outcome="negative_end", predictors=predictors)
    (reported,) = _section(report, "outcomes")["results"]
    assert _without(reported, "outcome_definition", "predictor_definition") == expected.to_dict()
    x = sm.add_constant(frame[predictors].astype(float))
    fitted = sm.Logit(frame["negative_end"], x).fit(disp=0)
    estimates = [c["estimate"] for c in reported["coefficients"]]
    np.testing.assert_allclose(estimates, fitted.params.to_numpy(), rtol=1e-6)
    ses = [c["se"] for c in reported["coefficients"]]
    np.testing.assert_allclose(ses, fitted.bse.to_numpy(), rtol=1e-5)


def test_survival_equals_the_core_and_statsmodels(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    frame = _per_trajectory(files)
    frame = frame[frame["recidivism_months"].notna()].reset_index(drop=True)
    frame["alliance_level"] = pd.qcut(
        frame["alliance"], 3, labels=["1 low", "2 middle", "3 high"]
    ).astype("string")
    km, cox = _section(report, "survival")["results"]
    expected_km = kaplan_meier(
        frame, duration="recidivism_months", event="recidivism_observed", group="alliance_level"
    )
    assert _without(km, "grouping") == expected_km.to_dict()
    assert [c["n"] for c in km["curves"]] == [
        int((frame["alliance_level"] == g).sum()) for g in ["1 low", "2 middle", "3 high"]
    ]
    predictors = ["trust", "substance_use"]
    expected_cox = cox_regression(
        frame, duration="recidivism_months", event="recidivism_observed", predictors=predictors
    )
    assert cox == expected_cox.to_dict()
    fitted = sm.PHReg(
        frame["recidivism_months"],
        frame[predictors].astype(float),
        status=frame["recidivism_observed"].astype(int),
        ties="breslow",
    ).fit()
    np.testing.assert_allclose(
        [c["estimate"] for c in cox["coefficients"]], fitted.params, rtol=1e-6
    )


# --- reproducible ---------------------------------------------------------------------------


def test_a_rerun_is_identical_but_for_the_run_time(
    files: dict[str, Path], report: dict[str, Any]
) -> None:
    # The same bytes under another name and folder: the hashes, and so the report, stay.
    copy = files["folder"] / "again"
    copy.mkdir()
    shutil.copy(files["data"], copy / files["data"].name)
    shutil.copy(files["trajectories"], copy / files["trajectories"].name)
    moved = {"data": copy / files["data"].name, "trajectories": copy / files["trajectories"].name}
    argv = _args(moved, "--group", "substance_use", "--format", "json")
    again = json.loads(_run(argv, copy / "b.json"))
    first, second = dict(report), dict(again)
    first["reproducibility"] = _without(report["reproducibility"], "run_at")
    second["reproducibility"] = _without(again["reproducibility"], "run_at")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first == second


def test_another_seed_is_stamped(files: dict[str, Path]) -> None:
    argv = [*_args(files, "--format", "json"), "--seed", "11"]
    other = json.loads(_run(argv, files["folder"] / "seed.json"))
    assert other["reproducibility"]["seed"] == 11
    (classes,) = _section(other, "trajectory_classes")["results"]
    assert classes["seed"] == 11


# --- what cannot be estimated, and bad input ------------------------------------------------


def _mapping_args(files: dict[str, Path], tmp_path: Path) -> list[str]:
    """The report of the client rows on a mapping of two scales (no instrument)."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "answer_range: {min: 1, max: 5}\nscales:\n"
        "  trust: [c_trust_1, c_trust_2, c_trust_3]\n"
        "  bond: [c_bond_1, c_bond_2, c_bond_3]\n",
        encoding="utf-8",
    )
    client = tmp_path / "client.csv"
    frame = pd.read_csv(files["data"], low_memory=False)
    frame[frame["rater"] == "client"].to_csv(client, index=False)
    return ["analyse", "report", "--data", str(client), "--mapping", str(mapping)]


def test_a_mapping_gives_reliability_and_factors_and_says_why_not_the_rest(
    files: dict[str, Path], tmp_path: Path
) -> None:
    argv = _mapping_args(files, tmp_path)
    result = json.loads(_run([*argv, "--format", "json"], tmp_path / "m.json"))
    assert result["status"]["reliability"] == "ok"
    assert result["status"]["factor_structure"] == "ok"
    for name in ("agreement", "change", "trajectory_classes", "outcomes", "survival"):
        section = _section(result, name)
        assert section["status"] == "not_estimable"
        assert "--instrument" in section["reason"]
    assert result["reproducibility"]["instrument"] is None
    assert {i["role"] for i in result["reproducibility"]["inputs"]} == {"data", "mapping"}
    page = _run([*argv, "--format", "html", "--language", "en"], tmp_path / "m.html")
    assert "(not estimable)" in page
    assert "Not estimable: needs --instrument" in page


def test_a_section_that_fails_on_the_data_is_reported_and_the_rest_still_run(
    files: dict[str, Path], tmp_path: Path
) -> None:
    # Without round numbers nothing can be paired or ordered, but every scale can be analysed.
    frame = pd.read_csv(files["data"], low_memory=False).drop(columns=["round_index"])
    path = tmp_path / "no_rounds.csv"
    frame.to_csv(path, index=False)
    argv = ["analyse", "report", "--data", str(path), "--instrument", "standaard"]
    result = json.loads(_run([*argv, "--format", "json"], tmp_path / "r.json"))
    for name in ("agreement", "change", "trajectory_classes"):
        section = _section(result, name)
        assert section["status"] == "not_estimable"
        assert "round_index" in section["reason"]
    for name in ("data", "reliability", "factor_structure", "outcomes"):
        assert result["status"][name] == "ok"


def test_without_the_trajectories_table_only_survival_is_not_estimable(
    files: dict[str, Path], tmp_path: Path
) -> None:
    argv = [
        "analyse",
        "report",
        "--data",
        str(files["data"]),
        "--instrument",
        "standaard",
        "--format",
        "json",
    ]
    result = json.loads(_run(argv, tmp_path / "n.json"))
    survival = _section(result, "survival")
    assert survival["status"] == "not_estimable"
    assert "--trajectories" in survival["reason"]
    assert [n for n, s in result["status"].items() if s != "ok"] == ["survival"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--seed", "abc"], "--seed"),
        (["--seed", "-2"], "--seed"),
        (["--format", "docx"], "--format"),
        (["--missing", "mean"], "--missing"),
        (["--group", "no_such_column"], "no_such_column"),
        (["--instrument", "no-such-instrument"], "no-such-instrument"),
        (["--mapping", "x.yaml"], "either --instrument"),
    ],
)
def test_bad_arguments_exit_1_and_write_nothing(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: list[str],
    message: str,
) -> None:
    argv = _args(files, "--format", "json")
    # A later option of the same name wins in argparse.
    out = tmp_path / "never.json"
    assert main([*argv, *change, "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert not out.exists()


def _fails(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    out = tmp_path / "never.json"
    assert main(["analyse", "report", *argv, "--format", "json", "--out", str(out)]) == 1
    assert not out.exists()
    return capsys.readouterr().err


def test_bad_files_exit_1_naming_the_problem(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "--data FILE is required" in _fails(tmp_path, capsys, "--instrument", "standaard")
    missing = tmp_path / "missing.csv"
    err = _fails(tmp_path, capsys, "--data", str(missing), "--instrument", "standaard")
    assert "does not exist" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "empty" in _fails(tmp_path, capsys, "--data", str(empty), "--instrument", "standaard")
    frame = pd.read_csv(files["data"], low_memory=False)
    bad = frame.copy()
    bad.loc[4, "c_trust_1"] = 9
    bad.loc[6, "rater"] = "neighbour"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    err = _fails(tmp_path, capsys, "--data", str(path), "--instrument", "standaard")
    assert "row(s) 7" in err
    assert "rater" in err
    bad.loc[6, "rater"] = "client"
    bad.to_csv(path, index=False)
    err = _fails(tmp_path, capsys, "--data", str(path), "--instrument", "standaard")
    assert "c_trust_1" in err
    twice = pd.read_csv(files["trajectories"])
    twice = pd.concat([twice, twice.iloc[:1]])
    doubled = tmp_path / "twice.csv"
    twice.to_csv(doubled, index=False)
    err = _fails(
        tmp_path,
        capsys,
        "--data",
        str(files["data"]),
        "--instrument",
        "standaard",
        "--trajectories",
        str(doubled),
    )
    assert "more than one row" in err
    assert "T00001" in err


# --- the page -------------------------------------------------------------------------------


def test_html_is_self_contained_and_accessible(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert re.search(r"<html lang='[a-z]{2}'", page)
    assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", page, re.IGNORECASE)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert page.count("<table>") == page.count("<caption>") > 10
    assert "<th scope='col'></th>" not in page  # every column has a header
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", page, re.DOTALL)
    assert len(svgs) == 3  # pattern shares, class means, Kaplan–Meier
    for svg in svgs:
        assert "role='img'" in svg
        assert "<title" in svg
        assert "<desc" in svg
    for section in SECTIONS:
        assert f"<section id='{section}'>" in page


def test_html_shows_the_reported_numbers(page: str, files: dict[str, Path]) -> None:
    json_text = _run(_args(files, "--format", "json"), files["folder"] / "same.json")
    result = json.loads(json_text)
    (classes,) = _section(result, "trajectory_classes")["results"]
    ari = classes["recovery"]["adjusted_rand_index"]
    assert f"Adjusted Rand index against the column course: {ari:.3f}" in page
    stamp = result["reproducibility"]
    for source in stamp["inputs"]:
        assert source["sha256"] in page


def test_html_escapes_text_from_the_data(files: dict[str, Path], tmp_path: Path) -> None:
    frame = pd.read_csv(files["data"], low_memory=False)
    frame.loc[frame["domain"] == frame["domain"].iloc[0], "domain"] = "<script>x</script>&'\""
    path = tmp_path / "<b>name&.csv"
    frame.to_csv(path, index=False)
    argv = ["analyse", "report", "--data", str(path), "--instrument", "standaard"]
    page = _run([*argv, "--format", "html"], tmp_path / "e.html")
    assert "<script>" not in page
    assert "<b>name" not in page
    assert "&lt;script&gt;x&lt;/script&gt;&amp;&#x27;&quot;" in page
    assert "&lt;b&gt;name&amp;.csv" in page


def test_trajectory_attributes_may_come_from_the_trajectories_table(
    files: dict[str, Path], report: dict[str, Any], tmp_path: Path
) -> None:
    frame = pd.read_csv(files["data"], low_memory=False)
    path = tmp_path / "bare.csv"
    frame.drop(columns=["course", "end_kind", "substance_use"]).to_csv(path, index=False)
    argv = _args({"data": path, "trajectories": files["trajectories"]}, "--format", "json")
    result = json.loads(_run(argv, tmp_path / "bare.json"))
    for name in ("trajectory_classes", "outcomes", "survival"):
        assert _section(result, name) == _section(report, name)


def test_pdf_is_the_page_with_its_figures(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    assert main([*_args(files, "--format", "pdf", "--language", "en"), "--out", str(out)]) == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in ("Study report", "Reliability", "Trajectory classes", "Cox regression"):
        assert title in text
    # The figures are drawn in the PDF (SVG text stays text): their axis titles and legends.
    for label in ("months since the end", "without recidivism", "1 low", "round", "alliance"):
        assert label in text


def test_pdf_needs_an_output_file(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(files, "--format", "pdf")) == 1
    captured = capsys.readouterr()
    assert "--format pdf needs --out FILE" in captured.err
    assert captured.out == ""


def test_without_weasyprint_pdf_fails_and_writes_nothing(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    out = tmp_path / "never.pdf"
    assert main([*_args(files, "--format", "pdf"), "--out", str(out)]) == 1
    assert "WeasyPrint cannot be loaded" in capsys.readouterr().err
    assert not out.exists()


# --- the language of the page ---------------------------------------------------------------


class _Texts(HTMLParser):
    """Every text a reader sees: text nodes and labels for screen readers (not the style)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        self.texts += [value for name, value in attrs if name == "aria-label" and value]

    def handle_data(self, data: str) -> None:
        if data.strip() and self.tag != "style":
            self.texts.append(data.strip())


def _texts(page: str) -> str:
    parser = _Texts()
    parser.feed(page)
    return "\n".join(parser.texts)


def _fragments(english: str) -> list[str]:
    """The literal parts of a text (between its fields) that hold a word."""
    parts = (part.strip(" .,;:()") for part in re.split(r"{\w+}", english))
    return [part for part in parts if re.search(r"[A-Za-z]{2}", part)]


def _english_left(page: str, table: dict[str, str]) -> list[str]:
    """The English texts of the table (where the Dutch differs) that the page still shows."""
    shown = _texts(page)
    left = []
    for english, dutch in table.items():
        # A column name (substance_use) is shown as it is where it names the column.
        if english == dutch or re.fullmatch(r"[a-z]+(_[a-z]+)+", english):
            continue
        for fragment in _fragments(english):
            if fragment in dutch:
                continue
            if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", shown):
                left.append(fragment)
    return left


def test_the_dutch_page_shows_no_english_text_of_the_table(report: dict[str, Any]) -> None:
    page = render_report(report, language="nl")
    assert "<html lang='nl'>" in page
    # File and column names come from the data and stay as they are.
    data = [source["file"] for source in report["reproducibility"]["inputs"]]
    shown = page
    for name in [*data, "kolom course"]:
        shown = shown.replace(name, "")
    left = _english_left(shown, DUTCH)
    assert left == [], left
    assert "<h1>Onderzoeksrapport</h1>" in page
    for dutch in ("Betrouwbaarheid", "Trajectklassen", "Cox-regressie", "maanden sinds het einde"):
        assert dutch in page
    # The characteristics by the instrument's Dutch names.
    for characteristic in INSTRUMENT.characteristics:
        assert f"<td>{characteristic.name['nl']}</td>" in page
    # Numbers keep the decimal point (docs/research/report.md says so).
    (classes,) = _section(report, "trajectory_classes")["results"]
    ari = classes["recovery"]["adjusted_rand_index"]
    assert f"Gecorrigeerde Rand-index tegenover de kolom course: {ari:.3f}" in page


def test_the_english_page_shows_no_dutch_text_of_the_table(report: dict[str, Any]) -> None:
    page = render_report(report, language="en")
    assert "<html lang='en'>" in page
    english_of = {dutch: english for english, dutch in DUTCH.items()}
    assert _english_left(page, english_of) == []
    for characteristic in INSTRUMENT.characteristics:
        assert f"<td>{characteristic.name['en']}</td>" in page


def test_the_page_is_dutch_unless_asked_and_the_json_stays_english(
    files: dict[str, Path], tmp_path: Path, page: str
) -> None:
    argv = _mapping_args(files, tmp_path)
    dutch = _run([*argv, "--format", "html"], tmp_path / "nl.html")
    assert "<html lang='nl'>" in dutch
    assert "Niet te schatten: heeft --instrument nodig" in dutch
    assert "Not estimable" not in dutch
    assert "<html lang='en'>" in page  # --language en
    result = json.loads(_run([*argv, "--format", "json", "--language", "nl"], tmp_path / "a.json"))
    assert _section(result, "agreement")["reason"].startswith("needs --instrument")
    assert result["title"] == "Study report"


def test_an_unknown_language_exits_1(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never.html"
    assert main([*_args(files, "--format", "html", "--language", "de"), "--out", str(out)]) == 1
    assert "--language must be nl or en" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(ValueError, match="nl or en"):
        render_report({"reproducibility": {}, "sections": []}, language="de")


def _shown_reasons(value: Any) -> list[str]:
    """Every reason, message and note of a report, however deep in its results."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, str) and inner and (key.endswith("reason") or key == "message"):
                found.append(inner)
            else:
                found += _shown_reasons(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _shown_reasons(inner)
    return found


@pytest.mark.parametrize(
    ("rows", "group"),
    [(12, None), (12, "domain"), (30, "domain"), (12, "after_handover"), (30, "after_handover")],
)
def test_a_dutch_report_on_too_few_rows_gives_every_reason_in_dutch(
    files: dict[str, Path], tmp_path: Path, rows: int, group: str | None
) -> None:
    frame = pd.read_csv(files["data"], low_memory=False).head(rows)
    # A constant item stops the whole run (the command lists it); one other answer keeps the
    # item and leaves the analyses on a dozen rows to fail for their own reasons.
    for column in frame.columns:
        if column[:2] in ("c_", "p_") and frame[column].nunique() < 2:
            frame.loc[frame.index[0], column] = 2 if frame[column].iloc[0] == 1 else 1
    data, trajectories = tmp_path / "few.csv", tmp_path / "few_trajectories.csv"
    frame.to_csv(data, index=False)
    pd.read_csv(files["trajectories"]).head(3).to_csv(trajectories, index=False)
    argv = ["analyse", "report", "--data", str(data), "--instrument", "standaard"]
    argv += ["--trajectories", str(trajectories), *(["--group", group] if group else [])]
    result = json.loads(_run([*argv, "--format", "json"], tmp_path / "few.json"))
    reasons = [r for r in _shown_reasons(result) if r not in CODES]
    assert "not_estimable" in result["status"].values()
    assert [r for r in reasons if not knows(r)] == []
    page = _run([*argv, "--format", "html"], tmp_path / "few.html")
    shown = page.replace(data.name, "").replace(trajectories.name, "")
    assert _english_left(shown, DUTCH) == []
    assert "Not estimable" not in page
    assert "niet te schatten" in page.lower()
    unescaped = html.unescape(page)
    for reason in reasons:
        if reason in unescaped:  # the same in both languages: a number, a column name
            assert lookup(reason, "nl") == reason


#: Machine codes next to a message (the page shows the message).
CODES = {"too_few_rows", "not_converged", "covariance_not_positive_definite"}


def test_a_pandas_message_never_reaches_the_report_when_tertiles_cannot_be_formed(
    files: dict[str, Path], tmp_path: Path
) -> None:
    frame = pd.read_csv(files["data"], low_memory=False)
    # Two trajectories with a time to recidivism: three tertiles cannot be formed.
    trajectories = pd.read_csv(files["trajectories"]).head(2)
    path = tmp_path / "two.csv"
    trajectories.to_csv(path, index=False)
    frame.to_csv(tmp_path / "all.csv", index=False)
    argv = ["analyse", "report", "--data", str(tmp_path / "all.csv"), "--instrument", "standaard"]
    argv += ["--trajectories", str(path), "--format", "json"]
    section = _section(json.loads(_run(argv, tmp_path / "r.json")), "survival")
    assert section["status"] == "not_estimable"
    assert section["reason"] == (
        "could not be estimated: the client's mean alliance takes too few distinct values "
        "for tertiles"
    )
