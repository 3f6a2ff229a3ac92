"""Who may see and act on signals and thresholds (rules in :mod:`alliantiemonitor.permissions`).

* A signal is the trajectory's: only the professional who may open the trajectory sees and
  acknowledges it.
* A team lead sees no single trajectory's signals: only the counts per kind on the
  dashboards, suppressed like every other figure (trust rule 2).
* An organisation admin sets the organisation's thresholds.

Anyone else gets a 404, so that not even the existence of a signal leaks.
"""

from __future__ import annotations

from typing import Any

from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm


def get_signal_for(user: Any, uuid: Any, *, action: str | None = None) -> Signal:
    """The signal with public id ``uuid`` if ``user`` may act on it; ``Http404`` otherwise."""
    return policy.get_for(
        user,
        Perm.TRAJECTORY_CHANGE,
        Signal.objects.select_related("trajectory__client", "trajectory__organisation", "round"),
        uuid,
        through="trajectory",
        action=action,
    )


def get_administered_organisation(user: Any, uuid: Any) -> Organisation:
    """The organisation ``uuid`` if ``user`` is its active admin; ``Http404`` otherwise."""
    return policy.get_for(user, Perm.ORGANISATION_CONFIGURE, Organisation.objects.all(), uuid)
