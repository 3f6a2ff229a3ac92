"""The authorisation matrix of the API: every endpoint × every kind of token × the objects of
the own and of another organisation, with the status each must get.

A new endpoint without a line in :data:`ENDPOINTS` fails :func:`test_every_endpoint_is_listed`.
Every request runs in a savepoint that is rolled back, so none sees what another did; a refused
write must leave the guarded tables as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.trajectories.services import client_enrol
from tests.api.conftest import api, make_token
from tests.factories import MembershipFactory, discuss_round
from tests.web.test_bad_input import _snapshot as _all_rows

pytestmark = pytest.mark.django_db

#: The kinds of caller. ``bound``: bound to the trajectory's professional; ``colleague``:
#: bound to another professional of the same organisation; ``whole``: the whole organisation
#: (every scope it may have); ``reader``: the whole organisation with trajectories:read only;
#: ``revoked``/``expired``: the bound token after that; ``none``: no token at all.
CALLERS = ("bound", "colleague", "whole", "reader", "revoked", "expired", "none")


@dataclass(frozen=True)
class Endpoint:
    method: str
    #: The URL for one side's objects.
    path: Any
    #: A valid body, so that an allowed write succeeds (and a refused one is proven refused).
    body: Any = None
    #: Status for (caller, side) on the own organisation's objects; others get the defaults.
    own: dict[str, int] | None = None
    #: Status for every caller on the other organisation's objects (default: as refused).
    other: dict[str, int] | None = None


def _today() -> str:
    return str(timezone.localdate())


REFUSED = {"revoked": 401, "expired": 401, "none": 401}

ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("api:trajectories", "GET"): Endpoint(
        "get",
        lambda s: "/api/v1/trajectories/",
        own={"bound": 200, "colleague": 200, "whole": 200, "reader": 200},
    ),
    ("api:trajectories", "POST"): Endpoint(
        "post",
        lambda s: "/api/v1/trajectories/",
        body=lambda s: {
            "display_name": "Q.R.",
            "start_date": _today(),
            "professional": str(s["professional"].uuid),
        },
        # A bound colleague may not create for another professional (400); the reader lacks
        # the scope.
        own={"bound": 201, "colleague": 400, "whole": 201, "reader": 403},
        # Naming the other organisation's professional: refused by the view or the service.
        other={"bound": 400, "colleague": 400, "whole": 409, "reader": 403},
    ),
    ("api:trajectory", "GET"): Endpoint(
        "get",
        lambda s: f"/api/v1/trajectories/{s['trajectory'].uuid}/",
        own={"bound": 200, "colleague": 404, "whole": 200, "reader": 200},
    ),
    ("api:trajectory_close", "POST"): Endpoint(
        "post",
        lambda s: f"/api/v1/trajectories/{s['trajectory'].uuid}/close/",
        body=lambda s: {"end_date": _today(), "reason_kind": "regular_completion"},
        own={"bound": 200, "colleague": 404, "whole": 200, "reader": 403},
    ),
    ("api:trajectory_hand_over", "POST"): Endpoint(
        "post",
        lambda s: f"/api/v1/trajectories/{s['trajectory'].uuid}/hand-over/",
        body=lambda s: {"professional": str(s["colleague"].uuid)},
        own={"bound": 200, "colleague": 404, "whole": 200, "reader": 403},
    ),
    ("api:trajectory_rounds", "GET"): Endpoint(
        "get",
        lambda s: f"/api/v1/trajectories/{s['trajectory'].uuid}/rounds/",
        own={"bound": 200, "colleague": 404, "whole": 200, "reader": 200},
    ),
    ("api:trajectory_rounds", "POST"): Endpoint(
        "post",
        lambda s: f"/api/v1/trajectories/{s['fresh'].uuid}/rounds/",
        body=lambda s: {},
        own={"bound": 201, "colleague": 404, "whole": 201, "reader": 403},
    ),
    ("api:trajectory_outcomes", "POST"): Endpoint(
        "post",
        lambda s: f"/api/v1/trajectories/{s['trajectory'].uuid}/outcomes/",
        body=lambda s: {"kind": "no_show", "date": _today()},
        own={"bound": 201, "colleague": 404, "whole": 201, "reader": 403},
    ),
    ("api:round", "GET"): Endpoint(
        "get",
        lambda s: f"/api/v1/rounds/{s['round'].uuid}/",
        own={"bound": 200, "colleague": 404, "whole": 200, "reader": 200},
    ),
    ("api:round_invitation", "POST"): Endpoint(
        "post",
        lambda s: f"/api/v1/rounds/{s['round'].uuid}/invitations/",
        body=lambda s: {"kind": "link"},
        own={"bound": 201, "colleague": 404, "whole": 201, "reader": 403},
    ),
    ("api:round_results", "GET"): Endpoint(
        "get",
        lambda s: f"/api/v1/rounds/{s['discussed'].uuid}/results/",
        # Results: the bound professional only. The organisation token lacks the scope (and
        # could not hold it); the reader too.
        own={"bound": 200, "colleague": 404, "whole": 403, "reader": 403},
        other={"bound": 404, "colleague": 404, "whole": 403, "reader": 403},
    ),
    ("api:signals", "GET"): Endpoint(
        "get",
        lambda s: "/api/v1/signals/",
        own={"bound": 200, "colleague": 200, "whole": 403, "reader": 403},
    ),
}


def _side(organisation: Any, professional: Any, colleague: Any) -> dict[str, Any]:
    trajectory = client_enrol(
        organisation=organisation,
        professional=professional,
        display_name="S.T.",
        legal_frame="",
        start_date=dt.date(2026, 1, 5),
    )
    discussed = discuss_round(round_start(trajectory=trajectory, by=professional), professional)
    collecting = round_start(trajectory=trajectory, by=professional)
    fresh = client_enrol(
        organisation=organisation,
        professional=professional,
        display_name="U.V.",
        legal_frame="",
        start_date=dt.date(2026, 1, 5),
    )
    return {
        "organisation": organisation,
        "professional": professional,
        "colleague": colleague,
        "trajectory": trajectory,
        "discussed": discussed,
        "round": collecting,
        "fresh": fresh,
    }


@pytest.fixture
def sides(organisation, professional, colleague, org_admin, other_organisation, outsider):
    other_colleague = MembershipFactory(organisation=other_organisation, role="professional").user
    return {
        "own": _side(organisation, professional, colleague),
        "other": _side(other_organisation, outsider, other_colleague),
    }


@pytest.fixture
def secrets(organisation, org_admin, professional, colleague):
    secrets = {
        "bound": make_token(organisation, org_admin, acting_for=professional)[1],
        "colleague": make_token(organisation, org_admin, acting_for=colleague)[1],
        "whole": make_token(organisation, org_admin)[1],
        "reader": make_token(organisation, org_admin, scopes=["trajectories:read"])[1],
        "none": "",
    }
    revoked, secrets["revoked"] = make_token(organisation, org_admin, acting_for=professional)
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired, secrets["expired"] = make_token(organisation, org_admin, acting_for=professional)
    expired.expires_at = timezone.now() - dt.timedelta(seconds=1)
    expired.save()
    return secrets


def _snapshot() -> dict[str, Any]:
    """Every guarded row, except the tokens' own ``last_used_at`` that any use moves."""
    rows = _all_rows()
    rows.pop("api.ApiToken")
    return rows


