"""Links and codes do not outlive the access of the professional who was shown them.

Review found that after a handover the former professional's old client link still opened the
client's draft (14 days) and, after the conversation, the results with both sides and the
agreements (180 days). The same held when a membership was revoked or an account deactivated.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.models import Invitation
from alliantiemonitor.measurements.services import invitation_create, response_save_answers
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.organisations.services import membership_revoke
from alliantiemonitor.trajectories.services import trajectory_hand_over
from tests.factories import discuss_round

pytestmark = pytest.mark.django_db


def opens(secret: str, kind: str = "link") -> int:
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    if kind == "link":
        return phone.get(reverse("client:link", kwargs={"token": secret})).status_code
    return phone.post(reverse("client:code"), {"code": secret}).status_code


def test_a_handover_revokes_the_rounds_links_and_codes(
    professional, colleague, trajectory, measurement_round, org_admin
):
    items = [item.id for item in measurement_round.instrument.items_for("client")]
    response_save_answers(
        round=measurement_round, rater="client", answers={items[0]: 2}, mode="own_device"
    )
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    _, code = invitation_create(round=measurement_round, kind="code", by=professional)
    assert opens(token) == 302

    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=org_admin)

    assert opens(token) == 404
    assert opens(code, "code") == 400
    assert not Invitation.objects.filter(revoked_at__isnull=True).exists()
    revocations = AuditEvent.objects.filter(action="invitation.revoke")
    assert revocations.count() == 2
    assert {event.detail["reason"] for event in revocations} == {"handover"}
    # The new professional invites again, and the client carries on with their draft.
    _, new_token = invitation_create(round=measurement_round, kind="link", by=colleague)
    assert opens(new_token) == 302


def test_after_a_handover_the_old_link_no_longer_reads_back_the_results(
    professional, colleague, trajectory, measurement_round, org_admin
):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    discuss_round(measurement_round, professional)
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    phone.get(reverse("client:link", kwargs={"token": token}))
    assert phone.get(reverse("client:results")).status_code == 200

    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=org_admin)

    # Neither the link nor the session it started opens the results any more...
    assert phone.get(reverse("client:results")).status_code == 404
    assert opens(token) == 404
    # ...but the new professional gives the client a new way to read them back.
    _, read_back = invitation_create(round=measurement_round, kind="link", by=colleague)
    reader = Client(HTTP_ACCEPT_LANGUAGE="en")
    entry = reader.get(reverse("client:link", kwargs={"token": read_back}))
    assert entry.status_code == 302
    assert entry["Location"] == reverse("client:results")
    assert reader.get(reverse("client:results")).status_code == 200


def test_revoking_a_membership_revokes_the_invitations_that_user_made(
    professional, measurement_round
):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    membership = Membership.objects.get(user=professional, role="professional")

    membership_revoke(membership=membership, by=None)

    assert opens(token) == 404
    assert (
        AuditEvent.objects.get(action="invitation.revoke").detail["reason"] == "membership_revoked"
    )


def test_a_membership_switched_off_outside_the_service_revokes_them_too(
    professional, measurement_round
):
    """The admin's change form or a shell saves the model itself, not through the service."""
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    membership = Membership.objects.get(user=professional, role="professional")
    membership.active = False
    membership.save()

    assert opens(token) == 404


def test_deactivating_the_account_revokes_the_invitations_it_made(professional, measurement_round):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    user = get_user_model().objects.get(pk=professional.pk)
    user.is_active = False
    user.save()

    assert opens(token) == 404


def test_other_professionals_invitations_are_left_alone(
    professional, colleague, measurement_round, organisation
):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    membership_revoke(
        membership=Membership.objects.get(user=colleague, organisation=organisation), by=None
    )
    assert opens(token) == 302
