"""Recording an outcome event and ending a trajectory in the browser: who may, what is
checked, what happens to open rounds, and that a second click changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.models import Invitation, MeasurementRound
from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.trajectories.models import OutcomeEvent
from alliantiemonitor.trajectories.services import trajectory_hand_over
from tests.factories import answer_round

pytestmark = pytest.mark.django_db

PAGES = ["monitoring:record_outcome", "monitoring:end", "monitoring:timeline"]


def url(name, trajectory):
    return reverse(name, args=[trajectory.uuid])


def login(client, user):
    client.force_login(user)
    return client


def today():
    return timezone.localdate()


def record(client, trajectory, **data):
    data = {"kind": "no_show", "date": today().isoformat(), "note": "", **data}
    return client.post(
        url("monitoring:record_outcome", trajectory), data, HTTP_ACCEPT_LANGUAGE="en"
    )


def end(client, trajectory, **data):
    data = {
        "reason_kind": "regular_completion",
        "end_date": today().isoformat(),
        "note": "",
        **data,
    }
    return client.post(url("monitoring:end", trajectory), data, HTTP_ACCEPT_LANGUAGE="en")


def test_url_shapes(trajectory):
    assert (
        url("monitoring:record_outcome", trajectory) == f"/verloop/{trajectory.uuid}/gebeurtenis/"
    )
    assert url("monitoring:end", trajectory) == f"/verloop/{trajectory.uuid}/afsluiten/"
    assert url("monitoring:timeline", trajectory) == f"/verloop/{trajectory.uuid}/tijdlijn/"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "persona", ["colleague", "team_lead", "outsider", "researcher", "org_admin"]
)
def test_others_get_404_and_change_nothing(
    client, request, trajectory, professional, name, persona
):
    user = request.getfixturevalue(persona)
    login(client, user)
    assert client.get(url(name, trajectory)).status_code == 404
    if name != "monitoring:timeline":
        assert record(client, trajectory).status_code == 404
        assert end(client, trajectory).status_code == 404
    trajectory.refresh_from_db()
    assert trajectory.is_active
    assert not OutcomeEvent.objects.exists()


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, trajectory, name):
    response = client.get(url(name, trajectory))
    assert response.status_code == 302
    assert "/login/" in response["Location"] or "inloggen" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_former_professional_gets_404_after_handover(
    client, trajectory, professional, colleague, name
):
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    assert login(client, professional).get(url(name, trajectory)).status_code == 404
    assert login(client, colleague).get(url(name, trajectory)).status_code == 200


def test_timeline_post_is_not_allowed(client, professional, trajectory):
    login(client, professional)
    assert client.post(url("monitoring:timeline", trajectory)).status_code == 405


# Recording an outcome event


def test_record_page_offers_the_kinds_while_active(client, professional, trajectory):
    response = login(client, professional).get(
        url("monitoring:record_outcome", trajectory), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for label in ("No-show", "Formal warning or violation", "New arrest or suspicion"):
        assert label in html
    # The ending kinds go through the end page.
    assert 'value="regular_completion"' not in html
    assert 'value="recidivism_followup"' not in html
    assert " style=" not in html
    event = AuditEvent.objects.get(action="trajectory.view")
    assert event.detail == {"page": "record_outcome"}
    assert event.client == trajectory.client


def test_recording_an_event(client, professional, trajectory):
    day = today() - dt.timedelta(days=3)
    response = record(
        login(client, professional),
        trajectory,
        kind="formal_warning",
        date=day.isoformat(),
        note=" Afspraak gemist ",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid})
    event = OutcomeEvent.objects.get(trajectory=trajectory)
    assert (event.kind, event.date, event.note, event.recorded_by) == (
        "formal_warning",
        day,
        "Afspraak gemist",
        professional,
    )
    assert AuditEvent.objects.filter(action="outcome.record", object_uuid=event.uuid).exists()


def test_double_submit_records_one_event(client, professional, trajectory):
    login(client, professional)
    assert record(client, trajectory, note="Niet gekomen").status_code == 302
    assert record(client, trajectory, note="Niet gekomen").status_code == 302
    assert OutcomeEvent.objects.filter(trajectory=trajectory).count() == 1
    # A different event on the same day is recorded.
    assert record(client, trajectory, kind="formal_warning").status_code == 302
    assert OutcomeEvent.objects.filter(trajectory=trajectory).count() == 2
    # So is the same kind with another note (the note is compared after decryption).
    assert record(client, trajectory, note="Weer niet gekomen").status_code == 302
    assert OutcomeEvent.objects.filter(trajectory=trajectory).count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "in three days"}, "Choose today or a date"),
        ({"date": "2001-01-01"}, "on or after the start of the trajectory"),
        ({"date": "31-31-2024"}, "Enter a valid date"),
        ({"date": ""}, "This field is required"),
        ({"kind": "regular_completion"}, "Select a valid choice"),
        ({"kind": "made_up"}, "Select a valid choice"),
        ({"note": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_input_is_refused_and_shown(client, professional, trajectory, data, message):
    if data.get("date") == "in three days":  # in the application's time zone, when it runs
        data = {"date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}
    response = record(login(client, professional), trajectory, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not OutcomeEvent.objects.exists()


def test_after_the_end_only_a_follow_up_can_be_recorded(client, professional, trajectory):
    login(client, professional)
    assert end(client, trajectory).status_code == 302
    html = client.get(url("monitoring:record_outcome", trajectory), HTTP_ACCEPT_LANGUAGE="en")
    assert 'value="recidivism_followup"' in html.content.decode()
    assert 'value="no_show"' not in html.content.decode()
    assert record(client, trajectory, kind="no_show").status_code == 200
    assert record(client, trajectory, kind="recidivism_followup").status_code == 302
    kinds = set(OutcomeEvent.objects.values_list("kind", flat=True))
    assert kinds == {"regular_completion", "recidivism_followup"}


# Ending a trajectory


def test_end_page_counts_what_happens_to_open_rounds(client, professional, trajectory):
    round_start(trajectory=trajectory, by=professional)
    response = login(client, professional).get(
        url("monitoring:end", trajectory), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 round in which nobody has sent answers yet is cancelled" in html
    assert "is closed" not in html
    assert "stop working" in html
    assert "This cannot be undone" in html
    assert AuditEvent.objects.get(action="trajectory.view").detail == {"page": "end"}


def test_end_page_without_open_rounds(client, professional, trajectory):
    html = login(client, professional).get(
        url("monitoring:end", trajectory), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "No round is being filled in now" in html.content.decode()


def test_ending_closes_answered_rounds_and_revokes_links(client, professional, trajectory):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    invitation, _secret = invitation_create(round=measurement_round, kind="link", by=professional)
    answer_round(measurement_round, "professional", professional=professional)
    login(client, professional)
    page = client.get(url("monitoring:end", trajectory), HTTP_ACCEPT_LANGUAGE="en")
    assert "1 round that is still being filled in" in page.content.decode()

    response = end(client, trajectory, reason_kind="premature_end_positive", note="Verhuisd")

    assert response.status_code == 302
    assert response["Location"] == reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid})
    trajectory.refresh_from_db()
    assert (trajectory.status, trajectory.end_date) == ("ended", today())
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "closed"
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    event = OutcomeEvent.objects.get(trajectory=trajectory)
    assert (event.kind, event.note) == ("premature_end_positive", "Verhuisd")


def test_ending_cancels_unanswered_rounds(client, professional, trajectory):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    assert end(login(client, professional), trajectory).status_code == 302
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "cancelled"


def test_double_submit_ends_once(client, professional, trajectory):
    login(client, professional)
    assert end(client, trajectory).status_code == 302
    second = end(client, trajectory, reason_kind="premature_end_negative")
    assert second.status_code == 302
    assert second["Location"] == reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid})
    assert OutcomeEvent.objects.filter(trajectory=trajectory).count() == 1
    assert OutcomeEvent.objects.get().kind == "regular_completion"
    detail = client.get(second["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This trajectory has already ended." in detail


def test_after_the_end_the_trajectory_is_read_only(client, professional, trajectory):
    login(client, professional)
    assert end(client, trajectory).status_code == 302
    detail = client.get(
        reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "no new rounds can start" in detail
    assert url("monitoring:end", trajectory) not in detail
    start = client.post(
        reverse("trajectories:start_round", kwargs={"uuid": trajectory.uuid}),
        {"instrument_id": "standaard"},
    )
    assert start.status_code == 302
    assert not MeasurementRound.objects.filter(trajectory=trajectory).exists()
    page = client.get(url("monitoring:end", trajectory), HTTP_ACCEPT_LANGUAGE="en")
    assert "This trajectory ended on" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # Tomorrow in the application's time zone, worked out when the test runs (the host's
        # date at collection is a day behind the product's for an hour around midnight).
        ({"end_date": "tomorrow"}, "Choose today"),
        ({"end_date": "2001-01-01"}, "on or after the start of the trajectory"),
        ({"reason_kind": "no_show"}, "Select a valid choice"),
        ({"reason_kind": ""}, "This field is required"),
    ],
)
def test_bad_end_input_changes_nothing(client, professional, trajectory, data, message):
    if data.get("end_date") == "tomorrow":
        data = {"end_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
    measurement_round = round_start(trajectory=trajectory, by=professional)
    response = end(login(client, professional), trajectory, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.is_active
    assert MeasurementRound.objects.get(pk=measurement_round.pk).state == "open"


# Links


def test_trajectory_and_course_pages_link_to_the_new_pages(client, professional, trajectory):
    login(client, professional)
    for page in (
        reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}),
        reverse("monitoring:course", args=[trajectory.uuid]),
    ):
        html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert url("monitoring:record_outcome", trajectory) in html
        assert url("monitoring:end", trajectory) in html
        assert url("monitoring:timeline", trajectory) in html


def test_a_refused_form_says_so_at_the_top_with_links_to_the_fields(
    client, professional, trajectory
):
    """On a phone the field with the error may be far down: the top of the form says so."""
    html = record(login(client, professional), trajectory, date="2001-01-01").content.decode()
    summary = html.split('class="utrecht-alert utrecht-alert--error am-error-summary"', 1)[1]
    summary = summary.split("</div>", 1)[0]
    assert "Not everything could be saved" in summary
    assert 'href="#id_date"' in summary
    assert 'id="id_date"' in html
