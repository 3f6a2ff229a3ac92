"""Typing in a client's paper form, once or twice (double entry).

Imported at the end of :mod:`alliantiemonitor.measurements.models`, so Django registers it
with the app.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.models import Client

from .models import MeasurementRound, Response


class PaperEntryState(models.TextChoices):
    #: Typed in once; a second person is asked to type it in again.
    AWAITING_SECOND = "awaiting_second", _("Waiting for a second person to type it in")
    #: Typed in twice with different answers: someone looks at the paper and decides.
    MISMATCH = "mismatch", _("Typed in twice, with differences")
    #: Stored as the client's response.
    FINAL = "final", _("Stored")


class PaperEntryQuerySet(models.QuerySet["PaperEntry"]):
    def awaiting_check_by(self, user: Any, organisations: Any) -> PaperEntryQuerySet:
        """The entries ``user`` is named to check, in ``organisations``.

        Waiting for their typing, or — once they typed it with differences — waiting for
        someone to decide the differences from the paper. Stored entries are no one's to check.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        waiting = models.Q(state=PaperEntryState.AWAITING_SECOND)
        differing = models.Q(state=PaperEntryState.MISMATCH, second_by=user)
        return self.filter(
            waiting | differing,
            verifier=user,
            round__trajectory__organisation__in=organisations,
        )


class PaperEntry(models.Model):
    """The client's paper form of one round as typed in: who typed it, and the response it made.

    Answers stay here only until the entry is final; then they are the client's response (mode
    paper entry) and this record keeps who typed and who verified it.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    #: One per round: two typists at once end up in the same record (the round row is locked).
    round = models.OneToOneField(
        MeasurementRound,
        on_delete=models.CASCADE,
        related_name="paper_entry",
        verbose_name=_("measurement round"),
    )
    state = models.CharField(_("state"), max_length=24, choices=PaperEntryState.choices)
    first_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("typed in by"),
    )
    #: The colleague the first typist named to type the form in again (double entry). A request,
    #: not a record of work done: deleting that account withdraws it.
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to be checked by"),
    )
    first_answers = models.JSONField(_("answers typed first"), default=dict, blank=True)
    first_at = models.DateTimeField(_("typed in at"), default=timezone.now)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    second_answers = models.JSONField(_("answers typed second"), null=True, blank=True)
    second_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("differences resolved by"),
    )
    response = models.OneToOneField(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="paper_entry",
        verbose_name=_("response"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PaperEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("paper entry")
        verbose_name_plural = _("paper entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=PaperEntryState.values),
                name="paper_entry_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=PaperEntryState.FINAL) | models.Q(response__isnull=False),
                name="paper_entry_final_has_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} ({self.round_id})"

    def mismatches(self) -> list[str]:
        """The item ids typed differently the first and the second time."""
        if self.second_answers is None:
            return []
        first, second = self.first_answers, self.second_answers
        return sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.round.audit_context()
