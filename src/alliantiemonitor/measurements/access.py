"""Who may open a measurement round: exactly those who may open its trajectory."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from alliantiemonitor.measurements.models import MeasurementRound, MeasurementRoundQuerySet
from alliantiemonitor.trajectories.access import parse_uuid, trajectories_for


def rounds_for(user: Any) -> MeasurementRoundQuerySet:
    """The rounds ``user`` may open (see :mod:`alliantiemonitor.trajectories.access`)."""
    return MeasurementRound.objects.filter(trajectory__in=trajectories_for(user).values("pk"))


def get_round_for(user: Any, uuid: Any) -> MeasurementRound:
    """The round with public id ``uuid`` if ``user`` may open it; ``Http404`` otherwise."""
    try:
        return rounds_for(user).select_related("trajectory__client").get(uuid=parse_uuid(uuid))
    except MeasurementRound.DoesNotExist as exc:
        raise Http404 from exc
