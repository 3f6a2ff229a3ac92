"""The traffic of ``bench_web.py``: clients, professionals, API calls, and the floor.

Runs in locust's own environment (tools/locust/.venv), never in the app's: it imports nothing
of the project. What it needs (accounts, links, tokens) comes from the fixture file that
``bench_web.py`` writes (``--bench-fixture``). Every kind of request has its own name in the
statistics; an answer other than the page's expected one counts as a failure.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import random
import re
import struct
import time
from typing import Any

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER_INPUT = re.compile(r'name="(answer-[^"]+)" value="([^"]+)"')
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
#: What the autosave's answer holds when the answers were not saved (fill/_saved.html).
SAVE_ERROR = "am-fill-status__error"

#: Think times and answers, not secrets.
RANDOM = random.Random()  # noqa: S311
FIXTURE: dict[str, Any] = {}
#: Shared by the simulated users of one locust process (gevent: one thread).
_next = {"link": 0, "saver_link": 0, "professional": 0, "api": 0}
_requests = {"count": 0}
_environment: dict[str, Any] = {"runner": None}


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--bench-fixture", default="", help="bench_web.py's fixture file")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--max-requests", type=int, default=0, help="stop after this many")
    parser.add_argument("--final-csv", default="", help="write the final statistics here")


@events.init.add_listener
def _load_fixture(environment: Any, **_kwargs: Any) -> None:
    options = environment.parsed_options
    if options and options.bench_fixture:
        with open(options.bench_fixture, encoding="utf-8") as handle:
            FIXTURE.update(json.load(handle))


@events.request.add_listener
def _bound(**_kwargs: Any) -> None:
    """Stop the run after ``--max-requests`` requests (locust bounds time and users itself)."""
    _requests["count"] += 1
    runner = _environment["runner"]
    limit = runner.environment.parsed_options.max_requests if runner else 0
    if limit and _requests["count"] == limit:
        # Not from this greenlet: quitting kills every user's, this one's too, before it ends.
        gevent.spawn(runner.quit)


@events.quitting.add_listener
def _write_final(environment: Any, **_kwargs: Any) -> None:
    """Locust's own CSV rows, written once at the end with every request counted.

    ``--csv`` writes its files every second while the run goes on, so they can miss the last
    second (and everything, when a run stops on ``--max-requests`` within the first).
    """
    prefix = environment.parsed_options.final_csv
    if not prefix:
        return
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    with open(f"{prefix}_stats.csv", "w", newline="", encoding="utf-8") as handle:
        writer.requests_csv(csv.writer(handle))
    with open(f"{prefix}_failures.csv", "w", newline="", encoding="utf-8") as handle:
        writer.failures_csv(csv.writer(handle))


@events.test_start.add_listener
def _remember_runner(environment: Any, **_kwargs: Any) -> None:
    _environment["runner"] = environment.runner


def _take(key: str, items: list[Any]) -> Any:
    """The next unused item of ``items``; the simulated user stops when they are used up."""
    index = _next[key]
    if index >= len(items):
        raise StopUser()
    _next[key] = index + 1
    return items[index]


def totp(key_hex: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows (RFC 6238: SHA-1, 30 s steps)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class BenchUser(HttpUser):
    abstract = True

    def wait_time(self) -> float:
        options = self.environment.parsed_options
        return RANDOM.uniform(options.think_min, options.think_max)

    def csrf_from(self, response: Any) -> str:
        found = CSRF_INPUT.search(response.text or "")
        return found.group(1) if found else ""

    def post_form(self, path: str, data: dict[str, str], name: str, **kwargs: Any) -> Any:
        """A form post as a browser sends it (the page's own origin)."""
        return self.client.post(
            path,
            data=data,
            name=name,
            headers={"Origin": self.host},
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        )


def expect(response: Any, status: int, *, location: str = "", absent: str = "") -> None:
    """Mark ``response`` a failure unless it has ``status`` (and goes to ``location``)."""
    if response.status_code != status:
        response.failure(f"answered {response.status_code}, expected {status}")
    elif location and not response.headers.get("Location", "").endswith(location):
        response.failure(f"went to {response.headers.get('Location')}, expected {location}")
    elif absent and absent in (response.text or ""):
        response.failure(f"the answer holds {absent!r}")
    else:
        response.success()


class ClientBase(BenchUser):
    abstract = True
    link_key = "link"
    links_in = "links"

    def enter(self) -> tuple[str, dict[str, str], list[str], list[str]]:
        """Open a new link; return the form's token, hidden fields, statements and values."""
        secret = _take(self.link_key, FIXTURE[self.links_in])
        # A fresh browser for each client: no cookies of the one before.
        self.client.cookies.clear()
        with self.client.get(
            f"/m/{secret}/", name="client: open link", allow_redirects=False, catch_response=True
        ) as response:
            expect(response, 302, location="/m/start/")
        with self.client.get("/m/start/", name="client: intro", catch_response=True) as response:
            expect(response, 200)
        self.wait()
        with self.client.get(
            "/m/invullen/", name="client: questionnaire", catch_response=True
        ) as page:
            expect(page, 200)
        text = page.text or ""
        statements = sorted({name for name, _value in ANSWER_INPUT.findall(text)})
        values = sorted({value for _name, value in ANSWER_INPUT.findall(text)})
        hidden = {k: v for k, v in HIDDEN_INPUT.findall(text) if k != "csrfmiddlewaretoken"}
        return self.csrf_from(page), hidden, statements, values

    def save(self, token: str, fields: dict[str, str]) -> None:
        """What autosave.js sends after a change: the whole form as FormData (multipart)."""
        body = {"csrfmiddlewaretoken": token, **fields}
        with self.client.post(
            "/m/invullen/",
            files={key: (None, value) for key, value in body.items()},
            name="client: save answer",
            headers={"HX-Request": "true", "X-CSRFToken": token, "Origin": self.host},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expect(response, 200, absent=SAVE_ERROR)


class ClientUser(ClientBase):
    """A client with a personal link: intro, the statements one by one, the summary, send."""

    weight = 3

    @task
    def fill_in(self) -> None:
        token, hidden, statements, values = self.enter()
        answers: dict[str, str] = {}
        for statement in RANDOM.sample(statements, len(statements)):
            self.wait()
            # Mostly a point of the scale, now and then "rather not say".
            answers[statement] = RANDOM.choice([v for v in values if v != "skip"] or values)
            self.save(token, {**hidden, **answers})
        self.wait()
        with self.client.get(
            "/m/versturen/", name="client: summary", catch_response=True
        ) as summary:
            expect(summary, 200)
        self.wait()
        with self.post_form(
            "/m/versturen/", {"csrfmiddlewaretoken": self.csrf_from(summary)}, "client: send"
        ) as response:
            expect(response, 302, location="/m/klaar/")
        with self.client.get("/m/klaar/", name="client: done", catch_response=True) as response:
            expect(response, 200)


class SaverUser(ClientBase):
    """Answer saving alone: one client changing answers as fast as the server takes them."""

    link_key = "saver_link"
    links_in = "saver_links"

    def on_start(self) -> None:
        self.token, self.hidden, self.statements, self.values = self.enter()

    @task
    def save_one(self) -> None:
        statement = RANDOM.choice(self.statements)
        self.save(self.token, {**self.hidden, statement: RANDOM.choice(self.values)})


class ProfessionalUser(BenchUser):
    """A professional: logs in once (password and app code), then the caseload and a client."""

    weight = 2

    def on_start(self) -> None:
        self.account = _take("professional", FIXTURE["professionals"])
        login = self.client.get("/inloggen/", name="professional: login page")
        with self.post_form(
            "/inloggen/",
            {
                "csrfmiddlewaretoken": self.csrf_from(login),
                "username": self.account["username"],
                "password": self.account["password"],
            },
            "professional: log in (password)",
        ) as response:
            expect(response, 302)
        step = self.client.get(
            response.headers.get("Location", "/"), name="professional: code page"
        )
        with self.post_form(
            step.url.removeprefix(self.host),
            {"csrfmiddlewaretoken": self.csrf_from(step), "code": totp(self.account["totp_key"])},
            "professional: log in (code)",
        ) as response:
            expect(response, 302)
            if "/inloggen/" in response.headers.get("Location", "") or "tweede-stap" in (
                response.headers.get("Location", "")
            ):
                response.failure("the code was not taken")

    @task(2)
    def caseload(self) -> None:
        with self.client.get(
            "/clienten/", name="professional: caseload", catch_response=True
        ) as response:
            expect(response, 200)

    @task
    def joint_view(self) -> None:
        if not self.account["joint_rounds"]:
            return
        uuid = RANDOM.choice(self.account["joint_rounds"])
        with self.client.get(
            f"/gesprek/{uuid}/", name="professional: joint view", catch_response=True
        ) as response:
            expect(response, 200)

    @task
    def course(self) -> None:
        if not self.account["trajectories"]:
            return
        uuid = RANDOM.choice(self.account["trajectories"])
        with self.client.get(
            f"/verloop/{uuid}/", name="professional: course", catch_response=True
        ) as response:
            expect(response, 200)


class ApiUser(BenchUser):
    """A case-management system with a token: lists, signals and a round's results."""

    weight = 1

    def on_start(self) -> None:
        # More API users than tokens share them round the table.
        self.token = FIXTURE["api"][_next["api"] % len(FIXTURE["api"])]
        _next["api"] += 1
        self.client.headers["Authorization"] = f"Bearer {self.token['secret']}"

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            expect(response, 200)

    @task(2)
    def trajectories(self) -> None:
        self.get("/api/v1/trajectories/", "API: trajectories")

    @task
    def signals(self) -> None:
        self.get("/api/v1/signals/", "API: signals")

    @task
    def results(self) -> None:
        if self.token["rounds"]:
            uuid = RANDOM.choice(self.token["rounds"])
            self.get(f"/api/v1/rounds/{uuid}/results/", "API: a round's results")


class FloorUser(BenchUser):
    """The floor: a bare Django view that asks the database ``SELECT 1``."""

    @task
    def healthz(self) -> None:
        with self.client.get("/healthz", name="floor: /healthz", catch_response=True) as response:
            expect(response, 200)
