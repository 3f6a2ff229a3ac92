"""The trajectory page and starting a round from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import RoundNotAllowed, RoundStillOpen
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.trajectories.services import (
    outcome_record,
    trajectory_end,
    trajectory_hand_over,
)

pytestmark = pytest.mark.django_db

OTHERS = ["colleague", "outsider", "team_lead", "researcher", "org_admin"]


def detail_url(trajectory):
    return reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid})


def start_url(trajectory):
    return reverse("trajectories:start_round", kwargs={"uuid": trajectory.uuid})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_shows_the_trajectory(client, professional, trajectory):
    outcome_record(
        trajectory=trajectory,
        kind="no_show",
        date=timezone.localdate(),
        by=professional,
    )
    client.force_login(professional)
    response = client.get(detail_url(trajectory))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "K.V." in html
    assert trajectory.legal_frame in html
    assert professional.get_full_name() in html
    assert reverse("monitoring:course", args=[trajectory.uuid]) in html
    assert reverse("trajectories:hand_over", kwargs={"uuid": trajectory.uuid}) in html
    assert start_url(trajectory) in html
    assert len(response.context["outcome_events"]) == 1


def test_records_a_view(client, professional, trajectory):
    client.force_login(professional)
    client.get(detail_url(trajectory))
    event = AuditEvent.objects.get(action="trajectory.view")
    assert event.actor == professional
    assert event.client == trajectory.client
    assert event.object_uuid == trajectory.uuid


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_else_gets_in(client, trajectory, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(detail_url(trajectory)).status_code == 404
    assert client.post(start_url(trajectory), {"instrument_id": "standaard"}).status_code == 404
    assert not MeasurementRound.objects.exists()
    assert not AuditEvent.objects.filter(action="trajectory.view").exists()


def test_anonymous_is_sent_to_login(client, trajectory):
    response = client.get(detail_url(trajectory))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_rounds_are_listed_with_variant_state_and_handover_marker(
    client, professional, colleague, trajectory, measurement_round
):
    client.force_login(professional)
    html = client.get(detail_url(trajectory)).content.decode()
    # The questionnaire in words, never the technical reference.
    assert "Alliantiemonitor — standaard, versie 1.0.0" in html
    assert measurement_round.instrument_ref not in html
    assert reverse("measurements:round_detail", args=[measurement_round.uuid]) in html
    # While a round collects answers no new one can be started from the page.
    assert start_url(trajectory) not in html

    from alliantiemonitor.measurements.services import round_cancel, round_start

    round_cancel(round=measurement_round, by=professional)
    trajectory_hand_over(
        trajectory=trajectory, to_professional=colleague, by=professional, reason="Nieuwe verdeling"
    )
    after = round_start(trajectory=trajectory, by=colleague)
    client.force_login(colleague)
    response = client.get(detail_url(trajectory))
    html = response.content.decode()
    assert after.after_handover
    assert "Nieuwe verdeling" in html
    rows = response.context["rounds"]
    assert [row["round"] for row in rows] == [after, measurement_round]
    assert len(response.context["assignments"]) == 2


def test_variant_defaults_to_the_organisation(client, professional, trajectory):
    client.force_login(professional)
    form = client.get(detail_url(trajectory)).context["start_form"]
    assert form["instrument_id"].value() == "standaard"
    assert {choice for choice, _ in form.fields["instrument_id"].choices} >= {
        "standaard",
        "eenvoudig",
        "kort",
    }


def test_variant_defaults_to_easy_read_for_a_client_who_prefers_it(
    client, professional, trajectory
):
    trajectory.client.easy_read = True
    trajectory.client.save()
    client.force_login(professional)
    form = client.get(detail_url(trajectory)).context["start_form"]
    assert form["instrument_id"].value() == "eenvoudig"


def test_start_round_goes_to_the_new_round(client, professional, trajectory):
    client.force_login(professional)
    due = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        start_url(trajectory), {"instrument_id": "kort", "due_date": due.isoformat()}
    )
    measurement_round = MeasurementRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "measurements:round_detail", args=[measurement_round.uuid]
    )
    assert measurement_round.instrument_id == "kort"
    assert measurement_round.due_date == due
    assert measurement_round.opened_by == professional


def test_start_round_while_one_is_open_shows_the_services_message(
    client, professional, trajectory, measurement_round
):
    client.force_login(professional)
    response = client.post(start_url(trajectory), {"instrument_id": "standaard"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(trajectory)
    assert str(RoundStillOpen.default_message) in messages_of(response)
    assert MeasurementRound.objects.count() == 1


def test_start_round_on_an_ended_trajectory_is_refused(client, professional, trajectory):
    trajectory_end(
        trajectory=trajectory,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
        by=professional,
    )
    client.force_login(professional)
    html = client.get(detail_url(trajectory)).content.decode()
    assert start_url(trajectory) not in html
    response = client.post(start_url(trajectory), {"instrument_id": "standaard"}, follow=True)
    assert str(RoundNotAllowed.default_message) in messages_of(response)
    assert not MeasurementRound.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"instrument_id": "does-not-exist"},
        {"instrument_id": "standaard", "due_date": "2000-01-01"},
        {"instrument_id": "standaard", "due_date": "not a date"},
    ],
)
def test_start_round_bad_input_changes_nothing(client, professional, trajectory, data):
    client.force_login(professional)
    response = client.post(start_url(trajectory), data)
    assert response.status_code == 200
    assert response.context["start_form"].errors
    assert not MeasurementRound.objects.exists()


def test_start_round_is_post_only(client, professional, trajectory):
    client.force_login(professional)
    assert client.get(start_url(trajectory)).status_code == 405
