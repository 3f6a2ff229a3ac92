"""Every client finds their way back to the results, whichever way they came in.

Review found that a client who came in with a short code (or on a handed-over device) could
never read back the results: the done page promised "the same link", there was none, and the
round page offered no invitation once the client had sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.conversations.services import (
    agreement_add,
    conversation_start,
    round_mark_discussed,
)
from alliantiemonitor.measurements.exceptions import InvitationNotAllowed
from alliantiemonitor.measurements.models import Invitation
from alliantiemonitor.measurements.services import invitation_create
from tests.factories import answer_round

pytestmark = pytest.mark.django_db

AGREEMENT = "We meet every other Tuesday at the office."


def english():
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    # Client pages speak the client's preferred language unless the visitor chose one.
    browser.cookies["django_language"] = "en"
    return browser


def enter_with_code(browser, round_, professional):
    _, code = invitation_create(round=round_, kind="code", by=professional)
    assert browser.post(reverse("client:code"), {"code": code}).status_code == 302


def send_client_side(browser, round_):
    for item in round_.instrument.items_for("client"):
        browser.post(reverse("client:fill"), {f"answer-{item.id}": "3"})
    assert browser.post(reverse("client:confirm")).status_code == 302


def discuss(round_, professional):
    answer_round(round_, "professional", professional=professional)
    round_.refresh_from_db()
    conversation = conversation_start(round=round_, by=professional)
    agreement_add(conversation=conversation, text=AGREEMENT, by=professional)
    round_mark_discussed(round=round_, by=professional)
    round_.refresh_from_db()


def test_the_done_page_says_what_is_true_for_a_code(professional, measurement_round):
    phone = english()
    enter_with_code(phone, measurement_round, professional)
    send_client_side(phone, measurement_round)
    page = phone.get(reverse("client:done")).content.decode()
    assert "this same link" not in page
    assert "can give you a new code or link to see the results" in page


def test_the_done_page_says_what_is_true_for_a_link(professional, measurement_round):
    phone = english()
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    phone.get(reverse("client:link", kwargs={"token": token}))
    send_client_side(phone, measurement_round)
    assert "this same link shows the results" in phone.get(reverse("client:done")).content.decode()


def test_no_invitation_between_sending_and_the_conversation(professional, measurement_round):
    answer_round(measurement_round, "client")
    measurement_round.refresh_from_db()
    with pytest.raises(InvitationNotAllowed):
        invitation_create(round=measurement_round, kind="link", by=professional)


@pytest.mark.parametrize("kind", ["link", "code"])
def test_a_code_client_reads_back_through_a_new_invitation(professional, measurement_round, kind):
    phone = english()
    enter_with_code(phone, measurement_round, professional)
    send_client_side(phone, measurement_round)
    discuss(measurement_round, professional)

    # The round page offers a way to the results now.
    staff = english()
    staff.force_login(professional)
    round_page = staff.get(reverse("measurements:round_detail", args=[measurement_round.uuid]))
    assert "Let the client read back the results" in round_page.content.decode()
    made = staff.post(
        reverse(f"measurements:invite_{kind}", args=[measurement_round.uuid]), follow=True
    )
    assert made.status_code == 200
    invitation = Invitation.objects.get(purpose="read_back")
    assert invitation.kind == kind

    later = english()
    if kind == "link":
        token = made.context["url"].rsplit("/", 2)[-2]
        entry = later.get(reverse("client:link", kwargs={"token": token}))
    else:
        code = "".join(made.context["code_groups"])
        entry = later.post(reverse("client:code"), {"code": code})
    assert entry.status_code == 302
    assert entry["Location"] == reverse("client:results")
    results = later.get(reverse("client:results"))
    assert results.status_code == 200
    assert AGREEMENT in results.content.decode()
    # Reading back only: the questionnaire stays shut.
    assert later.get(reverse("client:fill")).status_code == 403


def test_a_read_back_link_works_long_after_but_not_for_ever(professional, measurement_round):
    answer_round(measurement_round, "client")
    discuss(measurement_round, professional)
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=170)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert english().get(reverse("client:link", kwargs={"token": token})).status_code == 404


def test_an_open_done_page_moves_on_to_the_results_after_the_conversation(
    professional, measurement_round
):
    """The client's session still open on the done page shows what is true now."""
    phone = english()
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    phone.get(reverse("client:link", kwargs={"token": token}))
    send_client_side(phone, measurement_round)
    assert phone.get(reverse("client:done")).status_code == 200

    discuss(measurement_round, professional)

    done = phone.get(reverse("client:done"))
    assert done.status_code == 302
    assert done["Location"] == reverse("client:results")
