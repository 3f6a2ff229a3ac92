"""A database that cannot be reached: a 503 page in plain Dutch, never a traceback or a 500.

The fault test with a real database restart is tests/faults/test_database_restart.py; these
make the database fail inside one request, so that they run on SQLite too.
"""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from alliantiemonitor.measurements.client_session import client_session_start
from alliantiemonitor.measurements.forms import answer_field_name
from alliantiemonitor.measurements.models import Response
from tests.factories import InvitationFactory, full_answers

pytestmark = pytest.mark.django_db


def _database_away(*args, **kwargs):
    raise OperationalError("connection refused")


@pytest.fixture
def database_away():
    """Every new cursor fails as when the database server is down."""
    with mock.patch.object(BaseDatabaseWrapper, "cursor", _database_away):
        yield


def test_a_client_page_answers_503_in_dutch_when_the_database_is_away(database_away):
    browser = Client(raise_request_exception=False)
    response = browser.get(reverse("client:link", args=["a-personal-link-token"]))
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert '<html lang="nl"' in html
    assert html.count("<h1") == 1
    assert "Probeer het over een minuut opnieuw" in html
    assert "Traceback" not in html
    assert "connection refused" not in html


@pytest.mark.parametrize(
    ("error", "status"),
    [(InterfaceError, 503), (OperationalError, 503), (RuntimeError, 500)],
)
def test_a_lost_connection_in_a_view_is_a_503_and_anything_else_a_500(
    client, professional, error, status
):
    client.force_login(professional)
    client.raise_request_exception = False
    with mock.patch("alliantiemonitor.web.views.Membership.objects.active", side_effect=error):
        response = client.get(reverse("home"))
    assert response.status_code == status
    assert "utrecht-heading-1" in response.content.decode()


def test_the_health_check_says_503_while_the_database_is_away(database_away):
    response = Client(raise_request_exception=False).get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "database unavailable"}


def test_a_save_that_loses_the_database_halfway_changes_nothing(client, measurement_round):
    """The autosave that meets a dropped connection after writing is rolled back whole."""
    invitation = InvitationFactory(round=measurement_round)
    session = client.session
    client_session_start(
        SimpleNamespace(session=session), round=measurement_round, invitation=invitation
    )
    session.save()
    answers = full_answers(measurement_round.instrument, "client", 3)
    client.raise_request_exception = False
    with mock.patch(
        "alliantiemonitor.measurements.services.responses.audit_record",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post(
            reverse("client:fill"),
            {answer_field_name(item): str(value) for item, value in answers.items()},
        )
    assert response.status_code == 503
    assert not Response.objects.filter(round=measurement_round).exists()
