"""What measurements does when something happens elsewhere: access ends, a staff user logs in.

Links and codes must not outlive the access of the professional who was shown them. These
receivers run on every route that changes access — the services, the Django admin, a shell —
because they listen to the model saves themselves (and to the hand-over signal).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from alliantiemonitor.measurements.client_session import client_session_end, handover_lock_get
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services.invitations import (
    invitations_revoke_for_round,
    invitations_revoke_made_by,
)
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.trajectories.signals import trajectory_handed_over


@receiver(trajectory_handed_over, dispatch_uid="measurements.revoke_on_handover")
def _revoke_on_handover(sender: Any, *, trajectory: Any, by: Any, **kwargs: Any) -> None:
    """The former professional saw these secrets: the new professional invites again."""
    for measurement_round in MeasurementRound.objects.filter(trajectory=trajectory):
        invitations_revoke_for_round(round=measurement_round, by=by, reason="handover")


@receiver(post_save, sender=Membership, dispatch_uid="measurements.revoke_on_membership_end")
def _revoke_on_membership_end(sender: Any, instance: Membership, **kwargs: Any) -> None:
    if not instance.active:
        invitations_revoke_made_by(
            user=instance.user,
            by=None,
            reason="membership_revoked",
            organisation=instance.organisation,
        )


@receiver(post_delete, sender=Membership, dispatch_uid="measurements.revoke_on_membership_delete")
def _revoke_on_membership_delete(sender: Any, instance: Membership, **kwargs: Any) -> None:
    invitations_revoke_made_by(
        user=instance.user,
        by=None,
        reason="membership_deleted",
        organisation=instance.organisation,
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
