"""Browser tests: Playwright driving Debian's Chromium (no browser download).

They skip with a clear message when Chromium is absent, except in CI, where a missing browser
is a failure (`make install-test` installs it).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """Django's test server, answering one request at a time on SQLite.

    The test database on SQLite is in memory, in shared-cache mode: every request thread's
    connection shares one cache, whose table locks fail at once ("database table is locked")
    instead of waiting as SQLite on a file does, and whose writers are not serialised (two
    requests appending an audit event at once both took the same sequence number). So two
    requests at once (a page's htmx fragments, an autosave beside a form post) failed now and
    then. Here the whole request, its body included, runs under one lock; connections stay
    threaded, so a browser's keep-alive connections do not block each other. PostgreSQL keeps
    Django's concurrent server.
    """

    def set_app(self, application: Any) -> None:
        from django.db import connection

        if connection.vendor != "sqlite":
            super().set_app(application)
            return
        lock = threading.Lock()

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                result = application(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return [body]

        super().set_app(one_at_a_time)


# pytest-django's live server builds Django's server thread, which takes its server from here.
LiveServerThread.server_class = OneRequestAtATimeServer


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


PASSWORD = "a-long-demo-password"


@pytest.fixture
def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    """Open pages, each in a fresh browser context (one person); all closed after the test.

    Each page records console errors (a CSP violation shows up there) and requests to other
    hosts. Closing the contexts before the live server stops also ends the browser's keep-alive
    connections, which would otherwise outlive the test's database.
    """
    contexts = []

    def open_page(*, locale: str = "en-GB", phone: bool = False):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            locale=locale,
            viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        )
        # A busy machine (two test processes, a live server each) can take longer than
        # Playwright's 30 s for one step; a real failure still fails, only later.
        context.set_default_timeout(90_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.external_requests = []
        page.on(
            "console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on(
            "request",
            lambda r: (
                page.external_requests.append(r.url)
                if not r.url.startswith((live_server.url, "data:"))
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):  # type: ignore[no-untyped-def]
    """One page in Dutch, the product's default language."""
    return new_page(locale="nl-NL")


def log_in(page, live_server, user, at_code_step=None) -> None:  # type: ignore[no-untyped-def]
    """Log ``user`` in through the login form and the code step, as a person does (any language).

    The user gets a known password and, unless they have one, an authenticator app whose code
    the test computes from the device's key (what the app on a phone does). ``at_code_step``
    is called with the page while it asks for the code.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import current_code

    user.set_password(PASSWORD)
    user.must_change_password = False  # a known test password, not one an admin handed out
    user.save()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    page.goto(f"{live_server.url}/inloggen/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tweede-stap/**")
    if at_code_step is not None:
        at_code_step(page)
    page.locator("#id_code").fill(current_code(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/tweede-stap/" not in url)


def open_client_questionnaire(new_page, live_server, professional, trajectory):  # type: ignore[no-untyped-def]
    """Start a round, open the client's link on a phone and go to the first statements.

    Returns the page once the questionnaire has loaded: on the intro page, or a half-loaded
    one, the statements and the Save button are not there yet.
    """
    from alliantiemonitor.measurements.services import invitation_create, round_start

    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/m/{secret}/")
    with page.expect_navigation(wait_until="load"):
        page.locator("main a.utrecht-button").first.click()
    return page


def _axe_source() -> Any:
    """axe-core from the front-end packages (``NODE_MODULES_DIR`` when set)."""
    from django.conf import settings

    return __import__("pathlib").Path(settings.NODE_MODULES_DIR) / "axe-core" / "axe.min.js"


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """Run axe-core on the page as it is now; fail on any WCAG 2.1 A/AA violation."""
    problems = axe_violations(page)
    assert problems == [], f"{page.url}:\n" + "\n".join(problems)


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Run axe-core on the page as it is now; one line per WCAG 2.1 A/AA violation.

    The script is evaluated through the DevTools protocol, which the page's CSP does not
    govern, so the page keeps its strict policy during the check.
    """
    from playwright.sync_api import Error as PlaywrightError

    result = None
    for attempt in range(3):
        # A click that submits a form returns once the next page has started to load; check
        # the page that is there once it has loaded, not the one being replaced.
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(_axe_source().read_text(encoding="utf-8") + "\n;0")
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
            )
            break
        except PlaywrightError as error:
            # The document was replaced while axe ran (a navigation still in flight): run
            # again on the new one. Anything else is a real failure.
            transient = ("Execution context was destroyed", "documentElement", "navigat")
            if attempt == 2 or not any(text in str(error) for text in transient):
                raise
    assert result is not None
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    return problems