def _expected(endpoint: Endpoint, caller: str, side: str) -> int:
    if caller in REFUSED:
        return REFUSED[caller]
    if side == "own":
        return (endpoint.own or {})[caller]
    if endpoint.other is not None:
        return endpoint.other[caller]
    own = (endpoint.own or {})[caller]
    if own == 403:
        return 403  # the scope is refused before any object is looked at
    return own if "{" not in _template(endpoint) else 404


def _template(endpoint: Endpoint) -> str:
    """The URL with placeholders: lists have none (their reach is checked in test_endpoints)."""

    class Placeholder:
        uuid = "{uuid}"

    return endpoint.path(dict.fromkeys(("trajectory", "discussed", "round", "fresh"), Placeholder))


@pytest.mark.parametrize("key", sorted(ENDPOINTS), ids=lambda k: f"{k[1]} {k[0]}")
def test_api_matrix(key, sides, secrets):
    endpoint = ENDPOINTS[key]
    wrong = []
    for side_name in ("own", "other"):
        side = sides[side_name]
        path = endpoint.path(side)
        body = endpoint.body(side) if endpoint.body else None
        for caller in CALLERS:
            expected = _expected(endpoint, caller, side_name)
            with transaction.atomic():
                client = api(secrets[caller]) if secrets[caller] else api("")
                if not secrets[caller]:
                    client.credentials()
                before = _snapshot()
                if endpoint.method == "get":
                    response = client.get(path)
                else:
                    response = client.post(path, body, format="json")
                changed = expected >= 400 and _snapshot() != before
                transaction.set_rollback(True)
            if response.status_code != expected:
                wrong.append(
                    f"{caller:<9} {side_name:<5} got {response.status_code}, "
                    f"wanted {expected}: {response.content[:120]!r}"
                )
            elif response.status_code >= 400 and "error" not in response.json():
                wrong.append(f"{caller} {side_name}: an error without the error shape")
            if changed:
                wrong.append(f"{caller} {side_name}: refused but wrote")
    assert wrong == [], "\n".join(wrong)


def test_every_endpoint_is_listed():
    (api_resolver,) = [
        p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api"
    ]
    names = {
        f"api:{p.name}"
        for p in api_resolver.url_patterns
        if isinstance(p, URLPattern) and p.name not in ("schema", "docs")
    }
    assert names == {name for name, _method in ENDPOINTS}
