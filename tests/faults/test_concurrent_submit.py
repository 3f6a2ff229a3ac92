"""200 clients send their answers at the same moment: 200 responses, none lost, none doubled.

Each client has a round and a personal link of their own, a saved draft and a browser session
on the summary page. All threads wait at one barrier and press "Send" together against a real
app server process. Some clients press it in two tabs at
once. Every press must land on the "sent" page, and the database must hold exactly one sent
response (with its scores and one audit event) per round.
"""

from __future__ import annotations

import threading

import pytest

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response, ResponseScore
from tests.factories import full_answers
from tests.faults.conftest import ClientBrowser, make_client_round

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLIENTS = 200
#: Every tenth client presses "Send" in two tabs at the same moment.
TWICE_EVERY = 10


def test_200_clients_sending_at_once_store_200_responses_once_each(
    app_server, organisation, professional
):
    made = [make_client_round(organisation, professional, draft=True) for _ in range(CLIENTS)]
    app_server.start("--slots", "16")
    browsers = [ClientBrowser.in_session(app_server.url, invitation) for _, invitation, _ in made]

    twice = range(0, CLIENTS, TWICE_EVERY)
    # The two tabs of one client side by side, first in line: their requests reach the
    # server's free slots together, so that they race inside the database.
    presses = [tab for n in twice for tab in (browsers[n], browsers[n].twin())]
    presses += [browser for n, browser in enumerate(browsers) if n % TWICE_EVERY]
    barrier = threading.Barrier(len(presses))
    results: list[tuple[int, str]] = [(0, "")] * len(presses)

    def press(index: int) -> None:
        browser = presses[index]
        barrier.wait(timeout=120)
        answer = browser.post("/m/versturen/", {})
        results[index] = (answer.status_code, answer.headers.get("Location", ""))

    threads = [threading.Thread(target=press, args=(n,)) for n in range(len(presses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    # Every press, the second tab's too, lands on the "sent" page: no error, nothing refused.
    assert results == [(302, "/m/klaar/")] * len(presses), app_server.log()[-3000:]

    round_ids = [measurement_round.pk for measurement_round, _, _ in made]
    sent = Response.objects.filter(round_id__in=round_ids, rater="client")
    assert sent.count() == CLIENTS  # none doubled: one client response per round
    assert sent.filter(submitted_at__isnull=False, is_current=True).count() == CLIENTS
    expected = full_answers(made[0][0].instrument, "client", 4)
    assert all(response.answers == expected for response in sent)  # none lost
    characteristics = len(made[0][0].instrument.characteristics)
    assert ResponseScore.objects.filter(response__in=sent).count() == CLIENTS * characteristics
    states = MeasurementRound.objects.filter(pk__in=round_ids).values_list("state", flat=True)
    assert set(states) == {RoundState.CLIENT_DONE}
    submits = AuditEvent.objects.filter(
        action="response.submit", object_uuid__in=sent.values("uuid")
    )
    assert submits.count() == CLIENTS
