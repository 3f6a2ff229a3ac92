"""The app process killed with SIGKILL in the middle of a submission: never half stored.

The server (``tests/faults/serve.py --pause-submit``) stops a submission inside its
transaction, after the response was marked sent and its scores were written, and the test
kills it with SIGKILL right there. After a restart the client's answers are still the client's
draft — complete, not sent, without scores — and the client can send them, exactly once.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
import requests

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import Response, ResponseScore
from tests.factories import full_answers
from tests.faults.conftest import ClientBrowser, answer_fields, make_client_round
from tests.jobs.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_submission_killed_halfway_leaves_the_draft_whole_and_can_be_sent_again(
    app_server, organisation, professional, tmp_path
):
    measurement_round, _, secret = make_client_round(organisation, professional, draft=False)
    answers = full_answers(measurement_round.instrument, "client", 2)
    paused = tmp_path / "paused"
    app_server.start("--pause-submit", str(paused))

    client = ClientBrowser(app_server.url, secret)
    assert client.enter().status_code == 200
    client.open_form("/m/invullen/")
    saved = client.post("/m/invullen/", {**answer_fields(answers), "action": "review"})
    assert (saved.status_code, saved.headers["Location"]) == (302, "/m/versturen/")
    client.open_form("/m/versturen/")

    def send() -> None:
        with contextlib.suppress(requests.ConnectionError):  # the server dies under it
            client.post("/m/versturen/", {})

    sending = threading.Thread(target=send)
    sending.start()
    wait_for(paused.exists, 60, "the submission to reach its pause")
    # In the middle: the transaction has marked the response sent and stored its scores.
    halfway = Response.objects.get(uuid=paused.read_text())
    assert halfway.submitted_at is None  # not committed, so nobody sees it yet
    app_server.kill()  # SIGKILL
    sending.join(timeout=30)

    draft = measurement_round.responses.get(rater="client")
    assert draft.answers == answers
    assert draft.submitted_at is None
    assert not ResponseScore.objects.filter(response=draft).exists()
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.OPEN
    assert not AuditEvent.objects.filter(action="response.submit").exists()

    # After a restart the same browser session finds its answers and sends them once.
    app_server.start()
    summary = client.open_form("/m/versturen/")
    assert summary.status_code == 200
    sent = client.post("/m/versturen/", {})
    assert (sent.status_code, sent.headers["Location"]) == (302, "/m/klaar/")
    again = client.post("/m/versturen/", {})
    assert (again.status_code, again.headers["Location"]) == (302, "/m/klaar/")

    response = measurement_round.responses.get(rater="client")
    assert response.submitted_at is not None
    assert response.answers == answers
    characteristics = len(measurement_round.instrument.characteristics)
    assert ResponseScore.objects.filter(response=response).count() == characteristics
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.CLIENT_DONE
    assert AuditEvent.objects.filter(action="response.submit").count() == 1
