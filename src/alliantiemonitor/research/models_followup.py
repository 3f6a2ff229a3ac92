"""Follow-up outcomes imported from a file, and samples of dyads drawn for interviews.

Both hang on an enrolled trajectory, so a researcher knows them by study key only. They are
kept apart from :mod:`.models` (imported at its end, so Django registers them with the app).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.research.constants import DyadPattern, FollowUpKind


class FollowUpImport(models.Model):
    """One uploaded follow-up file: first a dry run, then (once confirmed) applied.

    The file's text is kept (encrypted) only between the dry run and the confirmation, so the
    confirmation applies exactly the file that was checked; applying clears it.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        "research.Study",
        on_delete=models.CASCADE,
        related_name="followup_imports",
        verbose_name=_("study"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = EncryptedTextField(_("content"), blank=True)
    #: Rows per status (a :class:`RowStatus`) at the dry run, and when applied.
    dry_run_counts = models.JSONField(_("counts of the dry run"), default=dict)
    applied_counts = models.JSONField(_("counts when applied"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up import")
        verbose_name_plural = _("follow-up imports")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.study} – {self.file_name or self.sha256[:12]}"

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None

    def audit_context(self) -> tuple[None, None]:
        return None, None


class FollowUpOutcomeQuerySet(models.QuerySet["FollowUpOutcome"]):
    def of_study(self, study: Any) -> FollowUpOutcomeQuerySet:
        return self.filter(enrolled__study=study)


class FollowUpOutcome(models.Model):
    """One follow-up outcome of an enrolled trajectory: a kind, a date and a value.

    A trajectory has at most one value per kind and date; a later import with another value
    replaces it (and says so in its dry run).
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    enrolled = models.ForeignKey(
        "research.EnrolledTrajectory",
        on_delete=models.CASCADE,
        related_name="followup_outcomes",
        verbose_name=_("enrolled trajectory"),
    )
    kind = models.CharField(_("outcome"), max_length=32, choices=FollowUpKind.choices)
    date = models.DateField(_("date"))
    value = models.PositiveIntegerField(_("value"))
    source = models.ForeignKey(
        FollowUpImport,
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("import"),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"))

    objects = FollowUpOutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up outcome")
        verbose_name_plural = _("follow-up outcomes")
        ordering = ["enrolled", "kind", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolled", "kind", "date"], name="followup_outcome_one_per_kind_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolled} – {self.kind} {self.date}: {self.value}"

    def audit_context(self) -> Any:
        return self.enrolled.audit_context()


class InterviewSample(models.Model):
    """A seeded, stratified sample of a study's dyads, drawn per pattern for interviews."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        "research.Study",
        on_delete=models.CASCADE,
        related_name="interview_samples",
        verbose_name=_("study"),
    )
    seed = models.BigIntegerField(_("seed"))
    min_rounds = models.PositiveSmallIntegerField(_("fewest scored rounds"))
    #: ``{pattern: asked}`` and ``{pattern: eligible}`` at the moment of drawing.
    sizes = models.JSONField(_("asked per pattern"), default=dict)
    eligible = models.JSONField(_("eligible per pattern"), default=dict)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interview sample")
        verbose_name_plural = _("interview samples")
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(seed__gte=0), name="interview_sample_seed_positive")
        ]

    def __str__(self) -> str:
        return f"{self.study} – {self.seed}"

    def audit_context(self) -> tuple[None, None]:
        return None, None


class InterviewSampleEntry(models.Model):
    """One dyad drawn in a sample, with the pattern it was drawn for."""

    sample = models.ForeignKey(
        InterviewSample,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("sample"),
    )
    enrolled = models.ForeignKey(
        "research.EnrolledTrajectory",
        on_delete=models.CASCADE,
        related_name="interview_draws",
        verbose_name=_("enrolled trajectory"),
    )
    pattern = models.CharField(_("pattern"), max_length=16, choices=DyadPattern.choices)
    #: Place in the draw within its pattern (0 first): the order the seed gave.
    rank = models.PositiveIntegerField(_("rank"))

    class Meta:
        verbose_name = _("drawn dyad")
        verbose_name_plural = _("drawn dyads")
        ordering = ["sample", "pattern", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "enrolled"], name="interview_sample_entry_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sample} – {self.enrolled.study_key} ({self.pattern})"
