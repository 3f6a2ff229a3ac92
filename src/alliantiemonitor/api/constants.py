"""Scopes and limits of the API tokens (docs/api.md)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may call. Reach (which objects) is the permission layer's business."""

    TRAJECTORIES_READ = "trajectories:read", _("Read clients, trajectories and round status")
    TRAJECTORIES_WRITE = "trajectories:write", _("Create, close and hand over trajectories")
    ROUNDS_WRITE = "rounds:write", _("Start rounds and make invitation links")
    RESULTS_READ = "results:read", _("Read the scores of a round (bound tokens only)")
    SIGNALS_READ = "signals:read", _("Read signals (bound tokens only)")
    OUTCOMES_WRITE = "outcomes:write", _("Record outcome events")


#: Scopes that show what the parties answered (or what follows from it): only for a token
#: bound to one professional, never for a token of the whole organisation.
BOUND_ONLY_SCOPES = frozenset({Scope.RESULTS_READ, Scope.SIGNALS_READ})

#: What every secret starts with, so that it is recognised (in logs, by secret scanners).
SECRET_PREFIX = "amt_"  # noqa: S105 (a prefix, not a secret)

#: The shortest and longest validity of a token.
MIN_LIFETIME = dt.timedelta(days=1)
MAX_LIFETIME = dt.timedelta(days=366)
DEFAULT_LIFETIME_DAYS = 90

#: ``last_used_at`` is written at most this often (not one write per request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


# -- Webhooks (docs/api.md, "Webhooks").


class WebhookEvent(models.TextChoices):
    """What an endpoint can be told about. Payloads carry identifiers and states only."""

    ROUND_COMPLETED = "round.completed", _("A round is completed (both parties filled in)")
    SIGNAL_CREATED = "signal.created", _("A warning signal appears")


class DeliveryEvent(models.TextChoices):
    """What a delivery carries: one of the events, or the admin's test."""

    ROUND_COMPLETED = WebhookEvent.ROUND_COMPLETED.value, WebhookEvent.ROUND_COMPLETED.label
    SIGNAL_CREATED = WebhookEvent.SIGNAL_CREATED.value, WebhookEvent.SIGNAL_CREATED.label
    TEST = "test", _("Test event")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


#: What every webhook secret starts with, so that it is recognised.
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
#: Seconds to wait for the connection and for each read of the answer.
WEBHOOK_TIMEOUT = 5.0
#: Tries in all; then the delivery stays failed.
WEBHOOK_MAX_ATTEMPTS = 8
#: Seconds before the first retry; every further retry waits twice as long.
WEBHOOK_FIRST_RETRY = 60
#: Characters of the receiver's answer kept on the delivery (for the admin, never more).
WEBHOOK_RESPONSE_KEPT = 200
#: Deliveries the periodic job tries at most per run (the next run takes the rest).
WEBHOOK_RETRY_BATCH = 100
#: Deliveries shown per endpoint on the admin's page.
WEBHOOK_RECENT_DELIVERIES = 10
