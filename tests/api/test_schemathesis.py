"""Schemathesis against the served OpenAPI description: no 5xx, every answer as described.

Generated requests go through the whole Django stack (WSGI, in process) with a token bound to
the professional of a real trajectory, so both refusals and successes are exercised.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_token

_django = get_wsgi_application()


def _app(environ, start_response):
    """Django as the test client calls it: host ``testserver`` (in the test ALLOWED_HOSTS),
    and no gzip (schemathesis's in-process transport does not unpack it as HTTP clients do)."""
    environ["HTTP_HOST"] = "testserver"
    environ.pop("HTTP_ACCEPT_ENCODING", None)
    return _django(environ, start_response)


# Loaded at collection, before the test environment allows the test host.
with override_settings(ALLOWED_HOSTS=["testserver"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", _app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: a request must not close the database connection that holds
    the test's transaction (on PostgreSQL the next query would fail with "connection closed")."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def secret(organisation, org_admin, professional, measurement_round):
    _token, secret = make_token(organisation, org_admin, acting_for=professional)
    return secret


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_to_its_description(case, secret):
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
