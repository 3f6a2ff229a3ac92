"""API tokens: the secret is stored only as a hash; expiry, revocation, scopes, binding."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.api.constants import Scope
from alliantiemonitor.api.exceptions import (
    BoundScopeNeedsProfessional,
    InvalidScopes,
    NotAnOrganisationAdmin,
    NotAProfessionalHere,
    TokenAlreadyRevoked,
)
from alliantiemonitor.api.models import ApiToken
from alliantiemonitor.api.services import secret_hash, token_authenticate, token_revoke
from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.common.input import InvalidInput
from alliantiemonitor.organisations.models import Membership
from tests.api.conftest import api, make_token

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_secret_is_stored(organisation, org_admin):
    token, secret = make_token(organisation, org_admin)
    assert secret.startswith("amt_")
    assert len(secret) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in stored.values()}
    assert stored["secret_hash"] == secret_hash(secret)
    assert secret.startswith(stored["hint"])
    assert len(stored["hint"]) < 12
    event = AuditEvent.objects.with_action(Action.API_TOKEN_CREATE).get()
    assert secret not in str(event.detail)
    assert event.actor == org_admin


def test_the_secret_authenticates_and_a_wrong_one_does_not(organisation, org_admin):
    token, secret = make_token(organisation, org_admin)
    assert token_authenticate(secret) == token
    assert token_authenticate(secret + "x") is None
    assert token_authenticate(secret[:-1]) is None
    assert token_authenticate("amt_" + "a" * 500) is None
    assert token_authenticate(None) is None


def test_an_expired_token_is_refused(organisation, org_admin):
    token, secret = make_token(organisation, org_admin, days=1)
    later = timezone.now() + dt.timedelta(days=1, seconds=1)
    assert token_authenticate(secret, now=later) is None
    response = api(secret).get("/api/v1/trajectories/")
    assert response.status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = api(secret).get("/api/v1/trajectories/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_a_revoked_token_is_refused_at_once_and_the_revocation_audited(organisation, org_admin):
    token, secret = make_token(organisation, org_admin)
    assert api(secret).get("/api/v1/trajectories/").status_code == 200
    token_revoke(token=token, by=org_admin)
    assert api(secret).get("/api/v1/trajectories/").status_code == 401
    assert AuditEvent.objects.with_action(Action.API_TOKEN_REVOKE).get().actor == org_admin
    with pytest.raises(TokenAlreadyRevoked):
        token_revoke(token=token, by=org_admin)


def test_a_bound_token_stops_when_its_professional_loses_the_role(
    organisation, org_admin, professional
):
    _token, secret = make_token(organisation, org_admin, acting_for=professional)
    assert api(secret).get("/api/v1/trajectories/").status_code == 200
    Membership.objects.filter(user=professional).update(active=False)
    assert api(secret).get("/api/v1/trajectories/").status_code == 401


def test_only_the_organisation_admin_makes_and_revokes_tokens(
    organisation, org_admin, professional, outsider, other_organisation
):
    with pytest.raises(NotAnOrganisationAdmin):
        make_token(organisation, professional)
    with pytest.raises(NotAnOrganisationAdmin):
        make_token(other_organisation, org_admin)
    token, _secret = make_token(organisation, org_admin)
    with pytest.raises(NotAnOrganisationAdmin):
        token_revoke(token=token, by=professional)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_results_and_signals_only_for_a_token_bound_to_a_professional(
    organisation, org_admin, professional, outsider, team_lead
):
    for scope in (Scope.RESULTS_READ, Scope.SIGNALS_READ):
        with pytest.raises(BoundScopeNeedsProfessional):
            make_token(organisation, org_admin, scopes=[scope])
    # Bound only to an active professional of the organisation itself.
    for who in (outsider, team_lead, org_admin):
        with pytest.raises(NotAProfessionalHere):
            make_token(organisation, org_admin, acting_for=who)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("scopes", [[], ["everything"], "trajectories:read", None, [1]])
def test_unknown_scopes_are_refused(organisation, org_admin, scopes):
    with pytest.raises(InvalidScopes):
        make_token(organisation, org_admin, scopes=scopes or [] if scopes is None else scopes)


@pytest.mark.parametrize("days", [0, 367])
def test_the_validity_is_bounded(organisation, org_admin, days):
    with pytest.raises(InvalidInput):
        make_token(organisation, org_admin, days=days)


def test_a_missing_scope_is_refused_with_its_code(organisation, org_admin, trajectory):
    _token, secret = make_token(organisation, org_admin, scopes=[Scope.TRAJECTORIES_READ])
    client = api(secret)
    assert client.get("/api/v1/trajectories/").status_code == 200
    response = client.post(f"/api/v1/trajectories/{trajectory.uuid}/rounds/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"
    assert not trajectory.rounds.exists()


def test_no_token_and_a_session_are_both_401(client, professional):
    response = client.get("/api/v1/trajectories/")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": response.json()["error"]["message"]}
    }
    assert response["WWW-Authenticate"].startswith("Bearer")
    # A logged-in browser session is no way into the API (no CSRF question either).
    client.force_login(professional)
    assert client.get("/api/v1/trajectories/").status_code == 401


def test_api_events_name_the_token(organisation, org_admin, professional, trajectory):
    token, secret = make_token(organisation, org_admin, acting_for=professional)
    response = api(secret).get(f"/api/v1/trajectories/{trajectory.uuid}/")
    assert response.status_code == 200
    event = AuditEvent.objects.with_action(Action.TRAJECTORY_VIEW).get()
    assert event.actor_kind == ActorKind.API_TOKEN
    assert event.actor == professional
    assert event.client == trajectory.client
    assert event.detail["api_token"] == str(token.uuid)


def test_last_use_is_recorded(organisation, org_admin):
    token, secret = make_token(organisation, org_admin)
    assert token.last_used_at is None
    api(secret).get("/api/v1/trajectories/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_rate_limit_is_per_token(organisation, org_admin, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ALLIANTIEMONITOR_API_RATE = "2/min"
    _first, secret = make_token(organisation, org_admin)
    _second, other = make_token(organisation, org_admin)
    client = api(secret)
    assert client.get("/api/v1/trajectories/").status_code == 200
    assert client.get("/api/v1/trajectories/").status_code == 200
    refused = client.get("/api/v1/trajectories/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert api(other).get("/api/v1/trajectories/").status_code == 200
    cache.clear()
