"""The client's e-mails and unsubscribe page in Turkish, Arabic and Polish; staff mail: nl/en."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.scheduling import mail
from alliantiemonitor.scheduling.services import (
    client_contact_set,
    organisation_schedule_set,
    reminders_send_due,
    rounds_open_due,
)

pytestmark = pytest.mark.django_db

CLIENT_MAIL = "kv.synthetisch@example.net"
SENDER = "Reclassering Voorbeeldstad"

#: Per language: the invitation's subject, the reminder's subject, and lines of the bodies.
EXPECTED = {
    "tr": {
        "invitation": f"{SENDER}: senin için kısa bir anket",
        "reminder": f"{SENDER}: kısa anket için bir hatırlatma",
        "lines": ["Merhaba,", "Anketi sana özel bu bağlantıyla aç:", "Saygılarımızla,"],
        "reminder_line": "Bir süre önce senden kısa bir anket doldurmanı istedik.",
        "unsubscribe": "E-postaları durdur",
    },
    "ar": {
        "invitation": f"{SENDER}: استبيان قصير لك",
        "reminder": f"{SENDER}: تذكير بالاستبيان القصير",
        "lines": ["مرحبًا،", "افتح الاستبيان بهذا الرابط الشخصي:", "مع أطيب التحيات،"],
        "reminder_line": "طلبنا منك قبل مدة قصيرة أن تملأ استبيانًا قصيرًا.",
        "unsubscribe": "أوقف الرسائل الإلكترونية",
    },
    "pl": {
        "invitation": f"{SENDER}: krótka ankieta dla ciebie",
        "reminder": f"{SENDER}: przypomnienie o krótkiej ankiecie",
        "lines": [
            "Dzień dobry,",
            "Otwórz ankietę tym osobistym linkiem:",
            "Pozdrawiamy serdecznie",
        ],
        "reminder_line": "Niedawno poprosiliśmy cię o wypełnienie krótkiej ankiety.",
        "unsubscribe": "Wyłącz e-maile",
    },
}
#: Words of the Dutch and English e-mails that must not be left in a translated one.
FALLBACKS = ("Hallo", "Hello", "vragenlijst", "questionnaire", "Met vriendelijke groet", "regards")


@pytest.fixture
def by_mail(organisation, org_admin, trajectory, client_record, professional):
    organisation_schedule_set(
        organisation=organisation,
        by=org_admin,
        enabled=True,
        channel="email",
        sender_name=SENDER,
        reminder_after_days=3,
        reminder_max=1,
    )
    client_contact_set(client=client_record, by=professional, email=CLIENT_MAIL, consent=True)
    return trajectory


def _now(days: int = 0) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.mark.parametrize("language", ["tr", "ar", "pl"])
def test_invitation_and_reminder_are_in_the_clients_language(
    smtp, by_mail, client_record, language
):
    client_record.preferred_language = language
    client_record.save()
    expected = EXPECTED[language]

    assert rounds_open_due(now=_now()) == 1
    assert reminders_send_due(now=_now(3)) == 1
    invitation, reminder = smtp.to(CLIENT_MAIL)

    # A non-ASCII subject is folded onto its own header line (RFC 2047): strip the fold.
    assert invitation.subject.strip() == expected["invitation"]
    assert reminder.subject.strip() == expected["reminder"]
    for line in expected["lines"]:
        assert line in invitation.body
    assert expected["reminder_line"] in reminder.body
    for message in (invitation, reminder):
        assert [word for word in FALLBACKS if word in message.body] == []
        assert "/planning/afmelden/" in message.body  # the unsubscribe link is still there


def test_a_dutch_client_still_gets_dutch(smtp, by_mail):
    rounds_open_due(now=_now())
    [invitation] = smtp.to(CLIENT_MAIL)
    assert invitation.subject == f"{SENDER}: een korte vragenlijst voor jou"


def test_client_language_is_the_preferred_one_or_the_default(professional, client_record):
    contact = client_contact_set(
        client=client_record, by=professional, email=CLIENT_MAIL, consent=True
    )
    for language in ("nl", "en", "tr", "ar", "pl"):
        client_record.preferred_language = language
        assert mail.client_language(contact) == language
    client_record.preferred_language = "xx"  # a code no longer offered
    assert mail.client_language(contact) == settings.LANGUAGE_CODE


def test_the_weekly_digest_stays_in_the_professionals_language(
    settings, professional, client_record
):
    settings.ALLIANTIEMONITOR_BASE_URL = "https://monitor.example.org"
    client_record.preferred_language = "ar"
    client_record.save()
    message = mail.digest_message(user=professional, due=1, overdue=0, period="week 49")
    assert professional.preferred_language in dict(settings.STAFF_LANGUAGES)
    assert not any("\u0600" <= char <= "\u06ff" for char in message.subject + message.body)


def _unsubscribe_url(professional, client_record):
    contact = client_contact_set(
        client=client_record, by=professional, email=CLIENT_MAIL, consent=True
    )
    return reverse("scheduling:unsubscribe", kwargs={"token": mail.unsubscribe_token(contact)})


@pytest.mark.parametrize("language", ["tr", "ar", "pl"])
def test_the_unsubscribe_page_speaks_the_clients_language(professional, client_record, language):
    client_record.preferred_language = language
    client_record.save()
    url = _unsubscribe_url(professional, client_record)
    browser = Client()

    page = browser.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}"' in page
    assert EXPECTED[language]["unsubscribe"] in page
    assert "Stop e-mails" not in page
    assert "Stop deze e-mails" not in page

    done = browser.post(url).content.decode()
    assert f'<html lang="{language}"' in done
    assert 'role="status"' in done
    assert "You will get no more e-mails" not in done
    assert "K.V." not in done


def test_a_language_the_visitor_chose_wins_on_the_unsubscribe_page(professional, client_record):
    client_record.preferred_language = "ar"
    client_record.save()
    url = _unsubscribe_url(professional, client_record)
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    page = browser.get(url).content.decode()
    assert '<html lang="pl" dir="ltr"' in page
    assert EXPECTED["pl"]["unsubscribe"] in page
