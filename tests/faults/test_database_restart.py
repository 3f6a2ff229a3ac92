"""The database restarted while clients are filling in: a clear 503 page, then nothing lost.

The app server runs against a private PostgreSQL cluster (tests/faults/cluster.py) holding a
copy of the test database. Three clients come in with their links and answer statement by
statement; halfway the cluster is stopped. Every page and every save then answers 503 with a
Dutch "try again in a minute", never a 500. Once the cluster is started again the clients save
the same statement again, finish and send: every answer is stored, every round exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.factories import full_answers
from tests.faults.cluster import PrivateCluster
from tests.faults.conftest import ClientBrowser, answer_fields, make_client_round

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLIENTS = 3


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    private = PrivateCluster()
    try:
        private.create()
        yield private
    finally:
        private.remove()


def _save(client: ClientBrowser, item: str, value: int) -> requests.Response:
    return client.post("/m/invullen/", {**answer_fields({item: value}), "action": "save"})


def test_clients_filling_in_across_a_database_restart_lose_nothing(
    app_server, cluster, organisation, professional
):
    made = [make_client_round(organisation, professional, draft=False) for _ in range(CLIENTS)]
    cluster.copy_test_database()
    app_server.start(database=cluster.url)
    instrument = made[0][0].instrument
    answers = full_answers(instrument, "client", 5)
    items = list(answers)
    half = len(items) // 2

    clients = [ClientBrowser(app_server.url, secret) for _, _, secret in made]
    for client in clients:
        assert client.enter().status_code == 200
        client.open_form("/m/invullen/")
        for item in items[:half]:
            assert _save(client, item, answers[item]).status_code == 302

    cluster.stop()
    for client in clients:
        refused = _save(client, items[half], answers[items[half]])
        assert refused.status_code == 503, refused.text[:2000]
        assert refused.headers["Retry-After"] == "30"
        assert "Probeer het over een minuut opnieuw" in refused.text
        page = client.http.get(f"{app_server.url}/m/invullen/", timeout=60)
        assert page.status_code == 503
    health = requests.get(f"{app_server.url}/healthz", timeout=60)
    assert health.status_code == 503

    cluster.start()
    assert requests.get(f"{app_server.url}/healthz", timeout=60).status_code == 200
    for client in clients:
        for item in items[half:]:
            assert _save(client, item, answers[item]).status_code == 302
        client.open_form("/m/versturen/")
        sent = client.post("/m/versturen/", {})
        assert (sent.status_code, sent.headers["Location"]) == (302, "/m/klaar/")

    round_ids = [measurement_round.pk for measurement_round, _, _ in made]
    rows = cluster.query(
        "SELECT round_id, answers, submitted_at IS NOT NULL FROM measurements_response"
        " WHERE rater = 'client' AND round_id = ANY(%s) ORDER BY round_id",
        round_ids,
    )
    assert [(round_id, stored, sent) for round_id, stored, sent in rows] == [
        (round_id, answers, True) for round_id in sorted(round_ids)
    ]
    states = cluster.query(
        "SELECT DISTINCT state FROM measurements_measurementround WHERE id = ANY(%s)", round_ids
    )
    assert states == [("client_done",)]
