"""API tokens and webhooks of an organisation's integration (docs/api.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.api.constants import DeliveryEvent, DeliveryState
from alliantiemonitor.common.fields import EncryptedTextField


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: Any = None) -> ApiTokenQuerySet:
        """Tokens that are neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def for_organisation(self, organisation: Any) -> ApiTokenQuerySet:
        return self.filter(organisation=organisation)


class ApiToken(models.Model):
    """One integration's key to the API of one organisation.

    Only a keyed hash of the secret is stored; the secret is shown once, when it is made.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=80)
    scopes = models.JSONField(_("scopes"), default=list)
    #: The professional whose caseload the token reaches; empty: the whole organisation.
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting for"),
    )
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True, editable=False)
    #: The first characters of the secret, to recognise a token in a list.
    hint = models.CharField(_("starts with"), max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="api_token_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def audit_context(self) -> tuple[Any, None]:
        return self.organisation, None

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > timezone.now() else "expired"


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def active(self) -> WebhookEndpointQuerySet:
        return self.filter(active=True)

    def for_organisation(self, organisation: Any) -> WebhookEndpointQuerySet:
        return self.filter(organisation=organisation)


class WebhookEndpoint(models.Model):
    """An address of an organisation's system that is told about events (docs/api.md).

    The secret signs every call; it is stored encrypted (the monitor needs it to sign) and
    shown once, when the endpoint is made.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=80)
    url = models.CharField(_("address"), max_length=500)
    #: :class:`~alliantiemonitor.api.constants.WebhookEvent` values.
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(_("secret"), max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "active"], name="webhook_endpoint_org")]

    def __str__(self) -> str:
        return self.name

    def audit_context(self) -> tuple[Any, None]:
        return self.organisation, None


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def due(self, now: Any) -> WebhookDeliveryQuerySet:
        """Deliveries waiting to be tried whose time has come, of active endpoints."""
        return self.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent once, retried with backoff until sent or failed."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=32, choices=DeliveryEvent.choices)
    #: The public id of what the event is about (round, signal; a fresh id for a test).
    object_uuid = models.UUIDField(_("object"))
    #: What is sent, without the delivery's own id and time (added when sending).
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    #: Why the last try failed, or the start of the receiver's answer (at most 200 characters).
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "object_uuid"], name="webhook_delivery_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="webhook_delivery_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.object_uuid}"

    def audit_context(self) -> tuple[Any, None]:
        return self.endpoint.organisation, None
