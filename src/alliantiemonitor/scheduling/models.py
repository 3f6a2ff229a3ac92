"""Schedules per organisation and trajectory, client contact, mail preferences, deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    validate_email,
)
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.core.schedule import ScheduleRule
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.models import Client, Trajectory

from .constants import (
    DEFAULT_AFTER_HANDOVER_WEEKS,
    DEFAULT_BEFORE_END_WEEKS,
    DEFAULT_EVERY_WEEKS,
    DEFAULT_REMINDER_AFTER_DAYS,
    DEFAULT_REMINDER_MAX,
    Channel,
    DeliveryKind,
)

_WEEKS = [MinValueValidator(1), MaxValueValidator(104)]

#: The sender name goes into the From header and the subject: one line, no control characters
#: (a line break made every message of the organisation fail to build).
_ONE_LINE = RegexValidator(
    r"[\x00-\x1f\x7f]",
    inverse_match=True,
    message=_("Write the name on one line, without tabs or other control characters."),
)


class ScheduleFields(models.Model):
    """The occasions of a schedule (core.schedule.ScheduleRule); empty switches one off."""

    at_start = models.BooleanField(_("a round at the start"), default=True)
    every_weeks = models.PositiveSmallIntegerField(
        _("every so many weeks"),
        null=True,
        blank=True,
        default=DEFAULT_EVERY_WEEKS,
        validators=_WEEKS,
        help_text=_("Weeks between rounds. Leave empty for no regular rounds."),
    )
    after_handover_weeks = models.PositiveSmallIntegerField(
        _("within so many weeks after a change of professional"),
        null=True,
        blank=True,
        default=DEFAULT_AFTER_HANDOVER_WEEKS,
        validators=_WEEKS,
        help_text=_("Leave empty for no extra round after a change of professional."),
    )
    before_end_weeks = models.PositiveSmallIntegerField(
        _("so many weeks before the planned end"),
        null=True,
        blank=True,
        default=DEFAULT_BEFORE_END_WEEKS,
        validators=_WEEKS,
        help_text=_(
            "Only for trajectories with a planned end date. Leave empty for no round before "
            "the end."
        ),
    )

    class Meta:
        abstract = True

    def as_rule(self) -> ScheduleRule:
        return ScheduleRule(
            at_start=self.at_start,
            every_weeks=self.every_weeks,
            after_handover_weeks=self.after_handover_weeks,
            before_end_weeks=self.before_end_weeks,
        )


class OrganisationSchedule(ScheduleFields):
    """An organisation's default schedule, channel and message settings.

    An organisation without this row has no schedule: rounds are started by hand only.
    """

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="schedule",
        verbose_name=_("organisation"),
    )
    enabled = models.BooleanField(
        _("use a schedule"),
        default=True,
        help_text=_(
            "Without a schedule professionals start rounds when they choose (selective use)."
        ),
    )
    channel = models.CharField(
        _("how clients are invited"),
        max_length=16,
        choices=Channel.choices,
        default=Channel.HANDOVER,
    )
    sender_name = models.CharField(
        _("sender name"),
        max_length=80,
        blank=True,
        validators=[_ONE_LINE],
        help_text=_(
            "The name clients see as the sender of e-mails, for example your organisation's "
            "name. Leave empty to use “Alliantiemonitor”."
        ),
    )
    message_text = models.TextField(
        _("invitation text"),
        max_length=600,
        blank=True,
        help_text=_(
            "A short text at the top of the invitation. Leave empty for the neutral default. "
            "Do not mention the legal frame, answers or scores."
        ),
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after so many days"),
        default=DEFAULT_REMINDER_AFTER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    reminder_max = models.PositiveSmallIntegerField(
        _("at most so many reminders"),
        default=DEFAULT_REMINDER_MAX,
        validators=[MaxValueValidator(5)],
        help_text=_("0 sends no reminders."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation schedule")
        verbose_name_plural = _("organisation schedules")

    def __str__(self) -> str:
        return str(self.organisation)

    def rule(self) -> ScheduleRule | None:
        return self.as_rule() if self.enabled else None

    def audit_context(self) -> tuple[Organisation, None]:
        return self.organisation, None


class TrajectoryScheduleMode(models.TextChoices):
    ORGANISATION = "organisation", _("The organisation's schedule")
    CUSTOM = "custom", _("A schedule of its own")
    NONE = "none", _("No schedule: I start rounds myself")


class TrajectorySchedule(ScheduleFields):
    """A trajectory's planned end and, when chosen, a schedule of its own."""

    trajectory = models.OneToOneField(
        Trajectory,
        on_delete=models.CASCADE,
        related_name="schedule",
        verbose_name=_("trajectory"),
    )
    mode = models.CharField(
        _("schedule"),
        max_length=16,
        choices=TrajectoryScheduleMode.choices,
        default=TrajectoryScheduleMode.ORGANISATION,
    )
    planned_end_date = models.DateField(_("planned end date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("trajectory schedule")
        verbose_name_plural = _("trajectory schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=TrajectoryScheduleMode.values),
                name="trajectory_schedule_mode_valid",
            )
        ]

    def __str__(self) -> str:
        return str(self.trajectory)

    def rule(self, organisation_schedule: OrganisationSchedule | None) -> ScheduleRule | None:
        """The rule that applies, given the organisation's schedule (or ``None``)."""
        if self.mode == TrajectoryScheduleMode.NONE:
            return None
        if self.mode == TrajectoryScheduleMode.CUSTOM:
            return self.as_rule()
        return organisation_schedule.rule() if organisation_schedule is not None else None

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.trajectory.audit_context()


class ClientContact(models.Model):
    """A client's e-mail address and their agreement to mail, kept apart from the client record.

    Mail goes out only while there is an address and an agreement that was not withdrawn.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="contact", verbose_name=_("client")
    )
    #: Encrypted at rest: an address often carries the name that the pseudonym leaves out.
    email = EncryptedTextField(
        _("e-mail address"), max_length=254, blank=True, validators=[validate_email]
    )
    consent_given_on = models.DateField(_("agreed to e-mail on"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("agreement withdrawn at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")

    def __str__(self) -> str:
        return str(self.client)

    @property
    def has_consent(self) -> bool:
        return self.consent_given_on is not None and self.consent_withdrawn_at is None

    @property
    def can_mail(self) -> bool:
        return bool(self.email) and self.has_consent

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.client.organisation, self.client


class MailPreference(models.Model):
    """A staff user's choice about the mail the app sends them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mail_preference",
        verbose_name=_("user"),
    )
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        default=True,
        help_text=_(
            "A weekly e-mail with the number of rounds that are due or overdue and of new signals."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mail preference")
        verbose_name_plural = _("mail preferences")

    def __str__(self) -> str:
        return str(self.user)


class Delivery(models.Model):
    """One message (or scheduled action) that must happen exactly once.

    ``key`` names it uniquely: kind, object and period or sequence, for example
    ``reminder:<round uuid>:2`` or ``digest:<user uuid>:2025-W03``. A worker claims the row
    under a lock inside its transaction before sending; see docs/schedules.md.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind.choices)
    key = models.CharField(_("key"), max_length=200, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    #: The trajectory it concerns; empty for a digest.
    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trajectory"),
    )
    #: The round it concerns (opened, invited to, reminded of); empty for a digest.
    round = models.ForeignKey(
        MeasurementRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measurement round"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["kind", "round"], name="delivery_kind_round")]

    def __str__(self) -> str:
        return self.key
