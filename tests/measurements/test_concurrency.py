"""Two simultaneous submits of the same response: one wins, the other is told it was sent."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from alliantiemonitor.measurements.exceptions import AlreadySubmitted
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import response_save_answers, response_submit
from tests.factories import full_answers


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_store_exactly_once(measurement_round):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    response_save_answers(
        round=measurement_round,
        rater="client",
        answers=full_answers(measurement_round.instrument, "client", 4),
        mode="own_device",
    )
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def submit() -> None:
        try:
            start.wait()
            round_ = MeasurementRound.objects.get(pk=measurement_round.pk)
            response_submit(round=round_, rater="client")
            outcomes.append("submitted")
        except AlreadySubmitted:
            outcomes.append("already")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already", "submitted"]
    assert Response.objects.filter(round=measurement_round).count() == 1
    measurement_round.refresh_from_db()
    assert measurement_round.state == "client_done"
