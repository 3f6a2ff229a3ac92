"""Who may see and act on signals and thresholds: the one place where that is decided.

* A signal is the trajectory's: only the professional who may open the trajectory
  (:func:`~alliantiemonitor.trajectories.access.trajectories_for`) sees and acknowledges it.
* A team lead sees no single trajectory's signals: only the counts per kind on the
  dashboards, suppressed like every other figure (trust rule 2).
* An organisation admin sets the organisation's thresholds.

Anyone else gets a 404, so that not even the existence of a signal leaks.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.access import parse_uuid, trajectories_for


def get_signal_for(user: Any, uuid: Any) -> Signal:
    """The signal with public id ``uuid`` if ``user`` may act on it; ``Http404`` otherwise."""
    try:
        return Signal.objects.select_related(
            "trajectory__client", "trajectory__organisation", "round"
        ).get(uuid=parse_uuid(uuid), trajectory__in=trajectories_for(user))
    except Signal.DoesNotExist as exc:
        raise Http404 from exc


def get_administered_organisation(user: Any, uuid: Any) -> Organisation:
    """The organisation ``uuid`` if ``user`` is its active admin; ``Http404`` otherwise."""
    try:
        return Organisation.objects.administered_by(user).get(uuid=parse_uuid(uuid))
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
