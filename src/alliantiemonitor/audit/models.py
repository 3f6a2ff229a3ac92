"""The audit log: who saw or changed which client's data, and when. Append-only."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import ActorKind
from alliantiemonitor.audit.exceptions import AuditLogImmutable


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("audit events cannot be updated")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable("audit events cannot be updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AuditLogImmutable("audit events cannot be deleted")

    def for_client(self, client: Any) -> AuditEventQuerySet:
        return self.filter(client=client)

    def for_object(self, obj: Any) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_uuid=obj.uuid)

    def with_action(self, *actions: str) -> AuditEventQuerySet:
        return self.filter(action__in=actions)

    def redact(self, *, at: Any) -> int:
        """Blank the personal columns of these events (the one change the log allows).

        Only :func:`alliantiemonitor.audit.services.redact_client_events` calls this; the
        PostgreSQL trigger refuses any other update.
        """
        return super().update(
            client=None,
            detail={},
            ip_address="",
            user_agent="",
            personal_salt="",
            redacted_at=at,
        )


class AuditEvent(models.Model):
    """One thing that happened to (or was seen of) data in the system; never changed afterwards.

    Foreign keys protect what they point to: users are deactivated rather than deleted, and
    erasing a client redacts its events first (the one change allowed, see ``redact``).
    Events are hash-chained in ``seq`` order; write them only through ``audit_record``.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    action = models.CharField(_("action"), max_length=64)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    client = models.ForeignKey(
        "trajectories.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_uuid = models.UUIDField(_("object id"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    #: Where a staff member acted from (only for users; a client's address is not kept).
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    # The hash chain; see alliantiemonitor.audit.chain.
    seq = models.BigIntegerField(_("sequence number"), unique=True, editable=False)
    personal_salt = models.CharField(max_length=32, blank=True, editable=False)
    personal_digest = models.CharField(max_length=64, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    chain_hash = models.CharField(max_length=64, editable=False)
    #: When the personal columns were blanked (erasure of the client).
    redacted_at = models.DateTimeField(_("redacted at"), null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["client", "at"], name="audit_client_at"),
            models.Index(fields=["organisation", "at"], name="audit_organisation_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["object_type", "object_uuid"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutable("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AuditLogImmutable("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The newest link of the chain: one row, locked while an event is appended.

    Appending reads and moves the head under a row lock, so two requests at the same moment
    can never both build on the same previous event (no fork of the chain).
    """

    seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="audit_head_one_row")]

    def __str__(self) -> str:
        return f"{self.seq} {self.chain_hash[:12]}"
