"""Who may open a measurement round: exactly those who may open its trajectory.

One exception, narrow on purpose: the colleague named to check a client's paper entry reaches
that round's paper entry screen (and nothing else of it) while the entry waits for them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from alliantiemonitor.measurements.models import (
    MeasurementRound,
    MeasurementRoundQuerySet,
    PaperEntry,
)
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


def paper_checks_for(user: Any) -> Any:
    """The paper entries ``user`` was named to check and that wait for them, oldest first."""
    return policy.scoped(
        user, Perm.PAPER_ENTRY_VERIFY, PaperEntry.objects.select_related("round", "first_by")
    ).order_by("first_at")


def get_paper_entry_round_for(
    user: Any, uuid: Any, *, action: str | None = None
) -> tuple[MeasurementRound, bool]:
    """The round whose client paper form ``user`` may type in, and whether only as its checker.

    The professional who may act on the round reaches it; so does the colleague named to check
    its paper entry, while the entry waits for them (``True``: that screen is all they may
    open). ``Http404`` for anyone else. With ``action``, records that ``user`` saw it.
    """
    try:
        return get_round_for(user, uuid, perm=Perm.TRAJECTORY_CHANGE, action=action), False
    except Http404:
        checked = policy.get_for(
            user,
            Perm.PAPER_ENTRY_VERIFY,
            MeasurementRound.objects.select_related("trajectory__client"),
            uuid,
            through="paper_entry",
            action=action,
            detail={"as": "paper_verifier"},
        )
        return checked, True
