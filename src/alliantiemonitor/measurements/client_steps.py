"""Steps that apps above measurements add to the client's way into a round.

The client flow lives here, but some of what it must ask belongs to apps that build on it
(research consent). Such an app registers a :data:`ClientStepProvider` in its ``ready()``;
before the intro, :func:`client_step_pending` sends the client to the first step still to
take, and the intro includes what each step says is true for this round. Measurements never
imports those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from alliantiemonitor.measurements.models import MeasurementRound


@dataclass(frozen=True)
class ClientStep:
    """What one app has to say to the client of a round."""

    #: The URL of a page the client must see before the intro (``None``: nothing to ask).
    pending_url: str | None = None
    #: A template the intro includes, with ``context``, to say what is true for the round.
    intro_template: str | None = None
    #: A template the thank-you page includes, with ``context`` (what the client can still do).
    done_template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


#: Given the request and the client's round, the app's step (or ``None``: nothing to say).
ClientStepProvider = Callable[[HttpRequest, MeasurementRound], ClientStep | None]

_providers: list[ClientStepProvider] = []


def client_step_register(provider: ClientStepProvider) -> None:
    """Add ``provider`` to the client flow (once; called from an app's ``ready()``)."""
    if provider not in _providers:
        _providers.append(provider)


def client_steps(request: HttpRequest, measurement_round: MeasurementRound) -> list[ClientStep]:
    """What every registered app has to say for ``measurement_round``."""
    found = (provider(request, measurement_round) for provider in _providers)
    return [step for step in found if step is not None]


def client_step_pending(steps: list[ClientStep]) -> str | None:
    """The first page the client must see before the intro, if any."""
    return next((step.pending_url for step in steps if step.pending_url), None)
