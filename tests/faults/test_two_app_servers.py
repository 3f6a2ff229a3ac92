"""Two app processes behind one PostgreSQL: a client may be served by either, at any moment.

A production installation runs several stateless app processes behind a load balancer
(docs/production.md), which sends each request wherever it likes. Here two real app servers
(``tests/faults/serve.py``) listen on two loopback ports and share the test database. One
client starts on the first, saves answers on both (also by autosave), and sends from both at
the same moment; a guesser spreads wrong links over both; an integration spreads its API calls
over both; and a worker in a third process sends the webhook of a round completed on one of
them. Sessions, autosave, the rate limits, the exactly-once submission and the jobs must hold as
they do with one process: all of that state lives in the database (the API's rate counts in
the shared cache table, ``ALLIANTIEMONITOR_CACHE=database``), none in a process's memory.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from typing import ClassVar

import pytest
import requests
from django.core.management import call_command

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import Response, ResponseScore
from tests.factories import full_answers
from tests.faults.conftest import AppServer, ClientBrowser, answer_fields, make_client_round

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

#: The autosave script's header: the server answers with the status fragment only.
AUTOSAVE = {"HX-Request": "true"}


@pytest.fixture
def two_servers(tmp_path):
    servers = [AppServer(tmp_path / name) for name in ("a", "b")]
    try:
        for server in servers:
            server.tmp_path.mkdir()
            server.start()
        yield servers
    finally:
        for server in servers:
            server.kill()


def _on(browser: ClientBrowser, server: AppServer) -> ClientBrowser:
    """The same browser (cookies, form token), its next request routed to ``server``."""
    browser.base_url = server.url
    return browser


def test_a_client_moves_between_two_app_processes_and_sends_exactly_once(
    two_servers, organisation, professional
):
    first, second = two_servers
    measurement_round, _, secret = make_client_round(organisation, professional, draft=False)
    answers = full_answers(measurement_round.instrument, "client", 4)
    fields = answer_fields(answers)
    names = list(fields)
    half = len(names) // 2

    client = ClientBrowser(first.url, secret)
    # The link opens on the first process: the session is stored in the database.
    assert client.enter().status_code == 200
    client.open_form("/m/invullen/")
    # Autosave of the first half, answer by answer, alternating between the processes.
    for index, name in enumerate(names[:half]):
        _on(client, (first, second)[index % 2])
        saved = client.http.post(
            f"{client.base_url}/m/invullen/",
            data={name: fields[name], "csrfmiddlewaretoken": client.csrf},
            headers=AUTOSAVE,
            allow_redirects=False,
            timeout=60,
        )
        assert saved.status_code == 200, saved.text[:500]
    draft = Response.objects.get(round=measurement_round, rater="client")
    assert len(draft.answers) == half
    assert draft.submitted_at is None

    # The second process shows what the first saved, and takes the rest.
    page = _on(client, second).open_form("/m/invullen/")
    assert page.status_code == 200
    for name in names[:half]:
        assert f'name="{name}" value="{fields[name]}" checked' in page.text
    rest = {name: fields[name] for name in names[half:]}
    reviewed = client.post("/m/invullen/", {**rest, "action": "review"})
    assert (reviewed.status_code, reviewed.headers["Location"]) == (302, "/m/versturen/")
    _on(client, first).open_form("/m/versturen/")

    # "Send", pressed in two tabs at once, one tab on each process.
    tabs = [client, client.twin()]
    _on(tabs[1], second)
    barrier = threading.Barrier(len(tabs))
    results: list[tuple[int, str]] = [(0, "")] * len(tabs)

    def press(index: int) -> None:
        barrier.wait()
        sent = tabs[index].post("/m/versturen/", {})
        results[index] = (sent.status_code, sent.headers.get("Location", ""))

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [(302, "/m/klaar/")] * 2, first.log()[-2000:] + second.log()[-2000:]

    response = Response.objects.get(round=measurement_round, rater="client")
    assert response.submitted_at is not None
    assert response.answers == answers
    assert ResponseScore.objects.filter(response=response).count() == len(
        measurement_round.instrument.characteristics
    )
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.CLIENT_DONE
    assert AuditEvent.objects.filter(action="response.submit").count() == 1


def test_the_entry_rate_limit_counts_wrong_links_over_both_processes(
    two_servers, organisation, professional, settings
):
    first, second = two_servers
    _, _, secret = make_client_round(organisation, professional, draft=False)
    limit = settings.ALLIANTIEMONITOR_ENTRY_ATTEMPTS
    guesser = ClientBrowser(first.url, "")
    statuses = []
    for attempt in range(limit + 2):
        server = (first, second)[attempt % 2]
        wrong = f"{'x' * 30}{attempt:02d}"
        statuses.append(guesser.http.get(f"{server.url}/m/{wrong}/", timeout=60).status_code)
    # Each process saw only half of the guesses; together they reached the limit.
    assert statuses == [404] * limit + [429, 429]
    # A real link still opens on either process (a token cannot be guessed).
    for server in (first, second):
        assert ClientBrowser(server.url, secret).enter().status_code == 200


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A receiving system on loopback: keeps every call's headers and body."""

    calls: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).calls.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_api_rate_limit_and_a_worker_hold_over_the_processes(
    tmp_path, organisation, professional, org_admin, settings
):
    """The API's rate limit counts one token's calls over both processes (the shared database
    cache), and a worker in a third process sends the signed webhook of a round completed on
    the second process."""
    from alliantiemonitor.api.models import WebhookDelivery, WebhookEndpoint
    from alliantiemonitor.api.webhook_signing import verify_signature
    from tests.api.conftest import make_token
    from tests.conversations.conftest import answer
    from tests.jobs.processes import Workers, wait_for

    # The cache table every process shares, as `manage.py createcachetable` makes it.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "alliantiemonitor_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.calls = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    secret = "whsec_two_processes_test"
    WebhookEndpoint.objects.create(
        organisation=organisation,
        name="Zaaksysteem",
        url=f"http://127.0.0.1:{receiver.server_address[1]}/hook",
        events=["round.completed"],
        secret=secret,
        created_by=org_admin,
    )
    measurement_round, _, link = make_client_round(organisation, professional, draft=True)
    answer(measurement_round, "professional", 3, professional=professional)
    _token, token = make_token(organisation, org_admin)

    environment = {
        "ALLIANTIEMONITOR_CACHE": "database",
        "ALLIANTIEMONITOR_API_RATE": "4/min",
        "ALLIANTIEMONITOR_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    servers = [AppServer(tmp_path / name) for name in ("a", "b")]
    workers = Workers(tmp_path)
    try:
        for server in servers:
            server.tmp_path.mkdir()
            server.start(**environment)
        first, second = servers

        # Four calls allowed per minute for the token: two on each process, then refused on
        # either; each process alone has seen only two.
        statuses = [
            requests.get(
                f"{server.url}/api/v1/trajectories/",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ).status_code
            for server in (first, second, first, second, first, second)
        ]
        assert statuses == [200, 200, 200, 200, 429, 429]

        # The client sends on the second process: the round is complete, the delivery is
        # recorded with it, and a worker in a process of its own sends it.
        workers.start("worker", "--no-periodic", env=environment)
        client = ClientBrowser(second.url, link)
        assert client.enter().status_code == 200
        client.open_form("/m/versturen/")
        sent = client.post("/m/versturen/", {})
        assert (sent.status_code, sent.headers["Location"]) == (302, "/m/klaar/")
        wait_for(lambda: bool(_Receiver.calls), 120, "the webhook call")
    finally:
        workers.stop_all()
        for server in servers:
            server.kill()
        receiver.shutdown()

    headers, body = _Receiver.calls[0]
    assert verify_signature(secret, headers["Alliantiemonitor-Signature"], body, time.time())
    payload = json.loads(body)
    assert payload["event"] == "round.completed"
    assert str(measurement_round.uuid) in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "sent"
    assert len(_Receiver.calls) == 1
