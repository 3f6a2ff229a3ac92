"""The worker's jobs over a real SMTP connection: open, invite, remind, digest — exactly once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import rounds_expire
from alliantiemonitor.scheduling.models import ClientContact, Delivery
from alliantiemonitor.scheduling.services import (
    client_contact_set,
    digests_send_due,
    mail_preference_set,
    organisation_schedule_set,
    reminders_send_due,
    rounds_open_due,
    trajectory_schedule_set,
)
from tests.factories import answer_round
from tests.scheduling.conftest import BASE_URL

pytestmark = pytest.mark.django_db

CLIENT_MAIL = "kv.synthetisch@example.net"
LINK_RE = re.compile(re.escape(BASE_URL) + r"/m/[A-Za-z0-9_-]+/")
UNSUBSCRIBE_RE = re.compile(re.escape(BASE_URL) + r"/planning/afmelden/\S+/")


@pytest.fixture
def by_mail(organisation, org_admin, trajectory, client_record, professional):
    """The organisation invites by e-mail; the client gave an address and agreed."""
    organisation_schedule_set(
        organisation=organisation,
        by=org_admin,
        enabled=True,
        channel="email",
        sender_name="Reclassering Voorbeeldstad",
        reminder_after_days=3,
        reminder_max=2,
    )
    client_contact_set(client=client_record, by=professional, email=CLIENT_MAIL, consent=True)
    return trajectory


def _now(days: int = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_opens_the_start_round_and_invites_once(smtp, by_mail, professional):
    assert rounds_open_due(now=_now()) == 1
    assert rounds_open_due(now=_now()) == 0

    rounds = MeasurementRound.objects.filter(trajectory=by_mail)
    assert rounds.count() == 1
    measurement_round = rounds.get()
    assert measurement_round.professional == professional
    # The start occasion was due by two weeks after the start (past already): the round still
    # gives the client two weeks from today, so that it does not expire at once.
    assert by_mail.start_date + dt.timedelta(weeks=2) < timezone.localdate()
    assert measurement_round.due_date == timezone.localdate() + dt.timedelta(weeks=2)
    assert rounds_expire(_now()) == 0
    [received] = smtp.to(CLIENT_MAIL)
    assert "Reclassering Voorbeeldstad" in received.message["From"]
    assert LINK_RE.search(received.body)
    assert UNSUBSCRIBE_RE.search(received.body)
    assert (
        str(received.message["List-Unsubscribe"])
        .strip()
        .startswith(f"<{BASE_URL}/planning/afmelden/")
    )
    # No legal frame, no scores, no answers.
    assert by_mail.legal_frame not in received.body
    assert "score" not in received.body.lower()
    assert AuditEvent.objects.filter(action="schedule.round_open").count() == 1
    assert AuditEvent.objects.filter(action="schedule.invitation_send").count() == 1


def test_the_link_in_the_mail_opens_the_questionnaire(smtp, by_mail):
    rounds_open_due(now=_now())
    link = LINK_RE.search(smtp.received[0].body).group(0)
    browser = Client()
    response = browser.get(link.removeprefix(BASE_URL))
    assert response.status_code == 302
    assert browser.get(response.url).status_code == 200


def test_handover_channel_opens_without_mail(smtp, organisation, org_admin, trajectory):
    organisation_schedule_set(organisation=organisation, by=org_admin, channel="handover")
    assert rounds_open_due(now=_now()) == 1
    assert smtp.received == []


def test_no_mail_without_consent(smtp, by_mail, client_record, professional):
    client_contact_set(client=client_record, by=professional, email=CLIENT_MAIL, consent=False)
    assert rounds_open_due(now=_now()) == 1
    assert smtp.received == []


def test_trajectory_without_schedule_is_left_alone(smtp, by_mail, professional):
    trajectory_schedule_set(trajectory=by_mail, by=professional, mode="none")
    assert rounds_open_due(now=_now()) == 0


def test_reminders_after_n_days_at_most_m(smtp, by_mail):
    rounds_open_due(now=_now())
    assert reminders_send_due(now=_now(2)) == 0
    assert reminders_send_due(now=_now(3)) == 1
    assert reminders_send_due(now=_now(3)) == 0
    assert reminders_send_due(now=_now(6)) == 1
    assert reminders_send_due(now=_now(30)) == 0
    mails = smtp.to(CLIENT_MAIL)
    assert len(mails) == 3
    assert all(UNSUBSCRIBE_RE.search(m.body) for m in mails)
    assert Delivery.objects.filter(kind="reminder", sent_at__isnull=False).count() == 2


def test_no_reminder_once_the_client_finished(smtp, by_mail):
    rounds_open_due(now=_now())
    answer_round(MeasurementRound.objects.get(trajectory=by_mail), "client")
    assert reminders_send_due(now=_now(10)) == 0


def test_reminder_to_a_client_who_began_has_no_new_link(smtp, by_mail):
    rounds_open_due(now=_now())
    answer_round(MeasurementRound.objects.get(trajectory=by_mail), "client", submit=False)
    assert reminders_send_due(now=_now(4)) == 1
    reminder = smtp.to(CLIENT_MAIL)[-1]
    assert not LINK_RE.search(reminder.body)


def test_unsubscribe_link_stops_the_mail(smtp, by_mail, client_record):
    rounds_open_due(now=_now())
    url = UNSUBSCRIBE_RE.search(smtp.received[0].body).group(0).removeprefix(BASE_URL)
    browser = Client()
    page = browser.get(url)
    assert page.status_code == 200
    assert ClientContact.objects.get(client=client_record).has_consent  # GET changes nothing
    assert browser.post(url).status_code == 200
    assert not ClientContact.objects.get(client=client_record).has_consent
    assert AuditEvent.objects.filter(action="client_contact.unsubscribe").count() == 1
    assert reminders_send_due(now=_now(4)) == 0
    assert len(smtp.received) == 1


def test_a_forged_unsubscribe_token_is_refused(client):
    assert client.get("/planning/afmelden/not-a-token/").status_code == 404


def test_weekly_digest_once_per_week_with_opt_out(smtp, by_mail, professional):
    monday_morning = timezone.make_aware(dt.datetime(2030, 1, 7, 8, 0))
    by_mail.start_date = monday_morning.date() - dt.timedelta(days=30)
    by_mail.save()
    assert digests_send_due(now=monday_morning - dt.timedelta(hours=2)) == 0  # before 07:00
    assert digests_send_due(now=monday_morning) == 1
    assert digests_send_due(now=monday_morning + dt.timedelta(days=2)) == 0
    [digest] = smtp.to(professional.email)
    assert "1 meting is te laat" in digest.body  # the professional gets Dutch
    assert "K.V." not in digest.body  # counts only, no client names
    assert f"{BASE_URL}/planning/mail/" in digest.body

    mail_preference_set(user=professional, weekly_digest=False)
    assert digests_send_due(now=monday_morning + dt.timedelta(days=7)) == 0


def test_smtp_down_sends_nothing_and_retries(settings, smtp, by_mail):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    with pytest.raises(OSError):
        rounds_open_due(now=_now())
    # The round was opened (its own transaction); the invitation was rolled back.
    assert MeasurementRound.objects.filter(trajectory=by_mail).count() == 1
    assert not Delivery.objects.filter(kind="invitation", sent_at__isnull=False).exists()
    settings.EMAIL_PORT = real_port
    rounds_open_due(now=_now())
    assert len(smtp.to(CLIENT_MAIL)) == 1


def test_digest_counts_new_unacknowledged_signals_even_with_no_round_due(
    smtp, trajectory, professional, measurement_round
):
    """No schedule (selective use), so no round is due; a new signal alone sends the digest."""
    from alliantiemonitor.monitoring.models import Signal

    monday_morning = timezone.make_aware(dt.datetime(2030, 1, 7, 8, 0))
    Signal.objects.create(
        trajectory=trajectory,
        kind="friction",
        characteristic="friction",
        rater="client",
        round=measurement_round,
        detail="synthetic",
        raised_at=monday_morning - dt.timedelta(days=2),
    )
    seen = Signal.objects.create(
        trajectory=trajectory,
        kind="deterioration",
        round=measurement_round,
        detail="synthetic",
        raised_at=monday_morning - dt.timedelta(days=1),
        acknowledged_at=monday_morning,
        acknowledged_by=professional,
        acknowledgement_note="besproken",
    )
    assert seen.acknowledged_at is not None
    assert digests_send_due(now=monday_morning) == 1
    [digest] = smtp.to(professional.email)
    assert "1 nieuw signaal" in digest.body
    assert "2 nieuwe signalen" not in digest.body  # the acknowledged one is not new
