"""Request ids and JSON log lines (``ALLIANTIEMONITOR_LOG_FORMAT=json``), without secrets."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.urls import reverse

from alliantiemonitor.web.logging import JsonFormatter, RequestContextFilter, redact
from alliantiemonitor.web.request_id import request_id_for
from tests.jobs.processes import ROOT

pytestmark = pytest.mark.django_db

LINK_TOKEN = "Qx3-abcdefghijklmnopqrstuvwxyz_0123456789AB"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged during the test, as the production JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    access = logging.getLogger("alliantiemonitor.access")
    old_level = access.level
    access.setLevel(logging.INFO)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        access.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert len(first) == 32
    assert int(first, 16) >= 0
    assert first != second


def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="nginx-4f2a9c01d3e5")
    assert response["X-Request-ID"] == "nginx-4f2a9c01d3e5"


@pytest.mark.parametrize(
    "incoming",
    ["short", "has space in it", 'quote"injected', "line\nbreak-in-it", "x" * 200, "-leading"],
)
def test_a_malformed_request_id_is_replaced(incoming):
    replaced = request_id_for(incoming)
    assert replaced != incoming
    assert len(replaced) == 32


def test_an_access_line_is_one_json_object_with_the_request_fields(client, json_log):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="req-0000-1111")
    access = [line for line in _lines(json_log) if line["logger"] == "alliantiemonitor.access"]
    assert len(access) == 1
    line = access[0]
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-0000-1111" == response["X-Request-ID"]
    assert line["method"] == "GET"
    assert line["path"] == reverse("login")
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    # The app's own CPU time: rendering the page takes some, and never more than the wall clock.
    assert isinstance(line["cpu_ms"], float)
    assert 0 < line["cpu_ms"] <= line["duration_ms"] + 0.1
    # One name per page, whatever the path's parameters: what monitoring groups by.
    assert line["view"] == "login"
    assert line["time"].endswith("+00:00")
    assert line["message"] == f"GET {reverse('login')} 200"


def test_an_access_line_names_the_view_with_its_namespace_and_none_for_an_unknown_path(
    client, json_log
):
    # Not logged in: sent to the login page, and the line still names the page asked for.
    client.get(reverse("trajectories:new"))
    client.get("/no-such-page/")
    access = [line for line in _lines(json_log) if line["logger"] == "alliantiemonitor.access"]
    assert [line.get("view") for line in access] == ["trajectories:new", None]


def test_other_log_lines_during_a_request_carry_its_id(client, json_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-2222-3333")
    assert response.status_code == 404
    not_found = [line for line in _lines(json_log) if line["logger"] == "django.request"]
    assert not_found
    assert not_found[0]["request_id"] == "req-2222-3333"
    assert not_found[0]["status"] == 404
    logging.getLogger("alliantiemonitor.test").warning("outside a request")
    assert _lines(json_log)[-1]["request_id"] is None


def test_no_secret_reaches_the_log(client, json_log):
    """Link tokens, codes, passwords, cookies and API keys never appear in a log line."""
    client.cookies["sessionid"] = "session-secret-value"
    client.get(f"/m/{LINK_TOKEN}/?code=ACDE3469&token=query-token-secret")
    client.post(
        reverse("login"), {"username": "anne.jansen", "password": "hunter2-secret-password"}
    )
    client.get(reverse("api:trajectories"), HTTP_AUTHORIZATION="Bearer am_api-key-secret")
    log = logging.getLogger("alliantiemonitor.test")
    log.warning("callback with password=hunter2-secret-password&next=/")
    log.warning('payload {"password": "hunter2-secret-password", "invitation_code": "ACDE3469"}')
    log.warning("header Cookie: sessionid=session-secret-value; csrftoken=csrf-secret")
    log.warning("header Authorization: Bearer am_api-key-secret")
    try:
        raise ValueError(f"opening /m/{LINK_TOKEN}/ with token=query-token-secret failed")
    except ValueError:
        log.exception("a failure")
    text = json_log.getvalue()
    assert _lines(json_log)  # every line is JSON
    for secret in (
        LINK_TOKEN,
        "ACDE3469",
        "query-token-secret",
        "hunter2",
        "session-secret-value",
        "csrf-secret",
        "am_api-key-secret",
    ):
        assert secret not in text, secret


def test_password_reset_and_unsubscribe_tokens_are_masked_in_access_lines(client, json_log):
    """A password-reset link is an hour's key to the account, an unsubscribe link a signed
    token: the access line keeps the route and masks the secret parts (review finding)."""
    from alliantiemonitor.web.logging import MaskInvitationTokens

    reset_user, reset_token = "MTIzNDU", "cdx3k9-0a1b2c3d4e5f6a7b8c9d"
    unsubscribe = "eyJzY2hlZHVsZSI6MX0:1tXyZq:unsubscribe-signature"
    client.get(f"/wachtwoord-vergeten/{reset_user}/{reset_token}/")
    client.get(f"/planning/afmelden/{unsubscribe}/")
    text = json_log.getvalue()
    paths = [line.get("path") for line in _lines(json_log) if line.get("path")]
    assert "/wachtwoord-vergeten/…/…/" in paths
    assert "/planning/afmelden/…/" in paths
    for secret in (reset_user, reset_token, unsubscribe, "unsubscribe-signature"):
        assert secret not in text, secret
    # The filter on the development server's and Django's own request lines does the same.
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"GET /wachtwoord-vergeten/%s/%s/ HTTP/1.1" 200',
        (reset_user, reset_token),
        None,
    )
    MaskInvitationTokens().filter(record)
    assert record.getMessage() == '"GET /wachtwoord-vergeten/…/…/ HTTP/1.1" 200'
    # Pages of the same routes without a secret stay as they are.
    assert redact("GET /wachtwoord-vergeten/verstuurd/ 200") == (
        "GET /wachtwoord-vergeten/verstuurd/ 200"
    )


@pytest.mark.parametrize(
    "harmless",
    ["GET /clienten/ 200", "Worker w1: heartbeat failed", "Job 12 failed: timeout after 30 s"],
)
def test_redaction_leaves_ordinary_lines_alone(harmless):
    assert redact(harmless) == harmless


def _with_log_format(tmp_path, log_format: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` after loading the real settings with ``ALLIANTIEMONITOR_LOG_FORMAT``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliantiemonitor.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "SECRET_KEY": "x",
        "ALLIANTIEMONITOR_DATA_DIR": str(tmp_path),
        "ALLIANTIEMONITOR_LOG_FORMAT": log_format,
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", f"import django, logging; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_setting_switches_the_console_to_json_lines(tmp_path):
    """The real settings, in a process of their own: a warning comes out as one JSON line."""
    result = _with_log_format(
        tmp_path,
        "json",
        "logging.getLogger('alliantiemonitor.demo').warning('password=hunter2 was typed')",
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    assert lines[-1]["logger"] == "alliantiemonitor.demo"
    assert lines[-1]["level"] == "WARNING"
    assert lines[-1]["message"] == "password=… was typed"


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    result = _with_log_format(tmp_path, "xml", "pass")
    assert result.returncode != 0
    assert "ALLIANTIEMONITOR_LOG_FORMAT must be text or json" in result.stderr
