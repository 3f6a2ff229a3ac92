"""Periodic monitoring end to end: schedule → reminder → round → signal → acknowledgement.

The organisation admin sets a schedule and the professional records the client's e-mail and
consent, both in the browser. The worker's services then open the scheduled round and send the
invitation and a reminder over a real SMTP connection to a server on loopback; the client opens
the link from the reminder, the professional fills in, and the client's scores have clearly
fallen since the earlier rounds (filled in through the services to save time). The signals are
recomputed as the worker does, and the professional reads the signal in plain words on the
caseload and the course page and marks it as seen with a note.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from alliantiemonitor.conversations.services import conversation_start, round_mark_discussed
from alliantiemonitor.core.instrument import Item
from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import (
    response_save_answers,
    response_submit,
    round_start,
)
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.monitoring.services import signals_recompute
from alliantiemonitor.scheduling.constants import Channel
from alliantiemonitor.scheduling.models import ClientContact, OrganisationSchedule
from alliantiemonitor.scheduling.services import reminders_send_due, rounds_open_due
from tests.e2e.conftest import assert_accessible, log_in
from tests.scheduling.conftest import smtp  # noqa: F401 (the real SMTP server on loopback)

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_EMAIL = "k.v@client.example"
LINK = re.compile(r"https?://\S+/m/\S+/")
#: How the client rates the alliance: the earlier rounds and the last one (1 = poor, 5 = good).
EARLIER_LEVELS = (4, 4, 4)
LAST_LEVEL = 2
PROFESSIONAL_LEVEL = 4


def answer_value(item: Item, level: int) -> int:
    """The scale point (1–5) that expresses ``level`` on ``item``.

    A friction statement and a statement worded the other way round agree less as the alliance
    is better.
    """
    good_is_agree = (item.characteristic != "friction") != item.reverse
    return level if good_is_agree else 6 - level


def fill_by_services(round_: MeasurementRound, rater: str, level: int, professional: Any) -> None:
    respondent = professional if rater == "professional" else None
    answers = {item.id: answer_value(item, level) for item in round_.instrument.items_for(rater)}
    response_save_answers(
        round=round_,
        rater=rater,
        answers=answers,
        mode="professional_self" if respondent else "own_device",
        respondent=respondent,
    )
    response_submit(round=round_, rater=rater, respondent=respondent)


def earlier_rounds(trajectory: Any, professional: Any, today: dt.date) -> None:
    """Three discussed rounds, a month apart, the last one two months ago."""
    for number, level in enumerate(EARLIER_LEVELS):
        day = today - dt.timedelta(days=120 - 30 * number)
        measurement_round = round_start(trajectory=trajectory, by=professional)
        fill_by_services(measurement_round, "client", level, professional)
        fill_by_services(measurement_round, "professional", PROFESSIONAL_LEVEL, professional)
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        MeasurementRound.objects.filter(pk=measurement_round.pk).update(opened_at=moment)
        Response.objects.filter(round=measurement_round).update(
            started_at=moment, submitted_at=moment
        )
        measurement_round.refresh_from_db()
        conversation_start(round=measurement_round, by=professional, held_on=day)
        round_mark_discussed(round=measurement_round, by=professional)


def check(page: Any) -> None:
    assert_accessible(page)
    assert page.locator("h1").count() == 1, page.url
    assert page.console_errors == [], page.console_errors
    assert page.external_requests == [], page.external_requests


def fill_in(page: Any, round_: MeasurementRound, rater: str, level: int) -> None:
    """Answer every statement of ``rater`` in the browser, waiting for each autosave."""
    page.wait_for_load_state()  # htmx must be running before the first click
    for item in round_.instrument.items_for(rater):
        statement = page.locator(f"#statement-{item.id}")
        value = answer_value(item, level)
        choice = statement.locator(f"label.am-choice:has(input[value='{value}'])")
        with page.expect_response(lambda r: r.request.method == "POST" and "invullen" in r.url):
            choice.click()
    page.get_by_role("button", name="Send").first.click()
    page.get_by_role("button", name="Send my answers").click()


@pytest.fixture
def mail_server(smtp, live_server, settings):  # noqa: F811
    """The loopback SMTP server, with links in messages pointing at the live server."""
    settings.ALLIANTIEMONITOR_BASE_URL = live_server.url
    return smtp


def test_schedule_reminder_round_signal_acknowledgement(
    new_page, live_server, mail_server, organisation, org_admin, professional, trajectory
):
    today = timezone.localdate()
    client = trajectory.client
    client.preferred_language = "en"  # the client's pages and messages in English
    client.save()
    trajectory.start_date = today - dt.timedelta(days=130)
    trajectory.save()
    earlier_rounds(trajectory, professional, today)
    assert not Signal.objects.filter(trajectory=trajectory).exists()

    # The organisation admin sets a schedule: a round every four weeks, invitations by e-mail.
    admin = new_page()
    log_in(admin, live_server, org_admin)
    admin.goto(f"{live_server.url}/")
    admin.get_by_role("link", name=f"Schedule and messages of {organisation.name}").click()
    check(admin)
    admin.get_by_label("use a schedule").check()
    admin.get_by_label("every so many weeks").fill("4")
    admin.get_by_label("By e-mail, to clients who gave an address").check()
    admin.get_by_label("sender name").fill("Reclassering Voorbeeldstad")
    admin.get_by_role("button", name="Save schedule").click()
    admin.get_by_text("The schedule has been saved.").wait_for()
    check(admin)
    schedule = OrganisationSchedule.objects.get(organisation=organisation)
    assert (schedule.enabled, schedule.every_weeks, schedule.channel) == (True, 4, Channel.EMAIL)

    # The professional sees the round is overdue and records the client's address and consent.
    pro = new_page()
    log_in(pro, live_server, professional)
    pro.goto(f"{live_server.url}/clienten/")
    assert "Scheduled round overdue" in pro.locator("main").inner_text()
    pro.get_by_role("link", name=client.display_name).click()
    pro.get_by_role("link", name="Schedule and e-mail").click()
    check(pro)
    pro.get_by_label("Client's e-mail address").fill(CLIENT_EMAIL)
    pro.get_by_label("The client agreed to receive these e-mails").check()
    pro.get_by_role("button", name="Save", exact=True).click()
    pro.get_by_text("The schedule and contact details have been saved.").wait_for()
    check(pro)
    assert ClientContact.objects.get(client=client).can_mail

    # The worker opens the scheduled round and invites the client; three days later it reminds.
    now = timezone.now()
    assert rounds_open_due(now=now) == 1
    assert rounds_open_due(now=now) == 0  # idempotent
    scheduled = MeasurementRound.objects.get(trajectory=trajectory, state=RoundState.OPEN)
    assert reminders_send_due(now=now + dt.timedelta(days=1)) == 0
    assert reminders_send_due(now=now + dt.timedelta(days=3, hours=1)) == 1
    messages = mail_server.to(CLIENT_EMAIL)
    assert [m.subject for m in messages] == [
        "Reclassering Voorbeeldstad: a short questionnaire for you",
        "Reclassering Voorbeeldstad: a reminder about the short questionnaire",
    ]
    for message in messages:
        assert trajectory.legal_frame not in message.body
        assert "/planning/afmelden/" in message.body
    reminder_link = LINK.search(messages[-1].body)
    assert reminder_link is not None, messages[-1].body

    # The client opens the link from the reminder on a phone and fills in.
    phone = new_page(phone=True)
    phone.goto(reminder_link.group(0))
    assert "/m/start/" in phone.url
    check(phone)
    phone.get_by_role("link", name="Start", exact=True).click()
    check(phone)
    fill_in(phone, scheduled, "client", LAST_LEVEL)
    assert "/m/klaar/" in phone.url
    check(phone)

    # The professional fills in their side of the round.
    pro.goto(f"{live_server.url}/metingen/{scheduled.uuid}/")
    pro.get_by_role("link", name=re.compile("fill in my side", re.I)).click()
    fill_in(pro, scheduled, "professional", PROFESSIONAL_LEVEL)
    scheduled.refresh_from_db()
    assert scheduled.state == RoundState.BOTH_DONE

    # The worker recomputes the signals: the client's view has clearly deteriorated.
    signals_recompute()
    raised = Signal.objects.open().filter(trajectory=trajectory)
    assert raised.filter(kind="deterioration").exists(), list(raised.values("kind", "detail"))

    # The caseload shows the signal; it leads to the course page, in plain words.
    pro.goto(f"{live_server.url}/clienten/")
    check(pro)
    row = pro.get_by_role("row").filter(has_text=client.display_name)
    assert "Deterioration" in row.inner_text()
    row.locator("a.am-signal-badges").click()
    pro.wait_for_url(f"**/verloop/{trajectory.uuid}/**")
    check(pro)
    card = (
        pro.locator("li.am-signal")
        .filter(has=pro.get_by_role("heading", name="Deterioration", exact=True))
        .first
    )
    text = card.inner_text()
    assert "What to talk about:" in text
    assert "Since the round of" in text
    assert card.get_by_role("link", name="Conversation prompts for this round").count() == 1

    # The professional marks it as seen with a note; it then shows as seen.
    card_id = card.get_attribute("id")
    note = "Talked about the last weeks; we meet every week for now."
    card.get_by_label(re.compile("note", re.I)).fill(note)
    card.get_by_role("button", name="Mark as seen").click()
    seen = pro.locator(f"#{card_id}")
    seen.locator(".am-tag", has_text="seen").wait_for()
    assert note in seen.inner_text()
    check(pro)
    acknowledged = Signal.objects.get(uuid=card_id.removeprefix("signal-"))
    assert acknowledged.acknowledged_by == professional
    assert acknowledged.acknowledgement_note == note

    pro.goto(f"{live_server.url}/clienten/")
    row = pro.get_by_role("row").filter(has_text=client.display_name)
    assert "Deterioration (seen)" in row.inner_text()
