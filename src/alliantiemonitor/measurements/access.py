"""Who may open a measurement round: exactly those who may open its trajectory."""

from __future__ import annotations

from typing import Any

from alliantiemonitor.measurements.models import MeasurementRound, MeasurementRoundQuerySet
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm


def rounds_for(user: Any, perm: str = Perm.TRAJECTORY_VIEW) -> MeasurementRoundQuerySet:
    """The rounds ``user`` may open (see :mod:`alliantiemonitor.permissions.rules`)."""
    return policy.scoped(user, perm, MeasurementRound.objects.all(), through="trajectory")


def get_round_for(
    user: Any,
    uuid: Any,
    *,
    perm: str = Perm.TRAJECTORY_VIEW,
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> MeasurementRound:
    """The round with public id ``uuid`` if ``user`` may open it; ``Http404`` otherwise.

    With ``action``, records that ``user`` saw it.
    """
    return policy.get_for(
        user,
        perm,
        MeasurementRound.objects.select_related("trajectory__client"),
        uuid,
        through="trajectory",
        action=action,
        detail=detail,
    )
