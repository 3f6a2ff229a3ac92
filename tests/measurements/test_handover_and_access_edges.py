"""Edges that a fresh review found after the blind-rule and link fixes.

- A device handed over *before* the client began on their own phone must not show, change or
  send that own-device draft later.
- A handed-over browser ends with the professional's access (handover, deactivation).
- A membership change that ends the professional role (or moves the row) revokes links.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import DraftOnOwnDevice
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.measurements.services import invitation_create, response_save_answers
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.trajectories.services import trajectory_hand_over

pytestmark = pytest.mark.django_db


def browser(address="192.0.2.9"):
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)


def items(round_):
    return [item.id for item in round_.instrument.items_for("client")]


def hand_over(professional, round_):
    device = browser("192.0.2.20")
    device.force_login(professional)
    url = reverse("measurements:hand_over_device", args=[round_.uuid])
    assert device.post(url)["Location"] == reverse("client:start")
    return device


def client_starts_on_phone(round_, professional):
    _, token = invitation_create(round=round_, kind="link", by=professional)
    phone = browser("203.0.113.5")
    assert phone.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    first, second = items(round_)[:2]
    phone.post(reverse("client:fill"), {f"answer-{first}": "1", f"answer-{second}": "5"})
    return Response.objects.get(round=round_, rater="client")


def test_a_device_handed_over_before_the_client_began_on_their_phone_shows_nothing(
    professional, measurement_round
):
    device = hand_over(professional, measurement_round)
    assert device.get(reverse("client:fill")).status_code == 200
    draft = client_starts_on_phone(measurement_round, professional)

    page = device.get(reverse("client:fill"))

    assert page.status_code == 409
    assert "You have already started on your own device" in page.content.decode()
    assert " checked" not in page.content.decode()
    assert AuditEvent.objects.filter(
        action="client_page.refuse_handover", actor=professional
    ).exists()
    assert Response.objects.get(pk=draft.pk).answers == draft.answers


def test_nor_can_it_change_or_send_that_draft(professional, measurement_round):
    device = hand_over(professional, measurement_round)
    draft = client_starts_on_phone(measurement_round, professional)
    for item in items(measurement_round):
        device.post(reverse("client:fill"), {f"answer-{item}": "2"})
    device.post(reverse("client:confirm"))

    after = Response.objects.get(round=measurement_round, rater="client", is_current=True)
    assert after.submitted_at is None
    assert after.answers == draft.answers
    assert after.mode == "own_device"


def test_the_service_refuses_a_handed_over_save_over_an_own_device_draft(
    professional, measurement_round
):
    client_starts_on_phone(measurement_round, professional)
    with pytest.raises(DraftOnOwnDevice):
        response_save_answers(
            round=measurement_round,
            rater="client",
            answers={items(measurement_round)[2]: 3},
            mode="handed_over_device",
        )


def test_a_handed_over_browser_closes_when_the_trajectory_is_handed_over(
    professional, colleague, trajectory, measurement_round, org_admin
):
    device = hand_over(professional, measurement_round)
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=org_admin)
    assert device.get(reverse("client:fill")).status_code == 403


def test_a_handed_over_browser_closes_when_the_account_is_deactivated(
    professional, measurement_round
):
    device = hand_over(professional, measurement_round)
    professional.is_active = False
    professional.save()
    assert device.get(reverse("client:fill")).status_code == 403


def test_losing_the_professional_role_revokes_the_links_made(
    professional, measurement_round, organisation
):
    invitation, _ = invitation_create(round=measurement_round, kind="link", by=professional)
    membership = Membership.objects.get(user=professional, organisation=organisation)
    membership.role = "researcher"
    membership.save()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_moving_a_membership_to_another_user_revokes_the_former_users_links(
    professional, colleague, measurement_round, organisation
):
    invitation, _ = invitation_create(round=measurement_round, kind="link", by=professional)
    Membership.objects.filter(user=colleague).delete()
    membership = Membership.objects.get(user=professional, organisation=organisation)
    membership.user = colleague
    membership.save()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
