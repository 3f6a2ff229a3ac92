"""Exports and reports of a study, built by the worker and downloaded for a short while.

The files live in the server's private data folder (never under the web root), one folder per
request; the row keeps what was asked, who asked, where the build stands and the name, size and
SHA-256 of every file. Kept apart from :mod:`.models` (imported at its end).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.research.constants import OutputKind, OutputState


class StudyOutput(models.Model):
    """One requested export or report of a study."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        "research.Study",
        on_delete=models.CASCADE,
        related_name="outputs",
        verbose_name=_("study"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutputKind.choices)
    #: The export's options (layout, dates, formats, free text) or the report's seed.
    options = models.JSONField(_("options"), default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=OutputState.choices, default=OutputState.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    #: Per file: ``name``, ``size`` (bytes) and ``sha256``.
    files = models.JSONField(_("files"), default=list, blank=True)
    #: Rows and trajectories in it, and the like, for the page.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("study export or report")
        verbose_name_plural = _("study exports and reports")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["state", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.study} – {self.get_kind_display()} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_ready(self) -> bool:
        """Built and not past its expiry: its files may be listed and downloaded (the
        worker's sweep deletes them within minutes of the expiry, but need not have run)."""
        return self.state == OutputState.READY and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def state_label(self) -> str:
        """The state as the page names it: a ready output past its expiry is expired."""
        if self.state == OutputState.READY and self.is_expired:
            return str(OutputState.EXPIRED.label)
        return str(self.get_state_display())

    @property
    def is_pending(self) -> bool:
        return self.state in (OutputState.QUEUED, OutputState.RUNNING)

    def file_named(self, name: str) -> dict[str, object] | None:
        """The entry of the file ``name`` in :attr:`files` (only listed files can be fetched)."""
        return next((entry for entry in self.files if entry.get("name") == name), None)

    def audit_context(self) -> tuple[None, None]:
        return None, None
