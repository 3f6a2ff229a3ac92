"""Warning signals raised in a trajectory, and each organisation's thresholds for them."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.core.instrument import ReferenceValues
from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.models import Client, Trajectory

from .constants import ACKNOWLEDGEMENT_NOTE_MAX, SignalKind


class SignalQuerySet(models.QuerySet["Signal"]):
    def open(self) -> SignalQuerySet:
        """Signals the rule still raises (acknowledged or not)."""
        return self.filter(resolved_at__isnull=True)

    def unacknowledged(self) -> SignalQuerySet:
        return self.filter(acknowledged_at__isnull=True)

    def for_trajectory(self, trajectory: Trajectory) -> SignalQuerySet:
        return self.filter(trajectory=trajectory)


class Signal(models.Model):
    """One warning signal in a trajectory: raised by the rules, acknowledged by the professional.

    A signal stays open while the rules raise it; when they no longer do, it is resolved (kept
    for the record). The same kind on the same characteristic from the same view can be open
    only once per trajectory; it may open again after it was resolved.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="signals", verbose_name=_("trajectory")
    )
    #: The trajectory's organisation, kept here too (filled in on save): the dashboards count
    #: an organisation's signals through an index of its own, without reading the signals of
    #: every other organisation (docs/capacity.md).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=SignalKind.choices)
    #: The round at which the signal was raised (the first of the rounds that raise it).
    round = models.ForeignKey(
        MeasurementRound,
        on_delete=models.CASCADE,
        related_name="signals",
        verbose_name=_("measurement round"),
    )
    #: Empty when the signal is not about one characteristic (e.g. not discussed).
    characteristic = models.CharField(_("characteristic"), max_length=32, blank=True, default="")
    #: ``client`` or ``professional``; empty when it is about both (e.g. disagreement).
    rater = models.CharField(_("view"), max_length=16, blank=True, default="")
    #: Short machine-readable detail from the rules, e.g. "trust -1.2 since round 2".
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledgement_note = EncryptedTextField(
        _("note"), max_length=ACKNOWLEDGEMENT_NOTE_MAX, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["trajectory_id", "raised_at", "pk"]
        indexes = [
            models.Index(fields=["trajectory", "resolved_at"], name="signal_trajectory_open"),
            models.Index(fields=["organisation", "raised_at"], name="signal_organisation_raised"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "kind", "characteristic", "rater"],
                condition=Q(resolved_at__isnull=True),
                name="signal_one_open_per_key",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SignalKind.values), name="signal_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="signal_acknowledged_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.characteristic or '-'}, {self.rater or '-'})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.organisation_id is None and self.trajectory_id is not None:
            self.organisation_id = (
                Trajectory.objects.filter(pk=self.trajectory_id)
                .values_list("organisation_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.characteristic, self.rater)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.trajectory.audit_context()


class SignalThresholds(models.Model):
    """An organisation's thresholds for the signal rules; absent values take the defaults.

    The values are kept by the names of the fields of
    :class:`~alliantiemonitor.core.signals.SignalSettings`, so that the rules own the list of
    thresholds and their defaults in one place; a name the rules no longer know is ignored.
    """

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="signal_thresholds",
        verbose_name=_("organisation"),
    )
    values = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("signal thresholds")
        verbose_name_plural = _("signal thresholds")

    def __str__(self) -> str:
        return str(self.organisation)

    def as_settings(self) -> SignalSettings:
        return settings_from_values(self.values)

    def audit_context(self) -> tuple[Organisation, None]:
        return self.organisation, None


def settings_from_values(values: dict[str, Any]) -> SignalSettings:
    """:class:`SignalSettings` with ``values`` over the defaults (unknown names ignored)."""
    known = {field.name for field in dataclasses.fields(SignalSettings)}
    return SignalSettings(**{name: value for name, value in values.items() if name in known})


def organisation_signal_settings(organisation: Organisation) -> SignalSettings:
    """The thresholds ``organisation`` chose, or the defaults."""
    row = SignalThresholds.objects.filter(organisation=organisation).first()
    return row.as_settings() if row is not None else SignalSettings()


class ReferenceEstimate(models.Model):
    """An organisation's own reference values (SD, reliability) for one characteristic.

    Computed by :func:`~alliantiemonitor.monitoring.services.references_estimate` from the
    organisation's current submitted responses of one instrument version and rater, once there
    are enough of them (:data:`~alliantiemonitor.core.change.MIN_REFERENCE_N`). The course view
    uses them instead of the questionnaire's provisional values.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="reference_estimates",
        verbose_name=_("organisation"),
    )
    instrument_id = models.CharField(_("instrument"), max_length=64)
    instrument_version = models.CharField(_("instrument version"), max_length=32)
    rater = models.CharField(_("view"), max_length=16)
    characteristic = models.CharField(_("characteristic"), max_length=32)
    sd = models.FloatField(_("standard deviation"))
    reliability = models.FloatField(_("reliability"))
    #: The number of responses with a score on this characteristic that the estimate rests on.
    n = models.PositiveIntegerField(_("number of responses"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("reference estimate")
        verbose_name_plural = _("reference estimates")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organisation",
                    "instrument_id",
                    "instrument_version",
                    "rater",
                    "characteristic",
                ],
                name="reference_estimate_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}@{self.instrument_version} {self.rater} {self.characteristic}"

    def audit_context(self) -> tuple[Organisation, None]:
        return self.organisation, None


@dataclasses.dataclass(frozen=True)
class OwnReferences:
    """An organisation's stored reference values of one instrument version and rater."""

    values: dict[str, ReferenceValues]
    #: The number of responses they were computed from (the most of any characteristic).
    n: int


def organisation_references(
    organisation: Organisation,
) -> dict[tuple[str, str, str], OwnReferences]:
    """``{(instrument id, version, rater): OwnReferences}`` of ``organisation``; one query."""
    values: dict[tuple[str, str, str], dict[str, ReferenceValues]] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for row in ReferenceEstimate.objects.filter(organisation=organisation):
        key = (row.instrument_id, row.instrument_version, row.rater)
        values.setdefault(key, {})[row.characteristic] = ReferenceValues(
            sd=row.sd, reliability=row.reliability
        )
        counts[key] = max(counts.get(key, 0), row.n)
    return {key: OwnReferences(values=v, n=counts[key]) for key, v in values.items()}
