"""Run the app as production would serve it, on 127.0.0.1, with a throw-away database.

Shared by the scripts that look at the client pages from the outside: the page-weight benchmark
(bench_client_page.py), the Lighthouse run (lighthouse_client_pages.py) and the screenshots of
the client modes (scripts/screenshots.py). DEBUG is off, static files are collected with hashed
names and served pre-compressed, and the data (SQLite, uploads) lives in a temporary folder that
is removed afterwards.

    with running_app(SETUP) as app:
        app.base            # "http://127.0.0.1:<port>"
        app.lines           # what the set-up code printed, one list of words per line
"""

from __future__ import annotations

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
USERNAME, PASSWORD = "bench", "bench-password-123"

#: Django shell code that makes a professional ("bench") and, per variant, a client with a
#: round and a personal link; prints ``LINK <variant> <secret>`` and ``ROUND <variant> <path>``.
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


def a_round(variant, name, language="nl"):
    client = client_create(organisation=org, display_name=name, by=user,
                           easy_read=variant == "eenvoudig")
    client.preferred_language = language
    client.save()
    trajectory = trajectory_start(client=client, professional=user, legal_frame="Toezicht",
                                  start_date=dt.date.today())
    measurement_round = round_start(trajectory=trajectory, by=user, instrument_id=variant)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=user)
    return secret, reverse("measurements:round_detail", args=[measurement_round.uuid])


for variant in ("standaard", "kort", "eenvoudig"):
    secret, path = a_round(variant, "B." + variant[0].upper() + ".")
    print(f"LINK {variant} {secret}")
    print(f"ROUND {variant} {path}")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path) -> dict[str, str]:
    """Production-like settings on plain HTTP at 127.0.0.1, with fresh keys."""
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
            # The hand-over starts from a professional's login; the code step is not measured.
            "ALLIANTIEMONITOR_REQUIRE_2FA": "false",
            "DJANGO_SETTINGS_MODULE": "alliantiemonitor.settings",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    env.pop("DATABASE_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


@dataclass
class App:
    base: str
    lines: list[list[str]]

    def values(self, key: str) -> dict[str, str]:
        """``{second word: third word}`` of every printed line that starts with ``key``."""
        return {words[1]: words[2] for words in self.lines if words[:1] == [key]}


@contextmanager
def running_app(setup: str = SETUP) -> Iterator[App]:
    """Migrate a fresh database, run ``setup`` in Django's shell, serve; clean up after."""
    data_dir = Path(tempfile.mkdtemp(prefix="am-client-app-"))
    env = environment(data_dir)
    server = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        lines = [line.split() for line in manage(env, "shell", "-c", setup).splitlines()]
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        yield App(base=base, lines=lines)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    )


def hand_over(page: Any, base: str, round_path: str, *, cards: bool = False) -> None:
    """Log the professional in on ``page`` and hand the device over for the round's client
    (with ``cards``, as the card game)."""
    page.goto(f"{base}/inloggen/")
    page.locator("#id_username").fill(USERNAME)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(f"{base}{round_path}")
    # "Hand over this device", or "Hand over as a card game" for the card game.
    buttons = page.locator("form[action$='/overhandigen/'] button[type=submit]")
    button = buttons.and_(page.locator("[value=kaarten]")) if cards else buttons.first
    with page.expect_navigation():
        button.click()
    if "/m/" not in page.url:
        raise SystemExit(f"the hand-over did not reach the client pages: {page.url}")
