"""No N+1 in the API: a list costs the same number of queries for one row as for many.

The indexes behind these queries are checked with ``EXPLAIN`` on national-scale data by
``benchmarks/bench_national.py`` (``make bench-national``; CI runs it small).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.trajectories.services import client_enrol
from tests.api.conftest import api, make_token
from tests.factories import discuss_round

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> tuple[int, dict]:
    """The queries of a second request (the first of a token also notes its last use)."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(captured), response.json()


def _enrol(organisation, professional, n: int) -> list:
    return [
        client_enrol(
            organisation=organisation,
            professional=professional,
            display_name=f"K.{i}.",
            legal_frame="",
            start_date=dt.date(2026, 1, 5),
        )
        for i in range(n)
    ]


def test_the_trajectory_list_costs_the_same_for_one_and_for_seven(
    organisation, org_admin, professional
):
    _t, secret = make_token(organisation, org_admin, acting_for=professional)
    client = api(secret)
    _enrol(organisation, professional, 1)
    few, body = _queries(client, "/api/v1/trajectories/")
    assert len(body["results"]) == 1
    _enrol(organisation, professional, 6)
    many, body = _queries(client, "/api/v1/trajectories/")
    assert len(body["results"]) == 7
    assert many == few


def test_a_trajectorys_rounds_cost_the_same_for_one_and_for_four(
    organisation, org_admin, professional
):
    (trajectory,) = _enrol(organisation, professional, 1)
    _t, secret = make_token(organisation, org_admin, acting_for=professional)
    client = api(secret)
    path = f"/api/v1/trajectories/{trajectory.uuid}/rounds/"
    first = round_start(trajectory=trajectory, by=professional)
    discuss_round(first, professional)
    few, body = _queries(client, path)
    assert len(body["results"]) == 1
    for _ in range(3):
        discuss_round(round_start(trajectory=trajectory, by=professional), professional)
    many, body = _queries(client, path)
    assert len(body["results"]) == 4
    assert many == few


def test_the_signal_list_costs_the_same_for_one_and_for_five(organisation, org_admin, professional):
    trajectories = _enrol(organisation, professional, 5)
    rounds = []
    for trajectory in trajectories:
        measurement_round = round_start(trajectory=trajectory, by=professional)
        discuss_round(measurement_round, professional)
        rounds.append(measurement_round)
    _t, secret = make_token(organisation, org_admin, acting_for=professional)
    client = api(secret)

    def signal(measurement_round) -> None:
        Signal.objects.create(
            trajectory=measurement_round.trajectory,
            round=measurement_round,
            kind="disagreement",
            characteristic="trust",
            raised_at=timezone.now(),
        )

    Signal.objects.all().delete()  # whatever the rules raised for the test rounds
    signal(rounds[0])
    few, body = _queries(client, "/api/v1/signals/")
    assert len(body["results"]) == 1
    for measurement_round in rounds[1:]:
        signal(measurement_round)
    many, body = _queries(client, "/api/v1/signals/")
    assert len(body["results"]) == 5
    assert many == few
