"""Reading Lighthouse's JSON report and the bar of issue 10 (benchmarks/lighthouse_client_pages.py).

The fixture is a small report written for this test, in the shape Lighthouse 12 writes: two
categories' scores, the metrics' numeric values, one failing weighted accessibility audit, one
failing audit of weight 0 (Lighthouse does not count it), one not applicable.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lighthouse_small.json"


@pytest.fixture(scope="module")
def lh() -> ModuleType:
    """The script as a module (benchmarks/ is a folder of scripts, not a package)."""
    name = "lighthouse_client_pages"
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def report() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_summarise_reads_scores_metrics_and_failed_audits(lh, report):
    result = lh.summarise("kort: questionnaire", report)
    assert result.page == "kort: questionnaire"
    assert (result.accessibility, result.performance, result.best_practices) == (96, 97, 100)
    assert result.lcp_ms == pytest.approx(1234.6)
    assert result.tbt_ms == pytest.approx(120.25)
    assert result.cls == pytest.approx(0.0125)
    assert result.transferred == 13312
    assert result.error is None
    # Weighted and failing only: not the weight-0 audit, not the unscored one.
    assert result.failed_audits == ("color-contrast",)


def test_the_bar_is_accessibility_100_and_performance_95(lh, report):
    below = lh.summarise("a", report)
    assert lh.problems([below]) == ["a: accessibility 96 < 100 (color-contrast)"]

    report["categories"]["accessibility"]["score"] = 1
    report["audits"]["color-contrast"]["score"] = 1
    report["categories"]["performance"]["score"] = 0.95
    assert lh.problems([lh.summarise("b", report)]) == []  # exactly 95 passes

    report["categories"]["performance"]["score"] = 0.94
    assert lh.problems([lh.summarise("c", report)]) == ["c: performance 94 < 95"]


def test_a_page_lighthouse_could_not_audit_fails(lh, report):
    report = {"runtimeError": {"code": "ERRORED_DOCUMENT_REQUEST"}}
    result = lh.summarise("bad link", report)
    assert result.accessibility is None
    assert result.transferred is None
    assert lh.problems([result]) == [
        "bad link: Lighthouse could not audit it (ERRORED_DOCUMENT_REQUEST)"
    ]
    # A report without a score at all (a category missing) fails too.
    assert lh.problems([lh.summarise("empty", {})]) == [
        "empty: accessibility None < 100",
        "empty: performance None < 95",
    ]


def test_the_median_run_counts(lh, report):
    runs = []
    for run, score in enumerate((0.99, 0.90, 0.97), start=1):
        one = copy.deepcopy(report)
        one["categories"]["performance"]["score"] = score
        one["_run"] = run
        runs.append(one)
    assert lh.median_run(runs)["_run"] == 3
    failed = {"runtimeError": {"code": "NO_REPORT"}, "_run": 4}
    assert lh.median_run([failed, runs[0], runs[1]])["_run"] == 2
    assert lh.median_run([failed])["_run"] == 4


def test_the_table_shows_every_figure(lh, report):
    text = lh.table([lh.summarise("eenvoudig: intro", report), lh.summarise("x", {})])
    lines = text.splitlines()
    assert lines[0].startswith("| Page | Accessibility | Performance | Best practices | LCP")
    assert lines[2] == ("| eenvoudig: intro | 96 | 97 | 100 | 1235 ms | 120 ms | 0.013 | 13.0 KB |")
    assert lines[3] == "| x | – | – | – | – ms | – ms | – | – KB |"
