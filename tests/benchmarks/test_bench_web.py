"""Reading locust's statistics and judging them against the goals (benchmarks/bench_web.py).

The CSV files are written here in the shape locust 2.47 writes them (``--csv``): one row per
kind of request and ``Aggregated`` last; "N/A" for the percentiles of a kind without requests.
CI does not run locust itself.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
MIX = "\n".join(
    [
        HEADER,
        "POST,client: save answer,1200,0,38,45.2,12,410,160.0,10.0,0.0,"
        "38,44,50,55,70,88,120,160,400,410,410",
        "GET,professional: caseload,300,2,74,90.1,30,900,29000.0,2.5,0.02,"
        "74,80,90,100,130,150,300,600,900,900,900",
        "GET,API: signals,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
        ",Aggregated,1500,2,40,54.0,12,900,5900.0,12.5,0.02,40,48,56,62,90,110,200,380,900,900,900",
    ]
)
FLOOR = "\n".join(
    [
        HEADER,
        "GET,floor: /healthz,5000,0,9,11.0,2,90,15.0,50.0,0.0,9,10,11,12,15,20,30,40,80,90,90",
        ",Aggregated,5000,0,9,11.0,2,90,15.0,50.0,0.0,9,10,11,12,15,20,30,40,80,90,90",
    ]
)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The script as a module (benchmarks/ is a folder of scripts, not a package)."""
    sys.path.insert(0, str(BENCHMARKS))  # it imports the loader next to it
    try:
        spec = importlib.util.spec_from_file_location("bench_web", BENCHMARKS / "bench_web.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_web"] = module  # its dataclasses look themselves up there
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_reads_every_kind_with_its_percentiles(bench: ModuleType, tmp_path: Path) -> None:
    kinds = bench.read_stats(write(tmp_path, "mix_stats.csv", MIX))

    assert [k.name for k in kinds] == [
        "client: save answer",
        "professional: caseload",
        "API: signals",
        "Aggregated",
    ]
    save = kinds[0]
    assert (save.requests, save.failures, save.rps) == (1200, 0, 10.0)
    assert (save.p50, save.p95, save.p99) == (38, 88, 160)
    assert kinds[1].failures == 2
    # A kind that got no request has no percentiles: not a number, not a zero that passes.
    assert math.isnan(kinds[2].p95)
    assert bench.aggregate(kinds).requests == 1500
    # JSON has no NaN: the figures file says null.
    assert bench.as_json(kinds)[2]["p95"] is None
    assert bench.as_json(kinds)[0]["p95"] == 88


def test_summary_judges_p95_and_the_ratio_to_the_floor(bench: ModuleType, tmp_path: Path) -> None:
    mix = bench.read_stats(write(tmp_path, "mix_stats.csv", MIX))
    floor = bench.read_stats(write(tmp_path, "floor_stats.csv", FLOOR))
    save = bench.Kind("client: save answer", 3000, 0, 30.0, 60, 90, 120)

    lines = bench.summary_lines(mix, bench.aggregate(floor), save, bench.aggregate(floor))
    by_name = {line.split("  ")[0].strip(): line for line in lines}

    assert by_name["client: save answer"].endswith("ok")
    assert by_name["professional: caseload"].endswith("MISSED")  # p95 150 ms
    assert not by_name["API: signals"].rstrip().endswith(("ok", "MISSED"))
    assert "floor (same users, /healthz)" in by_name
    # 30 saves a second against 50 for /healthz: 0.60x, above the goal of half.
    assert lines[-1] == "answer saving / floor: 0.60x (goal at least 0.5x)  ok"


def test_ratio_below_half_is_missed(bench: ModuleType) -> None:
    save = bench.Kind("client: save answer", 900, 0, 9.0, 60, 90, 120)
    floor = bench.Kind("Aggregated", 9000, 0, 90.0, 9, 20, 40)

    lines = bench.summary_lines([], None, save, floor)

    assert lines[-1] == "answer saving / floor: 0.10x (goal at least 0.5x)  MISSED"


def test_errors_count_failures_and_empty_runs(bench: ModuleType, tmp_path: Path) -> None:
    mix = bench.read_stats(write(tmp_path, "mix_stats.csv", MIX))
    floor = bench.read_stats(write(tmp_path, "floor_stats.csv", FLOOR))
    empty = bench.read_stats(
        write(tmp_path, "empty_stats.csv", HEADER + "\n" + ",Aggregated" + ",0" * 9 + ",N/A" * 11)
    )

    assert bench.count_errors([mix, floor]) == 2
    # A run in which no request got through is an error, not a pass with no figures.
    assert bench.count_errors([floor, empty]) == 1


def test_reads_the_failures(bench: ModuleType, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mix_failures.csv",
        "Method,Name,Error,Occurrences,First Seen,Last Seen\n"
        "GET,professional: caseload,\"CatchResponseError('answered 500, expected 200')\",2,1,2",
    )

    assert bench.read_failures(path) == [
        "2× GET professional: caseload: CatchResponseError('answered 500, expected 200')"
    ]
    assert bench.read_failures(tmp_path / "absent.csv") == []


def test_the_server_keeps_its_database_connections_as_production_does(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/production.md and deploy/ keep connections 60 s; a server that opened one per
    # request measured PostgreSQL's backend start-up, not the application.
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    env = bench.server_environment(tmp_path)
    assert env["DATABASE_CONN_MAX_AGE"] == "60"
    assert env["DEBUG"] == "false"
    compose = (BENCHMARKS.parent / "deploy" / "compose.yaml").read_text()
    assert 'DATABASE_CONN_MAX_AGE: "60"' in compose
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert bench.server_environment(tmp_path)["DATABASE_CONN_MAX_AGE"] == "0"


def test_server_cpu_sums_the_access_lines_per_view(bench: ModuleType) -> None:
    """CPU per request per page, from the JSON access lines; other lines are left out."""

    def access(view: str | None, cpu: float) -> str:
        entry = {"logger": "alliantiemonitor.access", "status": 200, "cpu_ms": cpu, "view": view}
        return json.dumps(entry)

    log = "\n".join(
        [
            "[2026-12-03 10:00:00 +0000] [1] [INFO] Booting worker with pid: 12",
            access("practice:caseload", 40.0),
            access("healthz", 1.0),
            access("practice:caseload", 60.0),
            '{"logger": "alliantiemonitor.access", "view": "healthz"}',  # no CPU figure
            '{"logger": "django.request", "cpu_ms": 99.0, "view": "x"}',  # not an access line
            '{"logger": "alliantiemonitor.access", "cpu_ms": 3',  # cut off when the server stopped
            access("practice:caseload", 50.0),
            access(None, 2.0),
        ]
    )
    rows = bench.server_cpu(log)
    assert [(r.view, r.requests) for r in rows] == [
        ("practice:caseload", 3),  # most CPU in total first
        ("(no view)", 1),
        ("healthz", 1),
    ]
    caseload = rows[0]
    assert caseload.mean == pytest.approx(50.0)
    assert caseload.p50 == 50.0
    assert caseload.p95 == 60.0


def test_the_server_logs_json_access_lines_for_the_cpu_figures(
    bench: ModuleType, tmp_path: Path
) -> None:
    env = bench.server_environment(tmp_path)
    assert env["ALLIANTIEMONITOR_LOG_FORMAT"] == "json"
