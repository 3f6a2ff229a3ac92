"""What measurements does when something happens elsewhere: access ends, a staff user logs in.

Links and codes must not outlive the access of the professional who was shown them. These
receivers run on every route that changes access through the models — the services, the Django
admin, a shell's ``save()`` — because they listen to the model saves themselves (and to the
hand-over signal). A bulk ``QuerySet.update()`` sends no signals and is not covered.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from alliantiemonitor.measurements.client_session import client_session_end, handover_lock_get
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services.invitations import (
    invitations_revoke_for_round,
    invitations_revoke_made_by,
)
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.trajectories.signals import trajectory_handed_over


@receiver(trajectory_handed_over, dispatch_uid="measurements.revoke_on_handover")
def _revoke_on_handover(sender: Any, *, trajectory: Any, by: Any, **kwargs: Any) -> None:
    """The former professional saw these secrets: the new professional invites again."""
    for measurement_round in MeasurementRound.objects.filter(trajectory=trajectory):
        invitations_revoke_for_round(round=measurement_round, by=by, reason="handover")


@receiver(pre_save, sender=Membership, dispatch_uid="measurements.remember_membership")
def _remember_membership(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """Remember whose access this row gave before the save (the admin can move it)."""
    before = Membership.objects.filter(pk=instance.pk).values("user_id", "organisation_id")
    instance._access_before = before.first() if instance.pk else None  # type: ignore[attr-defined]


def _revoke_unless_professional(user_id: int, organisation_id: int, reason: str) -> None:
    """End the invitations ``user_id`` made in ``organisation_id``, unless the user is still
    an active professional there (through another membership)."""
    still_professional = Membership.objects.filter(
        user_id=user_id, organisation_id=organisation_id, role=Role.PROFESSIONAL, active=True
    ).exists()
    if not still_professional:
        invitations_revoke_made_by(
            user=user_id, by=None, reason=reason, organisation=organisation_id
        )


@receiver(post_save, sender=Membership, dispatch_uid="measurements.revoke_on_membership_end")
def _revoke_on_membership_end(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """A membership that no longer makes its user this organisation's professional ends the
    invitations they made there; so does moving the row to another user or organisation."""
    before = getattr(instance, "_access_before", None)
    if before and (
        before["user_id"] != instance.user_id
        or before["organisation_id"] != instance.organisation_id
    ):
        _revoke_unless_professional(
            before["user_id"], before["organisation_id"], reason="membership_moved"
        )
    if not instance.active or instance.role != Role.PROFESSIONAL:
        _revoke_unless_professional(
            instance.user_id, instance.organisation_id, reason="membership_revoked"
        )


@receiver(post_delete, sender=Membership, dispatch_uid="measurements.revoke_on_membership_delete")
def _revoke_on_membership_delete(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _revoke_unless_professional(
        instance.user_id, instance.organisation_id, reason="membership_deleted"
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="measurements.revoke_on_deactivate")
def _revoke_on_deactivate(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance.is_active:
        invitations_revoke_made_by(user=instance, by=None, reason="user_deactivated")


@receiver(user_logged_in, dispatch_uid="measurements.end_client_session_on_login")
def _end_client_session_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A client session left in this browser does not carry over into a staff login."""
    if request is not None and hasattr(request, "session") and not handover_lock_get(request):
        client_session_end(request)
