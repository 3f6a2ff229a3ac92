"""The blind rule whatever the route: a staff session never reaches the client's unsent answers.

Review found that a professional who made a code or link for a round in which the client had
an unsent draft could open it in their own logged-in browser, read the draft, change it and
send it as the client. These tests walk every client route in a staff session.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.client_session import SESSION_KEY
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.measurements.services import invitation_create, response_save_answers
from tests.factories import full_answers

pytestmark = pytest.mark.django_db

REFUSAL = "You are logged in as a professional"


def english_browser(**extra):
    return Client(HTTP_ACCEPT_LANGUAGE="en", **extra)


@pytest.fixture
def client_draft(measurement_round):
    """The client started on their own phone: two statements answered, one flagged."""
    items = [item.id for item in measurement_round.instrument.items_for("client")]
    return response_save_answers(
        round=measurement_round,
        rater="client",
        answers={items[0]: 1, items[1]: 5},
        flagged=[items[0]],
        mode="own_device",
    )


def draft_snapshot():
    return list(Response.objects.values("pk", "answers", "flagged", "submitted_at", "mode"))


def staff_refusals(user):
    return AuditEvent.objects.filter(action="client_page.refuse_staff", actor=user)


def test_a_code_typed_in_the_professionals_own_session_is_refused(
    professional, measurement_round, client_draft
):
    browser = english_browser()
    browser.force_login(professional)
    _, code = invitation_create(round=measurement_round, kind="code", by=professional)
    before = draft_snapshot()

    response = browser.post(reverse("client:code"), {"code": code})

    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert SESSION_KEY not in browser.session
    # Nothing of the draft shows on the fill page, nothing can be saved or sent.
    assert browser.get(reverse("client:fill")).status_code == 403
    items = [item.id for item in measurement_round.instrument.items_for("client")]
    browser.post(reverse("client:fill"), {f"answer-{items[2]}": "3"})
    browser.post(reverse("client:confirm"))
    assert draft_snapshot() == before
    # The attempts are on the professional's name, not the client's.
    assert staff_refusals(professional).count() == 4
    assert not AuditEvent.objects.filter(action="invitation.use").exists()


def test_a_link_opened_in_the_professionals_own_session_is_refused(
    professional, measurement_round, client_draft
):
    browser = english_browser()
    browser.force_login(professional)
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    before = draft_snapshot()

    response = browser.get(reverse("client:link", kwargs={"token": token}))

    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert SESSION_KEY not in browser.session
    fill = browser.get(reverse("client:fill"))
    assert fill.status_code == 403
    assert 'value="1" checked' not in fill.content.decode()
    assert draft_snapshot() == before
    assert staff_refusals(professional).count() == 2
    # The link itself was not used up or marked: the client can still open it.
    client_phone = english_browser()
    assert client_phone.get(reverse("client:link", kwargs={"token": token})).status_code == 302


def test_a_staff_login_does_not_inherit_a_client_session(
    professional, measurement_round, client_draft
):
    """A client entered on a device, then the professional logs in on it: the session ends."""
    browser = english_browser()
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    assert browser.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    assert browser.get(reverse("client:fill")).status_code == 200

    login = browser.post(
        reverse("login"),
        {"username": professional.username, "password": "a-synthetic-password-for-tests"},
    )
    assert login.status_code == 302
    assert SESSION_KEY not in browser.session
    response = browser.get(reverse("client:fill"))
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()


@pytest.mark.parametrize("page", ["client:start", "client:fill", "client:confirm", "client:done"])
def test_every_client_page_refuses_a_staff_session_with_a_client_session_in_it(
    professional, measurement_round, client_draft, page
):
    """Even with a client session planted in it, a staff session sees no client page."""
    browser = english_browser()
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    browser.get(reverse("client:link", kwargs={"token": token}))
    client_session = browser.session[SESSION_KEY]
    browser.force_login(professional)
    session = browser.session
    session[SESSION_KEY] = client_session
    session.save()

    response = browser.get(reverse(page))

    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    event = staff_refusals(professional).get()
    assert event.object_uuid == measurement_round.uuid
    assert event.detail["page"] == page.split(":")[1]


def test_the_handed_over_device_still_works(professional, measurement_round):
    """The one staff browser that may show client pages: handed over, locked to them."""
    browser = english_browser()
    browser.force_login(professional)
    response = browser.post(reverse("measurements:hand_over_device", args=[measurement_round.uuid]))
    assert response.status_code == 302
    assert browser.get(reverse("client:start")).status_code == 200
    items = measurement_round.instrument.items_for("client")
    saved = browser.post(reverse("client:fill"), {f"answer-{items[0].id}": "4"})
    assert saved.status_code == 302
    assert Response.objects.get(rater="client").answers == {items[0].id: 4}
    assert not staff_refusals(professional).exists()


def test_a_colleague_cannot_use_a_code_either(colleague, professional, measurement_round):
    browser = english_browser()
    browser.force_login(colleague)
    _, code = invitation_create(round=measurement_round, kind="code", by=professional)
    response = browser.post(reverse("client:code"), {"code": code})
    assert response.status_code == 403
    assert staff_refusals(colleague).count() == 1


def test_the_client_still_gets_in_with_the_same_code(professional, measurement_round):
    _, code = invitation_create(round=measurement_round, kind="code", by=professional)
    staff = english_browser()
    staff.force_login(professional)
    staff.post(reverse("client:code"), {"code": code})

    phone = english_browser()
    assert phone.post(reverse("client:code"), {"code": code}).status_code == 302
    assert phone.get(reverse("client:fill")).status_code == 200
    answers = full_answers(measurement_round.instrument, "client")
    assert len(answers) > 2
