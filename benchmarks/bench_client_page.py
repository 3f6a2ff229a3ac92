"""Measure what the client's questionnaire page weighs on first load, as Chromium sees it.

Runs a production-like server (DEBUG off, collected and pre-compressed static files, gzip on
pages) on 127.0.0.1 with a throw-away SQLite database, creates one round per variant with a
personal link, opens the link in a fresh browser context, then loads the questionnaire page
with an empty cache and adds up every response's transferred bytes (headers + encoded body).

    .venv/bin/python benchmarks/bench_client_page.py [--budget 61440]

Exits 1 when a page is over the budget (60 KB by default, the bar of issue 3).
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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

user = get_user_model().objects.create_user("bench", password="bench-password-123")
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
"""


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


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


def measure(base: str, token: str) -> list[tuple[str, int, int]]:
    """Return (url, header bytes, encoded body bytes) for every response of a first load."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        # First context: open the personal link (sets the client session), then go on to the
        # questionnaire, as a client would.
        entry = browser.new_context()
        page = entry.new_page()
        page.goto(f"{base}/m/{token}/")
        state = entry.storage_state()
        entry.close()
        # Second context: the same session cookie, an empty cache: a true first load.
        context = browser.new_context(storage_state=state)
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{base}/m/invullen/", wait_until="networkidle")
        rows = []
        for response in responses:
            sizes = response.request.sizes()
            rows.append((response.url, sizes["responseHeadersSize"], sizes["responseBodySize"]))
        context.close()
        browser.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=60 * 1024, help="bytes per page")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`")
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="am-bench-"))
    env = _environment(data_dir)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    links = {
        line.split()[1]: line.split()[2]
        for line in _manage(env, "shell", "-c", SETUP).splitlines()
        if line.startswith("LINK ")
    }
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
        print(f"Client questionnaire page, first load (budget {args.budget / 1024:.0f} KB)")
        for variant, token in links.items():
            rows = measure(base, token)
            total = sum(headers + body for _url, headers, body in rows)
            body_total = sum(body for _url, _headers, body in rows)
            print(
                f"\n{variant}: {len(rows)} responses, {total / 1024:.1f} KB transferred "
                f"({body_total / 1024:.1f} KB bodies)"
            )
            for url, headers, body in rows:
                print(f"  {headers + body:>7,} B  {url.removeprefix(base)}")
            over |= total > args.budget
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    print("\nOVER BUDGET" if over else "\nwithin budget")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
