"""The endpoints of /api/v1/: reach, the blind rule, writes through the services, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.models import Invitation
from alliantiemonitor.measurements.services import invitation_resolve
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.trajectories.models import Client, OutcomeEvent, Trajectory
from tests.api.conftest import api, make_token
from tests.factories import answer_round, discuss_round

pytestmark = pytest.mark.django_db


def _other_trajectory(other_organisation, outsider):
    from alliantiemonitor.trajectories.services import client_enrol

    return client_enrol(
        organisation=other_organisation,
        professional=outsider,
        display_name="X.Y.",
        legal_frame="",
        start_date=dt.date(2026, 1, 5),
    )


def test_list_shows_the_reach_of_the_token(
    organisation, org_admin, professional, colleague, trajectory, other_organisation, outsider
):
    from alliantiemonitor.trajectories.services import client_enrol

    colleagues = client_enrol(
        organisation=organisation,
        professional=colleague,
        display_name="C.D.",
        legal_frame="",
        start_date=dt.date(2026, 1, 5),
    )
    _other_trajectory(other_organisation, outsider)
    _t, bound = make_token(organisation, org_admin, acting_for=professional)
    _t, whole = make_token(organisation, org_admin)
    seen = api(bound).get("/api/v1/trajectories/").json()
    assert [t["uuid"] for t in seen["results"]] == [str(trajectory.uuid)]
    assert seen["results"][0]["professional"] == str(professional.uuid)
    assert seen["results"][0]["client"]["display_name"] == trajectory.client.display_name
    seen = api(whole).get("/api/v1/trajectories/").json()
    assert {t["uuid"] for t in seen["results"]} == {str(trajectory.uuid), str(colleagues.uuid)}
    event = AuditEvent.objects.with_action(Action.API_TRAJECTORY_LIST_VIEW).last()
    assert event.actor_kind == ActorKind.API_TOKEN


def test_pagination_is_bounded(organisation, org_admin, professional):
    _t, secret = make_token(organisation, org_admin)
    client = api(secret)
    assert client.get("/api/v1/trajectories/?page_size=1000").status_code == 200
    assert client.get("/api/v1/trajectories/?page=99").json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("kind", ["bound", "whole"])
def test_other_organisations_objects_do_not_exist(
    kind, organisation, org_admin, professional, other_organisation, outsider
):
    other = _other_trajectory(other_organisation, outsider)
    from alliantiemonitor.measurements.services import round_start

    other_round = round_start(trajectory=other, by=outsider)
    _t, secret = make_token(
        organisation, org_admin, acting_for=professional if kind == "bound" else None
    )
    client = api(secret)
    for method, path in [
        ("get", f"/api/v1/trajectories/{other.uuid}/"),
        ("get", f"/api/v1/trajectories/{other.uuid}/rounds/"),
        ("post", f"/api/v1/trajectories/{other.uuid}/rounds/"),
        ("post", f"/api/v1/trajectories/{other.uuid}/close/"),
        ("post", f"/api/v1/trajectories/{other.uuid}/hand-over/"),
        ("post", f"/api/v1/trajectories/{other.uuid}/outcomes/"),
        ("get", f"/api/v1/rounds/{other_round.uuid}/"),
        ("post", f"/api/v1/rounds/{other_round.uuid}/invitations/"),
        ("get", f"/api/v1/rounds/{other_round.uuid}/results/"),
    ]:
        response = getattr(client, method)(path, {}, format="json")
        if kind == "whole" and path.endswith("/results/"):
            # The scope is refused before any object is looked at: nothing leaks either way.
            assert response.json()["error"]["code"] == "missing_scope"
            continue
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["error"]["code"] == "not_found"
    assert not other.rounds.exclude(pk=other_round.pk).exists()
    assert not Invitation.objects.exists()


def test_a_colleagues_trajectory_is_out_of_a_bound_tokens_reach(
    organisation, org_admin, professional, colleague, trajectory
):
    _t, secret = make_token(organisation, org_admin, acting_for=colleague)
    assert api(secret).get(f"/api/v1/trajectories/{trajectory.uuid}/").status_code == 404


def test_create_a_client_with_a_trajectory_through_the_service(
    organisation, org_admin, professional, team
):
    _t, secret = make_token(organisation, org_admin)
    body = {
        "display_name": "P.Q.",
        "start_date": "2026-02-01",
        "professional": str(professional.uuid),
        "team": str(team.uuid),
        "legal_frame": "Toezicht",
    }
    response = api(secret).post("/api/v1/trajectories/", body, format="json")
    assert response.status_code == 201, response.content
    trajectory = Trajectory.objects.get(uuid=response.json()["uuid"])
    assert trajectory.current_assignment.professional == professional
    assert trajectory.client.created_by == org_admin
    create = AuditEvent.objects.with_action(Action.CLIENT_CREATE).get()
    assert create.actor_kind == ActorKind.API_TOKEN


def test_create_refuses_what_the_service_refuses(organisation, org_admin, professional, outsider):
    _t, secret = make_token(organisation, org_admin)
    client = api(secret)
    bsn = {"display_name": "123456789", "start_date": "2026-02-01"}
    response = client.post(
        "/api/v1/trajectories/", {**bsn, "professional": str(professional.uuid)}, format="json"
    )
    assert response.status_code in (400, 409)
    assert response.json()["error"]["code"] == "invalid_display_name"
    response = client.post(
        "/api/v1/trajectories/",
        {"display_name": "A.B.", "start_date": "2026-02-01", "professional": str(outsider.uuid)},
        format="json",
    )
    assert response.status_code == 409
    assert not Client.objects.exists()


def test_a_bound_token_creates_for_its_own_professional_only(
    organisation, org_admin, professional, colleague
):
    _t, secret = make_token(organisation, org_admin, acting_for=professional)
    client = api(secret)
    body = {"display_name": "E.F.", "start_date": "2026-02-01"}
    response = client.post(
        "/api/v1/trajectories/", {**body, "professional": str(colleague.uuid)}, format="json"
    )
    assert response.status_code == 400
    response = client.post("/api/v1/trajectories/", body, format="json")
    assert response.status_code == 201
    assert response.json()["professional"] == str(professional.uuid)


def test_hand_over_and_close(organisation, org_admin, professional, colleague, trajectory):
    _t, secret = make_token(organisation, org_admin)
    client = api(secret)
    response = client.post(
        f"/api/v1/trajectories/{trajectory.uuid}/hand-over/",
        {"professional": str(colleague.uuid), "reason": "Verhuizing"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["professional"] == str(colleague.uuid)
    response = client.post(
        f"/api/v1/trajectories/{trajectory.uuid}/close/",
        {"end_date": str(timezone.localdate()), "reason_kind": "regular_completion"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["trajectory"]["status"] == "ended"
    again = client.post(
        f"/api/v1/trajectories/{trajectory.uuid}/close/",
        {"end_date": str(timezone.localdate()), "reason_kind": "regular_completion"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "trajectory_ended"


def test_a_handover_ends_a_bound_tokens_reach(
    organisation, org_admin, professional, colleague, trajectory
):
    _t, bound = make_token(organisation, org_admin, acting_for=professional)
    client = api(bound)
    response = client.post(
        f"/api/v1/trajectories/{trajectory.uuid}/hand-over/",
        {"professional": str(colleague.uuid)},
        format="json",
    )
    assert response.status_code == 200
    assert client.get(f"/api/v1/trajectories/{trajectory.uuid}/").status_code == 404


def test_rounds_start_status_and_invitation_link_once(
    organisation, org_admin, professional, trajectory
):
    _t, secret = make_token(organisation, org_admin, acting_for=professional)
    client = api(secret)
    response = client.post(f"/api/v1/trajectories/{trajectory.uuid}/rounds/", {}, format="json")
    assert response.status_code == 201, response.content
    round_uuid = response.json()["uuid"]
    assert response.json()["state"] == "open"
    again = client.post(f"/api/v1/trajectories/{trajectory.uuid}/rounds/", {}, format="json")
    assert again.status_code == 409
    status = client.get(f"/api/v1/rounds/{round_uuid}/")
    assert status.json()["state"] == "open"
    assert AuditEvent.objects.with_action(Action.ROUND_VIEW).get().object_uuid is not None
    listed = client.get(f"/api/v1/trajectories/{trajectory.uuid}/rounds/").json()
    assert [r["uuid"] for r in listed["results"]] == [round_uuid]
    response = client.post(f"/api/v1/rounds/{round_uuid}/invitations/", {}, format="json")
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get()
    assert token not in str(Invitation.objects.values().get())
    assert invitation_resolve(secret=token, kind="link").pk == invitation.pk
    code = client.post(f"/api/v1/rounds/{round_uuid}/invitations/", {"kind": "code"}, format="json")
    assert code.status_code == 201
    assert code.json()["url"] is None
    assert len(code.json()["code"]) == 8


def test_results_follow_the_blind_rule(organisation, org_admin, professional, measurement_round):
    _t, secret = make_token(organisation, org_admin, acting_for=professional)
    client = api(secret)
    path = f"/api/v1/rounds/{measurement_round.uuid}/results/"
    response = client.get(path)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "answers_not_visible"
    answer_round(measurement_round, "client", value=2)
    response = client.get(path)
    assert response.status_code == 409, "one side done: still blind"
    assert not AuditEvent.objects.with_action(Action.RESULTS_VIEW).exists()
    answer_round(measurement_round, "professional", professional=professional, value=4)
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["client_submitted"]
    assert body["professional_submitted"]
    assert len(body["characteristics"]) == 4
    for characteristic in body["characteristics"]:
        assert characteristic["client"]["score"] is not None
        assert characteristic["professional"]["score"] is not None
    event = AuditEvent.objects.with_action(Action.RESULTS_VIEW).get()
    assert event.actor_kind == ActorKind.API_TOKEN
    assert event.client == measurement_round.trajectory.client


def test_an_organisation_token_never_gets_results(
    organisation, org_admin, professional, measurement_round
):
    discuss_round(measurement_round, professional)
    # Even with the scope written into the row by hand, an unbound token sees no answers.
    token, secret = make_token(organisation, org_admin)
    token.scopes = [*token.scopes, "results:read", "signals:read"]
    token.save()
    client = api(secret)
    response = client.get(f"/api/v1/rounds/{measurement_round.uuid}/results/")
    assert response.status_code == 404
    Signal.objects.create(
        trajectory=measurement_round.trajectory,
        round=measurement_round,
        kind="disagreement",
        raised_at=timezone.now(),
    )
    assert client.get("/api/v1/signals/").json()["results"] == []
    assert not AuditEvent.objects.with_action(Action.RESULTS_VIEW).exists()


def test_results_need_the_scope(organisation, org_admin, professional, measurement_round):
    discuss_round(measurement_round, professional)
    _t, secret = make_token(
        organisation, org_admin, acting_for=professional, scopes=["trajectories:read"]
    )
    response = api(secret).get(f"/api/v1/rounds/{measurement_round.uuid}/results/")
    assert response.status_code == 403


def test_signals_of_the_bound_professional(
    organisation, org_admin, professional, colleague, measurement_round
):
    discuss_round(measurement_round, professional)
    signal = Signal.objects.create(
        trajectory=measurement_round.trajectory,
        round=measurement_round,
        kind="disagreement",
        characteristic="trust",
        raised_at=timezone.now(),
    )
    _t, mine = make_token(organisation, org_admin, acting_for=professional)
    _t, theirs = make_token(organisation, org_admin, acting_for=colleague)
    assert [s["uuid"] for s in api(mine).get("/api/v1/signals/").json()["results"]] == [
        str(signal.uuid)
    ]
    assert api(theirs).get("/api/v1/signals/").json()["results"] == []
    assert AuditEvent.objects.with_action(Action.SIGNAL_VIEW).count() == 2


def test_outcome_events(organisation, org_admin, trajectory):
    _t, secret = make_token(organisation, org_admin)
    client = api(secret)
    path = f"/api/v1/trajectories/{trajectory.uuid}/outcomes/"
    today = str(timezone.localdate())
    response = client.post(path, {"kind": "no_show", "date": today}, format="json")
    assert response.status_code == 201, response.content
    assert OutcomeEvent.objects.get().kind == "no_show"
    # Ending kinds go through close, not here.
    response = client.post(path, {"kind": "regular_completion", "date": today}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert OutcomeEvent.objects.count() == 1


def test_malformed_json_is_a_json_error(organisation, org_admin):
    _t, secret = make_token(organisation, org_admin)
    response = api(secret).generic(
        "POST", "/api/v1/trajectories/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_an_unknown_api_address_is_a_json_404(organisation, org_admin):
    _t, secret = make_token(organisation, org_admin)
    for path in ("/api/v1/rounds/null,null/", "/api/v1/nothing/", "/api/v2/"):
        response = api(secret).get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"
