"""A client's draft stays bound to the link or code it was begun with.

The professional makes every link and code, so a check on the secret cannot tell them from
the client. What can be told is which invitation began the draft: a new link or code — also
one opened in a private window, where no staff session is to be seen — shows nothing of it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.measurements.services import invitation_create, response_save_answers

pytestmark = pytest.mark.django_db


def browser():
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    phone.cookies["django_language"] = "en"
    return phone


def items(round_):
    return [item.id for item in round_.instrument.items_for("client")]


def enter(round_, professional, kind="link"):
    _, secret = invitation_create(round=round_, kind=kind, by=professional)
    visitor = browser()
    if kind == "link":
        assert visitor.get(reverse("client:link", kwargs={"token": secret})).status_code == 302
    else:
        assert visitor.post(reverse("client:code"), {"code": secret}).status_code == 302
    return visitor, secret


@pytest.fixture
def began_on_phone(measurement_round, professional):
    phone, token = enter(measurement_round, professional)
    first, second = items(measurement_round)[:2]
    phone.post(reverse("client:fill"), {f"answer-{first}": "1", f"answer-{second}": "5"})
    draft = Response.objects.get(round=measurement_round, rater="client")
    assert draft.answers == {first: 1, second: 5}
    return phone, token, draft


@pytest.mark.parametrize("kind", ["link", "code"])
def test_a_new_link_or_code_in_a_private_window_shows_nothing_of_the_draft(
    measurement_round, professional, began_on_phone, kind
):
    _, _, draft = began_on_phone
    private_window, _ = enter(measurement_round, professional, kind)

    for page in ("client:fill", "client:confirm"):
        response = private_window.get(reverse(page))
        assert response.status_code == 409
        text = response.content.decode()
        assert "You began with another link or code" in text
        assert " checked" not in text
    # Nor can it change or send the draft.
    private_window.post(reverse("client:fill"), {f"answer-{items(measurement_round)[2]}": "3"})
    private_window.post(reverse("client:confirm"))
    after = Response.objects.get(pk=draft.pk)
    assert after.answers == draft.answers
    assert after.submitted_at is None


def test_the_same_link_resumes_in_another_browser(measurement_round, professional, began_on_phone):
    _, token, _draft = began_on_phone
    laptop = browser()
    laptop.get(reverse("client:link", kwargs={"token": token}))
    page = laptop.get(reverse("client:fill"))
    assert page.status_code == 200
    assert page.content.decode().count(" checked") == 2


def test_beginning_again_keeps_the_earlier_draft_unseen(
    measurement_round, professional, began_on_phone
):
    phone, _, draft = began_on_phone
    other, _ = enter(measurement_round, professional, "code")

    assert other.post(reverse("client:restart")).status_code == 302

    fresh = Response.objects.get(round=measurement_round, rater="client", is_current=True)
    assert fresh.pk != draft.pk
    assert fresh.answers == {}
    assert fresh.supersedes_id == draft.pk
    kept = Response.objects.get(pk=draft.pk)
    assert kept.answers == draft.answers
    assert not kept.is_current
    assert other.get(reverse("client:fill")).content.decode().count(" checked") == 0
    assert AuditEvent.objects.filter(action="response.restart").count() == 1
    # The first phone now meets the same rule the other way round.
    assert phone.get(reverse("client:fill")).status_code == 409


def test_a_draft_begun_without_an_invitation_is_taken_up(measurement_round, professional):
    """Drafts from before this rule (or from the services) are not bound: the next link takes
    them up and binds them."""
    first = items(measurement_round)[0]
    response_save_answers(
        round=measurement_round, rater="client", answers={first: 2}, mode="own_device"
    )
    phone, _ = enter(measurement_round, professional)
    assert phone.get(reverse("client:fill")).content.decode().count(" checked") == 1
    phone.post(reverse("client:fill"), {f"answer-{items(measurement_round)[1]}": "4"})
    draft = Response.objects.get(round=measurement_round, rater="client")
    assert draft.entry_key
    other, _ = enter(measurement_round, professional)
    assert other.get(reverse("client:fill")).status_code == 409
