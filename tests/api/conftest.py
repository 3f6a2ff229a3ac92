"""Tokens and an API client for the tests of /api/v1/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from alliantiemonitor.api.constants import Scope
from alliantiemonitor.api.services import token_create

ALL_ORGANISATION_SCOPES = [
    Scope.TRAJECTORIES_READ,
    Scope.TRAJECTORIES_WRITE,
    Scope.ROUNDS_WRITE,
    Scope.OUTCOMES_WRITE,
]
ALL_SCOPES = [*ALL_ORGANISATION_SCOPES, Scope.RESULTS_READ, Scope.SIGNALS_READ]


def make_token(
    organisation: Any,
    admin: Any,
    *,
    scopes: list[str] | None = None,
    acting_for: Any = None,
    days: int = 30,
) -> tuple[Any, str]:
    if scopes is None:
        scopes = ALL_SCOPES if acting_for is not None else ALL_ORGANISATION_SCOPES
    return token_create(
        organisation=organisation,
        name="Zaaksysteem",
        scopes=scopes,
        lifetime=dt.timedelta(days=days),
        by=admin,
        acting_for=acting_for,
    )


def api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.ALLIANTIEMONITOR_API_RATE = "100000/min"


@pytest.fixture
def bound_token(organisation: Any, org_admin: Any, professional: Any) -> tuple[Any, str]:
    """A token bound to ``professional`` with every scope."""
    return make_token(organisation, org_admin, acting_for=professional)


@pytest.fixture
def organisation_token(organisation: Any, org_admin: Any) -> tuple[Any, str]:
    """A token of the whole organisation with every scope it may have."""
    return make_token(organisation, org_admin)
