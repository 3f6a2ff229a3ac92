"""The messages the scheduling app sends, and the signed links in them.

Messages are plain text, written from templates in ``templates/scheduling/mail/``. What a
client's message may hold is deliberately little: the organisation's sender name, its own
short text or a neutral default, a link, the date the link works until and an unsubscribe
link. Never answers, scores, the legal frame or the professional's judgement.
"""

from __future__ import annotations

import datetime as dt
import uuid
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from alliantiemonitor.scheduling.models import ClientContact, OrganisationSchedule

DEFAULT_SENDER_NAME = "Alliantiemonitor"
_UNSUBSCRIBE_SALT = "alliantiemonitor.scheduling.unsubscribe"


def absolute_url(path: str) -> str:
    """``path`` on the app's public address (``ALLIANTIEMONITOR_BASE_URL``)."""
    base = settings.ALLIANTIEMONITOR_BASE_URL
    if not base:
        raise ImproperlyConfigured(
            "ALLIANTIEMONITOR_BASE_URL is not set; e-mail needs it to build its links."
        )
    return base + path


def unsubscribe_token(contact: ClientContact) -> str:
    """A signed token naming ``contact``; it does not expire (an old mail's link still works)."""
    return signing.dumps(str(contact.uuid), salt=_UNSUBSCRIBE_SALT)


def contact_uuid_from_token(token: str) -> str | None:
    """The contact's public id from a token, or ``None`` for a forged or damaged one."""
    try:
        value = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:  # signed, but not a contact's id (a token of another purpose)
        return None


def unsubscribe_url(contact: ClientContact) -> str:
    return absolute_url(
        reverse("scheduling:unsubscribe", kwargs={"token": unsubscribe_token(contact)})
    )


def client_language(contact: ClientContact) -> str:
    """The client's preferred language: the client's e-mails and unsubscribe page speak every
    client language (docs/languages.md); an unknown code gives the site's default."""
    language = contact.client.preferred_language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _sender(schedule: OrganisationSchedule | None) -> str:
    return formataddr((sender_name(schedule), settings.DEFAULT_FROM_EMAIL))


def sender_name(schedule: OrganisationSchedule | None) -> str:
    # One line even for a name stored before the model refused line breaks.
    name = " ".join((schedule.sender_name if schedule is not None else "").split())
    return name or DEFAULT_SENDER_NAME


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Subject (first line) and body of ``template`` rendered in ``language``."""
    with translation.override(language):
        text = render_to_string(template, context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def client_message(
    *,
    kind: str,
    contact: ClientContact,
    schedule: OrganisationSchedule | None,
    link: str | None,
    link_until: dt.datetime | None,
    sequence: int = 0,
) -> EmailMessage:
    """An invitation (``kind="invitation"``) or reminder (``"reminder"``) to a client.

    ``link`` is the personal link to the questionnaire, or ``None`` in a reminder to a
    client who already began (their draft stays bound to the link they began with).
    """
    unsubscribe = unsubscribe_url(contact)
    context = {
        "sender_name": sender_name(schedule),
        "organisation_text": (schedule.message_text if schedule is not None else "").strip(),
        "link": link,
        "link_until": link_until,
        "unsubscribe_url": unsubscribe,
        "sequence": sequence,
    }
    subject, body = _render(f"scheduling/mail/{kind}.txt", context, client_language(contact))
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=_sender(schedule),
        to=[contact.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "Auto-Submitted": "auto-generated"},
    )


def digest_message(
    *, user: Any, due: int, overdue: int, period: str, signals: int = 0
) -> EmailMessage:
    """The weekly digest to a professional: counts only, no client names (see docs)."""
    context = {
        "signals": signals,
        "name": user.get_full_name() or user.get_username(),
        "due": due,
        "overdue": overdue,
        "period": period,
        "caseload_url": absolute_url(reverse("trajectories:caseload")),
        "settings_url": absolute_url(reverse("scheduling:mail_settings")),
    }
    language = user.preferred_language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    subject, body = _render("scheduling/mail/digest.txt", context, language)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((DEFAULT_SENDER_NAME, settings.DEFAULT_FROM_EMAIL)),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
