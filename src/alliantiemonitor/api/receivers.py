"""Webhook events, recorded in the transaction of what happened (docs/api.md, "Webhooks").

These receivers listen to the model saves of the apps below, which therefore need not know
about webhooks: a round saved with its state changed to both_done, and a new warning signal.
An erased client's trajectories are removed from the record of calls.
The deliveries are written in the same transaction, so a rolled-back submit leaves none; the
worker sends them after the commit. A payload holds identifiers and states, never answers,
scores, names or notes.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from alliantiemonitor.api.constants import WebhookEvent
from alliantiemonitor.api.models import WebhookDelivery
from alliantiemonitor.api.services_webhooks import deliveries_erase_for, deliveries_record
from alliantiemonitor.api.tasks import deliveries_send_after_commit
from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.trajectories.models import Client, Trajectory
from alliantiemonitor.trajectories.signals import client_erasing


def _record(trajectory_id: int, event: str, object_uuid: Any, data: dict[str, Any]) -> None:
    trajectory = (
        Trajectory.objects.filter(pk=trajectory_id)
        .values("uuid", "organisation_id", "organisation__slug")
        .first()
    )
    if trajectory is None:  # pragma: no cover - the row was saved in this transaction
        return
    payload = {
        "organisation": trajectory["organisation__slug"],
        "trajectory": str(trajectory["uuid"]),
        **data,
    }
    made = deliveries_record(
        organisation_id=trajectory["organisation_id"],
        event=event,
        object_uuid=object_uuid,
        payload=payload,
    )
    deliveries_send_after_commit(d.uuid for d in made)


@receiver(post_save, sender=MeasurementRound, dispatch_uid="api.webhook_round_completed")
def _round_completed(sender: Any, instance: MeasurementRound, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    changed_state = kwargs.get("created") or (
        update_fields is not None and "state" in update_fields
    )
    if not changed_state or instance.state != RoundState.BOTH_DONE:
        return
    _record(
        instance.trajectory_id,
        WebhookEvent.ROUND_COMPLETED,
        instance.uuid,
        {"round": {"id": str(instance.uuid), "state": instance.state}},
    )


@receiver(post_save, sender=Signal, dispatch_uid="api.webhook_signal_created")
def _signal_created(sender: Any, instance: Signal, **kwargs: Any) -> None:
    if not kwargs.get("created"):
        return
    round_row = MeasurementRound.objects.filter(pk=instance.round_id).values("uuid", "state")
    found = round_row.first() or {"uuid": None, "state": None}
    _record(
        instance.trajectory_id,
        WebhookEvent.SIGNAL_CREATED,
        instance.uuid,
        {
            "round": {"id": str(found["uuid"]), "state": found["state"]},
            # The signal's id only, not its kind: the kind follows from the answers, which an
            # organisation-wide integration may not read (signals:read needs a token bound to
            # a professional); a receiver reads it through the API under those rules.
            "signal": {"id": str(instance.uuid)},
        },
    )


@receiver(client_erasing, sender=Client, dispatch_uid="api.webhook_client_erasing")
def _client_erasing(sender: Any, client: Client, **kwargs: Any) -> dict[str, dict[str, int]]:
    """An erased client's trajectories leave no trace in the record of webhook calls."""
    trajectories = Trajectory.objects.filter(client=client).values_list("uuid", flat=True)
    deleted = deliveries_erase_for(trajectory_uuids=[str(u) for u in trajectories])
    return {"deleted": {WebhookDelivery._meta.label: deleted} if deleted else {}}
