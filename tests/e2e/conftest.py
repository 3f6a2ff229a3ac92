"""Browser tests: Playwright driving Debian's Chromium (no browser download).

They skip with a clear message when Chromium is absent, except in CI, where a missing browser
is a failure (`make install-test` installs it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's database access
    # happens in the same thread but outside that loop, so Django's guard does not apply.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console_errors = []  # CSP violations and failed requests show up here
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.external_requests = []
    page.on(
        "request",
        lambda r: (
            page.external_requests.append(r.url)
            if not r.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    yield page
    context.close()


AXE_SOURCE = (
    __import__("pathlib").Path(__file__).resolve().parents[2]
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """Run axe-core on the page as it is now; fail on any WCAG 2.1 A/AA violation.

    The script is evaluated through the DevTools protocol, which the page's CSP does not
    govern, so the page keeps its strict policy during the check.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert problems == [], f"{page.url}:\n" + "\n".join(problems)
