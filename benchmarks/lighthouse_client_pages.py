"""Lighthouse on every client page, on its mobile profile: accessibility 100, performance >= 95.

Runs the app as production serves it (see client_app.py), and for each variant (standaard, kort,
eenvoudig) walks a client through their link in Chromium: the intro, the questionnaire (a list,
or one statement per screen for eenvoudig), the confirm page and the "sent" page; plus the page
a bad link gets. Each page is audited by Lighthouse (npm, pinned in tools/lighthouse/) with
Debian's Chromium, its default mobile form factor and simulated throttling, carrying the
client's session cookie. The JSON and HTML reports go to var/lighthouse/; a table is printed.

    make lighthouse          # installs tools/lighthouse with npm ci, then runs this

Exits 1 when a page scores under the bar (or Lighthouse could not audit it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
OUTPUT = ROOT / "var" / "lighthouse"
#: Lighthouse's measure of the machine's speed, per audited page (printed with the table).
machines: list[float | None] = []
CHROME_FLAGS = "--headless=new --no-sandbox --disable-background-networking"
CATEGORIES = "accessibility,performance,best-practices"
MIN_ACCESSIBILITY = 100
MIN_PERFORMANCE = 95


@dataclass(frozen=True)
class Result:
    """What one Lighthouse report says about one page (scores 0-100, None when not scored)."""

    page: str
    accessibility: int | None
    performance: int | None
    best_practices: int | None
    lcp_ms: float | None
    tbt_ms: float | None
    cls: float | None
    transferred: int | None
    error: str | None = None
    failed_audits: tuple[str, ...] = ()


def _score(report: dict[str, Any], category: str) -> int | None:
    score = report.get("categories", {}).get(category, {}).get("score")
    return None if score is None else round(score * 100)


def _value(report: dict[str, Any], audit: str) -> float | None:
    value = report.get("audits", {}).get(audit, {}).get("numericValue")
    return None if value is None else float(value)


def summarise(page: str, report: dict[str, Any]) -> Result:
    """Read the figures of one page out of a Lighthouse JSON report (``--output json``)."""
    error = report.get("runtimeError", {}).get("code") if report.get("runtimeError") else None
    failed = []
    for category in ("accessibility", "best-practices"):
        for ref in report.get("categories", {}).get(category, {}).get("auditRefs", []):
            audit = report.get("audits", {}).get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") not in (None, 1):
                failed.append(ref["id"])
    transferred = _value(report, "total-byte-weight")
    return Result(
        page=page,
        accessibility=_score(report, "accessibility"),
        performance=_score(report, "performance"),
        best_practices=_score(report, "best-practices"),
        lcp_ms=_value(report, "largest-contentful-paint"),
        tbt_ms=_value(report, "total-blocking-time"),
        cls=_value(report, "cumulative-layout-shift"),
        transferred=None if transferred is None else int(transferred),
        error=error,
        failed_audits=tuple(failed),
    )


def median_run(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median performance score (Lighthouse's own advice against variance:
    the machine's load shows up as main-thread time that is not the page's). A run that
    failed counts as the lowest."""

    def performance(report: dict[str, Any]) -> float:
        score = report.get("categories", {}).get("performance", {}).get("score")
        return -1.0 if report.get("runtimeError") or score is None else float(score)

    ordered = sorted(reports, key=performance)
    return ordered[(len(ordered) - 1) // 2]


def problems(
    results: list[Result],
    *,
    min_accessibility: int = MIN_ACCESSIBILITY,
    min_performance: int = MIN_PERFORMANCE,
) -> list[str]:
    """One line per page that misses the bar; an unscored page misses it too."""
    found = []
    for result in results:
        if result.error:
            found.append(f"{result.page}: Lighthouse could not audit it ({result.error})")
            continue
        if result.accessibility is None or result.accessibility < min_accessibility:
            found.append(
                f"{result.page}: accessibility {result.accessibility} < {min_accessibility}"
                + (f" ({', '.join(result.failed_audits)})" if result.failed_audits else "")
            )
        if result.performance is None or result.performance < min_performance:
            found.append(f"{result.page}: performance {result.performance} < {min_performance}")
    return found


def table(results: list[Result]) -> str:
    """The figures as a Markdown table (printed, and pasted into docs/)."""

    def show(value: float | None, fmt: str) -> str:
        return "–" if value is None else format(value, fmt)

    lines = [
        "| Page | Accessibility | Performance | Best practices | LCP | TBT | CLS | Transferred |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.page} | {show(r.accessibility, 'd')} | {show(r.performance, 'd')} "
            f"| {show(r.best_practices, 'd')} | {show(r.lcp_ms, '.0f')} ms "
            f"| {show(r.tbt_ms, '.0f')} ms | {show(r.cls, '.3f')} "
            f"| {show(None if r.transferred is None else r.transferred / 1024, '.1f')} KB |"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- running


def lighthouse(
    url: str, name: str, cookie: str | None, *, runs: int = 1, error_page: bool = False
) -> dict[str, Any]:
    """Audit ``url`` with Lighthouse ``runs`` times; keep the median run as
    var/lighthouse/<name>.report.{json,html} and return it.

    Lighthouse refuses a page answered with an error status unless told that is expected
    (``error_page``: the friendly 404 page of a bad link is a page a client does see).
    """
    from client_app import CHROMIUM

    OUTPUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    reports = []
    for run in range(1, runs + 1):
        # Lighthouse takes what follows the last dot of --output-path for an extension and
        # replaces it: no dot in the stem, or every run would write <name>.report.json.
        stem = OUTPUT / f"{name}-run{run}"
        command = [
            "node",
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            "--output=html",
            f"--output-path={stem}",
            f"--only-categories={CATEGORIES}",
            f"--chrome-flags={CHROME_FLAGS}",
        ]
        if error_page:
            command.append("--ignore-status-code")
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        subprocess.run(command, env=env, check=False, capture_output=True)  # noqa: S603
        path = stem.with_name(stem.name + ".report.json")
        if path.exists():
            report = json.loads(path.read_text(encoding="utf-8"))
            report["_run"] = run
            reports.append(report)
        else:
            reports.append({"runtimeError": {"code": "NO_REPORT"}, "_run": run})
    chosen: dict[str, Any] = median_run(reports)
    for suffix in ("json", "html"):
        source = OUTPUT / f"{name}-run{chosen['_run']}.report.{suffix}"
        if source.exists():
            shutil.copyfile(source, OUTPUT / f"{name}.report.{suffix}")
    return chosen


def _cookie_header(context: Any) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def _answer_list(page: Any) -> None:
    statements = page.locator("fieldset.am-statement")
    for index in range(statements.count()):
        with page.expect_response(lambda r: r.request.method == "POST"):
            statements.nth(index).locator("label.am-choice").nth(3).click()
    with page.expect_navigation(wait_until="load"):
        page.locator("button[name=action][value=review]").first.click()


def _answer_one_per_screen(page: Any) -> None:
    while "/m/invullen/" in page.url:
        page.locator("fieldset.am-statement label.am-choice").nth(3).click()
        with page.expect_navigation(wait_until="load"):
            page.locator("button[name=action][value=next]").click()


def audit_variant(browser: Any, base: str, variant: str, token: str, runs: int) -> list[Result]:
    """Walk one client through their link; audit each page on the way."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/m/{token}/", wait_until="load")  # the session cookie; the intro
    results = []

    def audit(label: str, path: str) -> None:
        name = f"{variant}-{label}"
        print(f"  {name} ...", flush=True)
        report = lighthouse(f"{base}{path}", name, _cookie_header(context), runs=runs)
        machines.append(report.get("environment", {}).get("benchmarkIndex"))
        results.append(summarise(f"{variant}: {label}", report))

    audit("intro", "/m/start/")
    audit("questionnaire", "/m/invullen/")
    # The card game: the same page in the other presentation (the session remembers the
    # choice, so the list is chosen again before answering).
    audit("cards", "/m/invullen/?weergave=kaarten")
    page.goto(f"{base}/m/invullen/?weergave=lijst", wait_until="load")
    if variant == "eenvoudig":
        _answer_one_per_screen(page)
    else:
        _answer_list(page)
    if "/m/versturen/" not in page.url:
        raise SystemExit(f"{variant}: did not reach the confirm page ({page.url})")
    audit("confirm", "/m/versturen/")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").last.click()
    if "/m/klaar/" not in page.url:
        raise SystemExit(f"{variant}: did not reach the sent page ({page.url})")
    audit("sent", "/m/klaar/")
    context.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variant", action="append", help="only this variant (repeatable)")
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs per page; the median one counts"
    )
    args = parser.parse_args()
    from client_app import launch_chromium, running_app
    from playwright.sync_api import sync_playwright

    if not LIGHTHOUSE.exists():
        print(f"Lighthouse is not installed at {LIGHTHOUSE}; run `make lighthouse`")
        return 2
    results: list[Result] = []
    with running_app() as app, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for variant, token in app.values("LINK").items():
            if args.variant and variant not in args.variant:
                continue
            print(f"{variant}:", flush=True)
            results += audit_variant(browser, app.base, variant, token, args.runs)
        browser.close()
        print("error page:", flush=True)
        report = lighthouse(
            f"{app.base}/m/this-link-does-not-exist/", "bad-link", None, error_page=True
        )
        results.append(summarise("bad link (error page)", report))
    print()
    print(table(results))
    indexes = [int(index) for index in machines if index]
    if indexes:
        print(
            f"\nMedian of {args.runs} run(s) per page; Lighthouse's benchmarkIndex of this "
            f"machine {min(indexes)}-{max(indexes)} (a mid-range laptop is about 1000-2000)"
        )
    found = problems(results)
    for line in found:
        print(f"BELOW THE BAR: {line}")
    print(f"\nReports in {OUTPUT.relative_to(ROOT)}/")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
