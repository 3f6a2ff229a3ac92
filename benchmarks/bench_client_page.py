"""Measure what the client's questionnaire page weighs on first load, as Chromium sees it.

Runs a production-like server (DEBUG off, collected and pre-compressed static files, gzip on
pages) on 127.0.0.1 with a throw-away SQLite database, creates one round per variant, and for
each variant and each way a client reaches the questionnaire -- their own personal link, or the
professional's device handed over -- gets a client session in a fresh browser context, then
loads the questionnaire page (as the variant shows it, and as the card game) with an empty
cache and adds up every response's transferred bytes (headers + encoded body). It also checks
that every static file has a cache-busting (hashed) name and a long cache lifetime.

    .venv/bin/python benchmarks/bench_client_page.py [--budget 25600] [--max-requests 5]

Exits 1 when a page is over either budget (25 KB and 5 requests, the bar of issue 10) or a
static file could be cached stale.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLIANTIEMONITOR_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "ALLIANTIEMONITOR_DATA_DIR": str(data_dir),
            "STATIC_MANIFEST": "true",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            # The hand-over is measured from a professional's login; the code step is not.
            "ALLIANTIEMONITOR_REQUIRE_2FA": "false",
            "DJANGO_SETTINGS_MODULE": "alliantiemonitor.settings",
        }
    )
    env.pop("DATABASE_URL", None)
    return env


SETUP = """
import datetime as dt
from django.contrib.auth import get_user_model
from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.organisations.services import membership_grant, organisation_create
from alliantiemonitor.trajectories.services import client_create, trajectory_start

from django.urls import reverse

user = get_user_model().objects.create_user("bench", password="bench-password-123")
user.must_change_password = False
user.save()
org = organisation_create(name="Bench", slug="bench", domain="reclassering")
membership_grant(user=user, organisation=org, role="professional")
for variant in ("standaard", "kort", "eenvoudig"):
    client = client_create(organisation=org, display_name="B." + variant[0].upper() + ".",
                           by=user, easy_read=variant == "eenvoudig")
    trajectory = trajectory_start(client=client, professional=user, legal_frame="Toezicht",
                                  start_date=dt.date.today())
    measurement_round = round_start(trajectory=trajectory, by=user, instrument_id=variant)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=user)
    print(f"LINK {variant} {secret}")
    print(f"ROUND {variant} {reverse('measurements:round_detail', args=[measurement_round.uuid])}")
"""
USERNAME, PASSWORD = "bench", "bench-password-123"
MODES = ("own link", "hand-over")
#: The presentations of the questionnaire: the variant's own, and the card game.
PRESENTATIONS = {"list": "", "cards": "?weergave=kaarten"}
#: What WhiteNoise serves for a hashed (cache-busted) static name: cache for ten years.
LONG_CACHE = re.compile(r"max-age=(\d+)")
ONE_YEAR = 365 * 24 * 3600


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


Row = tuple[str, int, int, str]


def _client_state(
    browser: Any, base: str, mode: str, token: str, round_path: str, cards: bool = False
) -> Any:
    """Get a client session as a client would, and return the browser state that holds it."""
    entry = browser.new_context()
    page = entry.new_page()
    if mode == "own link":
        page.goto(f"{base}/m/{token}/")
    else:
        page.goto(f"{base}/inloggen/")
        page.locator("#id_username").fill(USERNAME)
        page.locator("#id_password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        page.goto(f"{base}{round_path}")
        # "Hand over this device", or "Hand over as a card game" for the card game.
        buttons = page.locator("form[action$='/overhandigen/'] button[type=submit]")
        hand_over = buttons.and_(page.locator("[value=kaarten]")) if cards else buttons.first
        with page.expect_navigation():
            hand_over.click()
        if "/m/" not in page.url:
            raise SystemExit(f"the hand-over did not reach the client pages: {page.url}")
    state = entry.storage_state()
    entry.close()
    return state


def measure(base: str, mode: str, token: str, round_path: str, query: str = "") -> list[Row]:
    """Return (url, header bytes, encoded body bytes, Cache-Control) for every response of a
    first load of the questionnaire in ``mode`` (``query``: the presentation, for example
    ``?weergave=kaarten`` for the card game)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        # First context: the personal link or the hand-over (sets the client session).
        state = _client_state(browser, base, mode, token, round_path, cards=bool(query))
        # Second context: the same session cookie, an empty cache: a true first load.
        context = browser.new_context(storage_state=state)
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{base}/m/invullen/{query}", wait_until="networkidle")
        rows = []
        for response in responses:
            sizes = response.request.sizes()
            rows.append(
                (
                    response.url,
                    sizes["responseHeadersSize"],
                    sizes["responseBodySize"],
                    response.headers.get("cache-control", ""),
                )
            )
        context.close()
        browser.close()
    return rows


def _cache_problem(base: str, url: str, cache_control: str) -> str | None:
    """Why a static response could be cached stale or fetched again, or None."""
    path = url.removeprefix(base)
    if not path.startswith("/static/"):
        return None
    if not re.search(r"\.[0-9a-f]{12}\.[a-z]+$", path):
        return "no cache-busting (hashed) name"
    age = LONG_CACHE.search(cache_control)
    if age is None or int(age.group(1)) < ONE_YEAR:
        return f"cached too briefly ({cache_control or 'no Cache-Control'})"
    return None


def _report(
    base: str, variant: str, mode: str, rows: list[Row], budget: int, max_requests: int
) -> bool:
    """Print one page's figures; return True when it is over a budget or badly cached."""
    total = sum(headers + body for _url, headers, body, _cache in rows)
    body_total = sum(body for _url, _headers, body, _cache in rows)
    print(
        f"\n{variant} ({mode}): {len(rows)} responses, {total:,} B transferred "
        f"({total / 1024:.1f} KB; bodies {body_total / 1024:.1f} KB)"
    )
    problems = []
    for url, headers, body, cache_control in rows:
        problem = _cache_problem(base, url, cache_control)
        print(f"  {headers + body:>7,} B  {url.removeprefix(base)}  [{cache_control}]")
        if problem:
            problems.append(f"{url.removeprefix(base)}: {problem}")
    if total > budget:
        problems.append(f"{total:,} bytes is over the budget of {budget:,}")
    if len(rows) > max_requests:
        problems.append(f"{len(rows)} requests is over the budget of {max_requests}")
    for problem in problems:
        print(f"  OVER: {problem}")
    return bool(problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=25 * 1024, help="bytes per page")
    parser.add_argument("--max-requests", type=int, default=5, help="requests per page")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`")
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="am-bench-"))
    env = _environment(data_dir)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    setup = [line.split() for line in _manage(env, "shell", "-c", SETUP).splitlines()]
    links = {words[1]: words[2] for words in setup if words[:1] == ["LINK"]}
    rounds = {words[1]: words[2] for words in setup if words[:1] == ["ROUND"]}
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    over = False
    try:
        _wait_for(f"{base}/healthz")
        print(
            f"Client questionnaire page, first load (budget {args.budget:,} bytes, "
            f"{args.max_requests} requests)"
        )
        for variant, token in links.items():
            for presentation, query in PRESENTATIONS.items():
                for mode in MODES:
                    rows = measure(base, mode, token, rounds[variant], query)
                    over |= _report(
                        base,
                        variant,
                        f"{mode}, {presentation}",
                        rows,
                        args.budget,
                        args.max_requests,
                    )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    print("\nOVER BUDGET" if over else "\nwithin budget")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
