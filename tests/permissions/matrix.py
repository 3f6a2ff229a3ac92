"""The machinery of the authorisation matrix: discover URLs, build them, run one request.

The declarations (what each persona must get) are in ``test_matrix.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permissions.world import Side, World


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project."""

    #: ``namespace:name``, or ``route:<the full route>`` for a pattern without a name.
    key: str
    name: str | None
    route: str
    converters: tuple[str, ...]


def discover() -> list[Route]:
    """Every URL pattern, walked from the root URL configuration (admin and i18n included)."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str, converters: tuple[str, ...]):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            names = tuple(getattr(pattern.pattern, "converters", {}))
            regex_groups = tuple(pattern.pattern.regex.groupindex)
            kwargs = converters + (names or regex_groups)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner, kwargs)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if pattern.name is None:
                    name = None
                found.append(Route(name or f"route:{route}", name, route, kwargs))

    walk(get_resolver().url_patterns, "", "", ())
    return found


#: How to fill in a URL's parameters for the objects of one organisation.
Args = Callable[[World, Side], dict[str, Any]]


def login_url_of(response: Any) -> str:
    return response.headers.get("Location", "")


#: The tables whose rows a refused request must leave exactly as they were.
GUARDED_MODELS = (
    "organisations.Organisation",
    "organisations.Team",
    "organisations.Membership",
    "accounts.User",
    "trajectories.Client",
    "trajectories.Trajectory",
    "trajectories.Assignment",
    "trajectories.OutcomeEvent",
    "measurements.MeasurementRound",
    "measurements.Invitation",
    "measurements.Response",
    "conversations.Conversation",
    "conversations.Agreement",
    "conversations.Evaluation",
    "monitoring.Signal",
    "scheduling.OrganisationSchedule",
    "scheduling.ClientContact",
    "research.Study",
    "research.StudyPhase",
    "research.StudyEnrolment",
    "research.EnrolledTrajectory",
    "research.ResearchConsent",
    "research.FollowUpImport",
    "research.FollowUpOutcome",
    "research.InterviewSample",
    "research.InterviewSampleEntry",
)


def fingerprint() -> str:
    """A digest of every row of the guarded tables (audit events may be added, nothing else)."""
    digest = hashlib.sha256()
    for label in GUARDED_MODELS:
        model = apps.get_model(label)
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


_BROWSER: list[Client] = []


def _browser() -> Client:
    """One test client for all requests, its cookies cleared: building its handler loads
    the middleware, and WhiteNoise then indexes every static file (a second a time)."""
    if not _BROWSER:
        _BROWSER.append(Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=True))
    browser = _BROWSER[0]
    browser.cookies.clear()
    return browser


@dataclass
class Outcome:
    status: int
    location: str
    body: str
    changed: bool


def request(world: World, persona: str, method: str, url: str, *, check_unchanged: bool) -> Outcome:
    """One request as ``persona``, inside a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        browser = _browser()
        if persona == "client":
            entered = browser.get(reverse("client:link", kwargs={"token": world.client_token}))
            assert entered.status_code == 302, entered.status_code
        elif persona != "anonymous":
            browser.force_login(world.users[persona])
        before = fingerprint() if check_unchanged else ""
        response = browser.post(url, {}) if method == "post" else browser.get(url)
        changed = check_unchanged and fingerprint() != before
        body = response.content.decode(errors="replace") if not response.streaming else ""
        outcome = Outcome(response.status_code, response.headers.get("Location", ""), body, changed)
        transaction.set_rollback(True)
    return outcome


def build_url(route: Route, kwargs: dict[str, Any]) -> str:
    assert route.name is not None
    return reverse(route.name, kwargs=kwargs)


def admin_pk(world: World, side: Side, app_label: str, model_name: str) -> Any:
    """The pk of an object of ``side`` (or any object, for models of no organisation)."""
    by_model = {
        "organisation": side.organisation.pk,
        "team": side.team.pk,
        "membership": side.membership.pk,
        "user": side.membership.user.pk,
    }
    if model_name in by_model:
        return by_model[model_name]
    model = apps.get_model(app_label, model_name)
    first = model._default_manager.order_by("pk").first()
    return first.pk if first is not None else 1
