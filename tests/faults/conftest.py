"""Fault tests: the real application in a process of its own, clients over HTTP (PostgreSQL).

The data the server process needs is committed first (``transactional_db``); every process
still running at the end of a test is killed.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

from alliantiemonitor.measurements.client_session import client_session_start
from alliantiemonitor.measurements.constants import InvitationKind
from alliantiemonitor.measurements.forms import answer_field_name
from alliantiemonitor.measurements.services import invitation_create, response_save_answers
from tests.factories import (
    AssignmentFactory,
    ClientFactory,
    MeasurementRoundFactory,
    TrajectoryFactory,
    full_answers,
)
from tests.jobs.processes import ROOT, database_url, wait_for

SERVE = ROOT / "tests" / "faults" / "serve.py"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the fault tests run the application in other processes (PostgreSQL)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """``tests/faults/serve.py`` in a process of its own; (re)started and killed by the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *args: str, database: str | None = None, **env: str) -> None:
        self.starts += 1
        environment = {
            **os.environ,
            "DATABASE_URL": database or database_url(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "ALLIANTIEMONITOR_DATA_DIR": str(self.tmp_path),
            "DEBUG": "false",
            **env,
        }
        log = (self.tmp_path / f"server-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(SERVE), str(self.port), *args],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, 120, f"the app server on port {self.port}\n{self.log()}")

    def _answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log()
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).status_code < 500
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or still loading the application (slow on a busy machine).
            return False

    def log(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.tmp_path.glob("server-*.log"))
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    server = AppServer(tmp_path)
    try:
        yield server
    finally:
        server.kill()


class ClientBrowser:
    """One client with a personal link, in a browser session of their own (cookies)."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.base_url = base_url
        self.secret = secret
        self.http = requests.Session()
        self.http.headers["Connection"] = "close"
        self.csrf = ""

    @classmethod
    def in_session(cls, base_url: str, invitation: Any) -> ClientBrowser:
        """A client who came in with ``invitation`` before (a session and a form token).

        Made here rather than over HTTP, to spare the server a few hundred requests before the
        moment that the test is about.
        """
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        client_session_start(
            SimpleNamespace(session=store), round=invitation.round, invitation=invitation
        )
        store.save()
        browser = cls(base_url, "")
        browser.http.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
        # An unmasked CSRF secret is a valid form token too.
        browser.csrf = get_random_string(CSRF_SECRET_LENGTH)
        browser.http.cookies.set(settings.CSRF_COOKIE_NAME, browser.csrf)
        return browser

    def enter(self) -> requests.Response:
        return self.http.get(f"{self.base_url}/m/{self.secret}/", timeout=60)

    def open_form(self, path: str) -> requests.Response:
        """Open the page at ``path`` and keep its form token for the next posts."""
        page = self.http.get(f"{self.base_url}{path}", timeout=60)
        found = CSRF_INPUT.search(page.text)
        assert found, f"no form on {path} ({page.status_code})"
        self.csrf = found.group(1)
        return page

    def post(self, path: str, data: dict[str, Any]) -> requests.Response:
        return self.http.post(
            f"{self.base_url}{path}",
            data={**data, "csrfmiddlewaretoken": self.csrf},
            allow_redirects=False,
            timeout=120,
        )

    def twin(self) -> ClientBrowser:
        """The same browser session in a second tab (its own connection, the same cookies)."""
        other = ClientBrowser(self.base_url, self.secret)
        other.http.cookies.update(self.http.cookies)
        other.csrf = self.csrf
        return other


def answer_fields(answers: dict[str, Any]) -> dict[str, str]:
    return {
        answer_field_name(item): "skip" if value is None else str(value)
        for item, value in answers.items()
    }


def make_client_round(organisation: Any, professional: Any, *, draft: bool) -> tuple[Any, Any, str]:
    """An open round of a new client of ``professional`` with a link; ``draft``: all answered.

    Returns the round, the link's invitation and its secret.
    """
    trajectory = TrajectoryFactory(
        organisation=organisation, client=ClientFactory(organisation=organisation)
    )
    AssignmentFactory(trajectory=trajectory, professional=professional)
    measurement_round = MeasurementRoundFactory(
        trajectory=trajectory, opened_by=professional, professional=professional
    )
    invitation, secret = invitation_create(
        round=measurement_round, kind=InvitationKind.LINK, by=professional
    )
    if draft:
        response_save_answers(
            round=measurement_round,
            rater="client",
            answers=full_answers(measurement_round.instrument, "client", 4),
            mode="own_device",
        )
    return measurement_round, invitation, secret
