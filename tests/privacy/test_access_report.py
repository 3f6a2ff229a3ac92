"""The right of access: a client's complete data as a page and as JSON, produced by the
professional who may open the trajectory, and audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.services import agreement_add, conversation_start
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.scheduling.models import ClientContact
from alliantiemonitor.trajectories.services import (
    outcome_record,
    trajectory_hand_over,
    trajectory_start,
)
from tests.factories import answer_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(trajectory, professional, client_record):
    """A discussed round with an agreement, an event, a contact, and an earlier trajectory."""
    earlier = trajectory_start(
        client=client_record,
        professional=professional,
        legal_frame="Begeleiding",
        start_date=trajectory.start_date - dt.timedelta(days=400),
    )
    round_ = round_start(trajectory=trajectory, by=professional)
    answer_round(round_, "client", value=2)
    answer_round(round_, "professional", professional=professional, value=4)
    conversation = conversation_start(round=round_, by=professional)
    agreement_add(
        conversation=conversation, text="Elke week even bellen op maandag", by=professional
    )
    outcome_record(
        trajectory=trajectory,
        kind="no_show",
        date=trajectory.start_date,
        by=professional,
        note="Afspraak gemist, ziek",
    )
    ClientContact.objects.create(client=client_record, email="klant@example.org")
    return round_, earlier


def _json(client, trajectory):
    response = client.get(reverse("privacy:access_json", args=[trajectory.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_the_json_holds_everything_about_the_client(client, professional, trajectory, history):
    round_, earlier = history
    client.force_login(professional)
    data = _json(client, trajectory)

    assert data["format"] == "alliantiemonitor-client-data/1"
    assert data["client"]["name"] == trajectory.client.display_name
    assert data["contact"]["email"] == "klant@example.org"
    # Every trajectory of the client, the earlier one too.
    assert {t["id"] for t in data["trajectories"]} == {str(trajectory.uuid), str(earlier.uuid)}
    current = next(t for t in data["trajectories"] if t["id"] == str(trajectory.uuid))
    (shown_round,) = current["rounds"]
    by_rater = {r["rater"]: r for r in shown_round["responses"]}
    assert set(by_rater) == {"client", "professional"}
    client_items = round_.instrument.items_for("client")
    assert len(by_rater["client"]["answers"]) == len(client_items)
    first = by_rater["client"]["answers"][0]
    assert first["value"] == 2
    assert first["statement"]
    assert first["answer"]
    scores = by_rater["client"]["scores"]
    assert {s["characteristic"] for s in scores} == {
        c.key for c in round_.instrument.characteristics
    }
    assert all(s["name"] and s["score"] is not None for s in scores)
    assert data["withheld"] is False
    assert shown_round["conversation"]["agreements"][0]["text"] == (
        "Elke week even bellen op maandag"
    )
    assert current["outcomes"][0]["note"] == "Afspraak gemist, ziek"
    assert current["professionals"][0]["name"]
    # Who saw or changed the data: the trail of the client, e.g. the round's start.
    actions = {event["action"] for event in data["seen_by"]}
    assert "round.start" in actions
    assert "agreement.add" in actions


def test_the_page_shows_the_same_and_links_the_json(client, professional, trajectory, history):
    client.force_login(professional)
    response = client.get(reverse("privacy:access", args=[trajectory.uuid]))
    assert response.status_code == 200
    page = response.content.decode()
    assert trajectory.client.display_name in page
    assert "Elke week even bellen op maandag" in page
    assert "klant@example.org" in page
    assert reverse("privacy:access_json", args=[trajectory.uuid]) in page
    # The trajectory page leads there.
    detail = client.get(reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}))
    assert reverse("privacy:access", args=[trajectory.uuid]) in detail.content.decode()


def test_every_copy_is_audited_with_its_format(client, professional, trajectory, history):
    client.force_login(professional)
    client.get(reverse("privacy:access", args=[trajectory.uuid]))
    _json(client, trajectory)
    events = AuditEvent.objects.filter(action="client.access_export").order_by("pk")
    assert [e.detail["format"] for e in events] == ["html", "json"]
    assert all(e.client_id == trajectory.client_id and e.actor == professional for e in events)


def test_the_professionals_answers_of_an_open_round_wait_for_the_client(
    client, professional, trajectory
):
    """The blind rule: a copy handed to the client must not show the other view first."""
    round_ = round_start(trajectory=trajectory, by=professional)
    answer_round(round_, "professional", professional=professional)
    answer_round(round_, "client", submit=False)  # a draft of the client's own answers
    client.force_login(professional)
    data = _json(client, trajectory)
    (shown,) = data["trajectories"][0]["rounds"]
    assert shown["responses"] == []
    assert shown["answers_withheld"] is True
    assert data["withheld"] is True
    # Once the client has submitted, both are in.
    answer_round(round_, "client")
    (shown,) = _json(client, trajectory)["trajectories"][0]["rounds"]
    assert {r["rater"] for r in shown["responses"]} == {"client", "professional"}
    assert shown["answers_withheld"] is False


def test_the_clients_answers_wait_for_the_professionals_own(client, professional, trajectory):
    """Found by review: the copy showed the client's answers (even a draft) to a professional
    who had not answered yet, around the blind rule of every other page."""
    round_ = round_start(trajectory=trajectory, by=professional)
    answer_round(round_, "client", value=1)
    client.force_login(professional)
    (shown,) = _json(client, trajectory)["trajectories"][0]["rounds"]
    assert shown["responses"] == []
    assert shown["answers_withheld"] is True


def test_a_cancelled_round_without_the_client_shows_no_answers(client, professional, trajectory):
    """Found by review: a cancelled round is not one in which both may see both."""
    from alliantiemonitor.measurements.models import MeasurementRound

    round_ = round_start(trajectory=trajectory, by=professional)
    answer_round(round_, "professional", professional=professional)
    MeasurementRound.objects.filter(pk=round_.pk).update(state="cancelled")
    client.force_login(professional)
    (shown,) = _json(client, trajectory)["trajectories"][0]["rounds"]
    assert shown["responses"] == []


def test_the_professional_of_an_older_trajectory_gets_no_copy(
    client, professional, colleague, trajectory, client_record
):
    """Found by review: the copy holds every trajectory of the client, so the last assignee
    of an ended one read a newer trajectory of a colleague that they may not open."""
    from alliantiemonitor.trajectories.models import Trajectory

    Trajectory.objects.filter(pk=trajectory.pk).update(
        status="ended", end_date=trajectory.start_date + dt.timedelta(days=30)
    )
    newer = trajectory_start(
        client=client_record,
        professional=colleague,
        legal_frame="Begeleiding",
        start_date=trajectory.start_date + dt.timedelta(days=60),
    )
    client.force_login(professional)
    assert client.get(reverse("privacy:access_json", args=[trajectory.uuid])).status_code == 404
    client.force_login(colleague)
    data = _json(client, newer)
    assert {t["id"] for t in data["trajectories"]} == {str(trajectory.uuid), str(newer.uuid)}


@pytest.mark.parametrize("who", ["colleague", "team_lead", "org_admin", "researcher", "outsider"])
@pytest.mark.parametrize("name", ["privacy:access", "privacy:access_json"])
def test_nobody_else_gets_it(client, request, trajectory, history, who, name):
    client.force_login(request.getfixturevalue(who))
    before = AuditEvent.objects.filter(action="client.access_export").count()
    assert client.get(reverse(name, args=[trajectory.uuid])).status_code == 404
    assert AuditEvent.objects.filter(action="client.access_export").count() == before


def test_the_former_professional_loses_it_at_the_handover(
    client, professional, colleague, trajectory, history
):
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    client.force_login(professional)
    assert client.get(reverse("privacy:access", args=[trajectory.uuid])).status_code == 404
    client.force_login(colleague)
    assert client.get(reverse("privacy:access", args=[trajectory.uuid])).status_code == 200


def test_anonymous_is_sent_to_the_login(client, trajectory):
    response = client.get(reverse("privacy:access", args=[trajectory.uuid]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
