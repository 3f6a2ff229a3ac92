"""A caseload file between its dry run and its confirmation (docs/import.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.organisations.models import Organisation


class CaseloadImport(models.Model):
    """One uploaded caseload file: first a dry run, then (once confirmed) imported.

    The file's text is kept, encrypted, only between the dry run and the confirmation, so the
    confirmation imports exactly the file that was checked (its SHA-256 is kept too);
    importing, or the next dry run after the confirmation time has passed, clears it.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="caseload_imports",
        verbose_name=_("organisation"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = EncryptedTextField(_("content"), blank=True)
    #: Rows per status (a :class:`~.constants.RowStatus`) at the dry run, and when imported.
    dry_run_counts = models.JSONField(_("counts of the dry run"), default=dict)
    applied_counts = models.JSONField(_("counts when imported"), default=dict, blank=True)
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
        verbose_name=_("imported by"),
    )
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("caseload import")
        verbose_name_plural = _("caseload imports")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "uploaded_at"], name="caseload_import_org_time")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.file_name or self.sha256[:12]}"

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None

    def audit_context(self) -> tuple[Organisation, None]:
        return self.organisation, None
