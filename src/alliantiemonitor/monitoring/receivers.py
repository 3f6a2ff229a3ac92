"""Fresh signals for the professional: recompute a trajectory when its rounds change.

The worker recomputes every trajectory periodically; these receivers recompute one trajectory
as soon as a round reaches a state that counts for the rules (both done, discussed, closed,
expired) or its conversation is recorded, so the professional need not wait for the worker.
They listen to the model saves of the apps below, which therefore need not know about
signals. The recompute runs after the commit, and a failure there is logged, not raised: it
must never undo the submit that triggered it (the worker catches up).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from alliantiemonitor.conversations.models import Conversation
from alliantiemonitor.measurements.constants import COLLECTING_STATES, RoundState
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.monitoring.services import signals_recompute
from alliantiemonitor.trajectories.models import Trajectory


def _recompute_after_commit(trajectory_id: int) -> None:
    def run() -> None:
        trajectory = Trajectory.objects.select_related("organisation").filter(pk=trajectory_id)
        for found in trajectory:
            signals_recompute(trajectory=found)

    transaction.on_commit(functools.partial(run), robust=True)


@receiver(post_save, sender=MeasurementRound, dispatch_uid="monitoring.recompute_on_round")
def _recompute_on_round(sender: Any, instance: MeasurementRound, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "state" not in update_fields:
        return
    if instance.state in COLLECTING_STATES or instance.state == RoundState.CANCELLED:
        return
    _recompute_after_commit(instance.trajectory_id)


@receiver(post_save, sender=Conversation, dispatch_uid="monitoring.recompute_on_conversation")
def _recompute_on_conversation(sender: Any, instance: Conversation, **kwargs: Any) -> None:
    if kwargs.get("created"):
        _recompute_after_commit(instance.round.trajectory_id)
