"""The schedule pages for each role: organisation admin, professional, others, the client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.scheduling.mail import unsubscribe_token
from alliantiemonitor.scheduling.models import (
    ClientContact,
    MailPreference,
    OrganisationSchedule,
    TrajectorySchedule,
)
from alliantiemonitor.scheduling.services import client_contact_set, organisation_schedule_set

pytestmark = pytest.mark.django_db

ORGANISATION_FORM = {
    "enabled": "on",
    "at_start": "on",
    "every_weeks": "10",
    "after_handover_weeks": "3",
    "before_end_weeks": "",
    "channel": "email",
    "sender_name": "Reclassering Voorbeeldstad",
    "message_text": "",
    "reminder_after_days": "4",
    "reminder_max": "1",
}


def _login(client, user):
    client.force_login(user)
    return client


def test_org_admin_sets_the_default_schedule(client, org_admin, organisation):
    _login(client, org_admin)
    home = client.get(reverse("home"))
    url = reverse("scheduling:organisation", kwargs={"uuid": organisation.uuid})
    assert url in home.content.decode()
    assert client.get(url).status_code == 200

    response = client.post(url, ORGANISATION_FORM)

    assert response.status_code == 302
    schedule = OrganisationSchedule.objects.get(organisation=organisation)
    assert (schedule.every_weeks, schedule.after_handover_weeks, schedule.before_end_weeks) == (
        10,
        3,
        None,
    )
    assert schedule.channel == "email"
    assert AuditEvent.objects.filter(action="schedule.organisation_set").exists()


def test_invalid_numbers_are_refused(client, org_admin, organisation):
    _login(client, org_admin)
    url = reverse("scheduling:organisation", kwargs={"uuid": organisation.uuid})
    response = client.post(url, {**ORGANISATION_FORM, "every_weeks": "0"})
    assert response.status_code == 200
    assert not OrganisationSchedule.objects.exists()


@pytest.mark.parametrize(
    "persona", ["professional", "team_lead", "researcher", "outsider", "superuser"]
)
def test_only_its_admins_open_the_organisation_page(client, organisation, persona, request):
    _login(client, request.getfixturevalue(persona))
    url = reverse("scheduling:organisation", kwargs={"uuid": organisation.uuid})
    assert client.get(url).status_code == 404
    assert client.post(url, ORGANISATION_FORM).status_code == 404
    assert not OrganisationSchedule.objects.exists()


def test_professional_sets_planned_end_own_schedule_and_contact(
    client, professional, trajectory, client_record
):
    _login(client, professional)
    detail = client.get(reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}))
    url = reverse("scheduling:trajectory", kwargs={"uuid": trajectory.uuid})
    assert url in detail.content.decode()
    assert client.get(url).status_code == 200
    planned_end = trajectory.start_date + dt.timedelta(days=200)

    response = client.post(
        url,
        {
            "schedule-planned_end_date": planned_end.isoformat(),
            "schedule-mode": "custom",
            "schedule-at_start": "on",
            "schedule-every_weeks": "8",
            "schedule-after_handover_weeks": "",
            "schedule-before_end_weeks": "2",
            "contact-email": "kv@example.net",
            "contact-consent": "on",
        },
    )

    assert response.status_code == 302
    schedule = TrajectorySchedule.objects.get(trajectory=trajectory)
    assert (schedule.mode, schedule.every_weeks, schedule.planned_end_date) == (
        "custom",
        8,
        planned_end,
    )
    contact = ClientContact.objects.get(client=client_record)
    assert contact.can_mail
    event = AuditEvent.objects.get(action="client_contact.set")
    assert "kv@example.net" not in str(event.detail)


def test_consent_needs_an_address(client, professional, trajectory, client_record):
    _login(client, professional)
    url = reverse("scheduling:trajectory", kwargs={"uuid": trajectory.uuid})
    response = client.post(
        url, {"schedule-mode": "organisation", "contact-email": "", "contact-consent": "on"}
    )
    assert response.status_code == 200
    assert not ClientContact.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "team_lead", "org_admin", "outsider"])
def test_others_do_not_see_the_trajectory_schedule(client, trajectory, persona, request):
    _login(client, request.getfixturevalue(persona))
    url = reverse("scheduling:trajectory", kwargs={"uuid": trajectory.uuid})
    assert client.get(url).status_code == 404
    assert client.post(url, {"schedule-mode": "none"}).status_code == 404


def test_caseload_shows_due_and_overdue(client, professional, trajectory, organisation, org_admin):
    organisation_schedule_set(organisation=organisation, by=org_admin, enabled=True)
    _login(client, professional)
    page = client.get(reverse("trajectories:caseload"), HTTP_ACCEPT_LANGUAGE="en")
    # The trajectory started 30 days ago without a round: the start round is overdue.
    assert "Scheduled round overdue" in page.content.decode()


def test_caseload_without_schedule_shows_nothing_scheduled(client, professional, trajectory):
    _login(client, professional)
    page = client.get(reverse("trajectories:caseload"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Scheduled round" not in page.content.decode()


def test_mail_settings_opt_out(client, professional):
    _login(client, professional)
    url = reverse("scheduling:mail_settings")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302
    assert MailPreference.objects.get(user=professional).weekly_digest is False
    client.post(url, {"weekly_digest": "on"})
    assert MailPreference.objects.get(user=professional).weekly_digest is True


def test_mail_settings_need_a_login(client):
    response = client.get(reverse("scheduling:mail_settings"))
    assert response.status_code == 302
    assert "/login" in response.url or "inloggen" in response.url


def test_unsubscribe_page_without_login(client, professional, client_record):
    contact = client_contact_set(
        client=client_record, by=professional, email="kv@example.net", consent=True
    )
    url = reverse("scheduling:unsubscribe", kwargs={"token": unsubscribe_token(contact)})
    # The language of the e-mail (the client's preferred one, Dutch), not the browser's.
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "K.V." not in page.content.decode()
    assert "Stop deze e-mails" in page.content.decode()
    client.post(url)
    client.post(url)  # twice: recorded once
    contact.refresh_from_db()
    assert contact.consent_withdrawn_at is not None
    assert AuditEvent.objects.filter(action="client_contact.unsubscribe").count() == 1


def test_due_rounds_takes_a_fixed_number_of_queries(
    organisation, org_admin, professional, client_record, django_assert_num_queries
):
    from alliantiemonitor.scheduling.readmodels import due_rounds
    from alliantiemonitor.trajectories.models import Trajectory
    from alliantiemonitor.trajectories.services import trajectory_start

    organisation_schedule_set(organisation=organisation, by=org_admin, enabled=True)
    for _ in range(5):
        trajectory_start(
            client=client_record,
            professional=professional,
            legal_frame="",
            start_date=dt.date(2025, 1, 6),
        )
    trajectories = list(Trajectory.objects.all())
    with django_assert_num_queries(4):
        due = due_rounds(trajectories, dt.date(2025, 1, 7))
    assert len(due) == 5
    assert all(info.due and not info.overdue for info in due.values())


def test_trajectory_schedule_page_reads_well_in_dutch(
    client, professional, trajectory, organisation, org_admin
):
    """The title matches the heading, the choice of schedule has its own question (not a second
    "Planning" under the fieldset "Planning"), and the due line is a paragraph of its own."""
    organisation_schedule_set(organisation=organisation, by=org_admin, enabled=True)
    _login(client, professional)
    url = reverse("scheduling:trajectory", kwargs={"uuid": trajectory.uuid})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    name = trajectory.client.display_name
    assert f"<title>Planning en e-mail van {name}" in html
    assert "Welke planning</legend>" in html
    assert '<p class="utrecht-paragraph"><strong class="am-due am-due--overdue">' in html
    assert "Geplande meting te laat, was uiterlijk" in html


def test_trajectory_schedule_page_says_an_ended_trajectory_gets_no_rounds(
    client, professional, trajectory, organisation, org_admin
):
    from alliantiemonitor.trajectories.constants import TrajectoryStatus
    from alliantiemonitor.trajectories.models import Trajectory

    organisation_schedule_set(organisation=organisation, by=org_admin, enabled=True)
    Trajectory.objects.filter(pk=trajectory.pk).update(status=TrajectoryStatus.ENDED)
    _login(client, professional)
    url = reverse("scheduling:trajectory", kwargs={"uuid": trajectory.uuid})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Dit traject is beëindigd" in html
    assert "Geplande meting te laat" not in html


def test_week_fields_offer_no_zero_and_refuse_it():
    from alliantiemonitor.scheduling.forms import OrganisationScheduleForm

    form = OrganisationScheduleForm(
        data={
            "enabled": "on",
            "at_start": "on",
            "every_weeks": "0",
            "channel": "professional",
            "reminder_after_days": "3",
            "reminder_max": "2",
        }
    )
    assert 'min="1"' in str(form["every_weeks"])
    assert not form.is_valid()
    assert "every_weeks" in form.errors


def test_with_a_schedule_the_caseload_shows_one_next_date(
    client, professional, trajectory, organisation, org_admin, measurement_round
):
    """The schedule's date replaces the three-month suggestion instead of standing beside it."""
    from alliantiemonitor.conversations.services import conversation_start, round_mark_discussed
    from tests.factories import answer_round

    answer_round(measurement_round, "client")
    answer_round(measurement_round, "professional", professional=professional)
    conversation_start(round=measurement_round, by=professional)
    round_mark_discussed(round=measurement_round, by=professional)
    _login(client, professional)
    before = client.get(reverse("trajectories:caseload"), HTTP_ACCEPT_LANGUAGE="en")
    assert "(suggested)" in before.content.decode()

    organisation_schedule_set(organisation=organisation, by=org_admin, enabled=True)
    page = client.get(reverse("trajectories:caseload"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(suggested)" not in page
    assert "Scheduled round" in page or "Next scheduled round" in page
