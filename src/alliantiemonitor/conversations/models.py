"""The joint conversation about a round: when it was held, what was agreed, how it went.

Only what both parties may see is kept here: no private notes about the client.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.conversations.constants import Party, Usefulness
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.models import Client


class Conversation(models.Model):
    """The joint discussion of one round (bespreking)."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    round = models.OneToOneField(
        MeasurementRound,
        on_delete=models.CASCADE,
        related_name="conversation",
        verbose_name=_("measurement round"),
    )
    held_on = models.DateField(_("held on"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("held by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d}"

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.round.audit_context()


class Agreement(models.Model):
    """Something agreed in the conversation that the client can read back (afspraak)."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("conversation"),
    )
    text = EncryptedTextField(_("text"), max_length=1000)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["conversation_id", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.conversation.audit_context()


class Evaluation(models.Model):
    """One party's short verdict on the conversation: was it useful?"""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="evaluations",
        verbose_name=_("conversation"),
    )
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    useful = models.CharField(_("useful"), max_length=8, choices=Usefulness.choices)
    comment = EncryptedTextField(_("comment"), max_length=500, blank=True)
    #: The professional who recorded it; empty when the client gave it themselves.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["conversation_id", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "party"], name="evaluation_one_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.get_useful_display()}"

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.conversation.audit_context()
