"""Clients, their trajectories, who is assigned when, and what happened along the way."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.organisations.constants import EASY_READ_INSTRUMENT
from alliantiemonitor.organisations.models import Organisation, Team
from alliantiemonitor.trajectories.constants import ClientLanguage, OutcomeKind, TrajectoryStatus


class ClientQuerySet(models.QuerySet["Client"]):
    def for_organisation(self, organisation: Organisation) -> ClientQuerySet:
        return self.filter(organisation=organisation)


class Client(models.Model):
    """A pseudonymous client record inside one organisation."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("organisation"),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_(
            "A pseudonym or initials you choose. Do not enter the full name or a national "
            "identification number."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=ClientLanguage.choices,
        default=ClientLanguage.DUTCH,
    )
    easy_read = models.BooleanField(
        _("easy-read"),
        default=False,
        help_text=_("Use the easy-read variant: short sentences, one statement per screen."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.organisation, self


class TrajectoryQuerySet(models.QuerySet["Trajectory"]):
    def active(self) -> TrajectoryQuerySet:
        return self.filter(status=TrajectoryStatus.ACTIVE)

    def ended(self) -> TrajectoryQuerySet:
        return self.filter(status=TrajectoryStatus.ENDED)

    def for_organisation(self, organisation: Organisation) -> TrajectoryQuerySet:
        return self.filter(organisation=organisation)

    def assigned_to(self, user) -> TrajectoryQuerySet:
        """Trajectories whose latest assignment is ``user``'s.

        That is the open assignment of an active trajectory, or the last one of an ended
        trajectory; a professional who handed a trajectory over is no longer its assignee.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        latest = (
            Assignment.objects.filter(trajectory=OuterRef("pk"))
            .order_by("-start", "-pk")
            .values("professional")[:1]
        )
        # Only trajectories the user was ever assigned to can have the user as their latest
        # assignee: starting from those (an index on the assignment's professional) keeps a
        # caseload as cheap in an organisation of 25,000 trajectories as in one of fifty,
        # instead of asking every trajectory of the organisation for its latest assignee.
        ever_assigned = Assignment.objects.filter(professional=user.pk).values("trajectory")
        return (
            self.filter(pk__in=ever_assigned)
            .annotate(latest_professional=Subquery(latest))
            .filter(latest_professional=user.pk)
        )

    def search(self, text: str) -> TrajectoryQuerySet:
        """Trajectories whose client's display name contains ``text`` (any case)."""
        text = text.strip()
        return self.filter(client__display_name__icontains=text) if text else self


class Trajectory(models.Model):
    """One client in one organisation over a period (toezicht, traject, begeleiding)."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="trajectories", verbose_name=_("client")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("organisation"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trajectories",
        verbose_name=_("team"),
    )
    #: The trajectory's id in the organisation's case-management system, set by the caseload
    #: import (docs/import.md) so that importing the same file again finds it; unique per
    #: organisation when set.
    external_id = models.CharField(_("external id"), max_length=64, blank=True, default="")
    legal_frame = EncryptedTextField(
        _("legal frame"),
        max_length=200,
        blank=True,
        help_text=_("For example: a suspended sentence with special conditions."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TrajectoryStatus.choices,
        default=TrajectoryStatus.ACTIVE,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="trajectory_org_status"),
            models.Index(fields=["team", "status"], name="trajectory_team_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="trajectory_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="trajectory_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} ({self.start_date:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.status == TrajectoryStatus.ACTIVE

    @property
    def current_assignment(self) -> Assignment | None:
        """The open assignment, if any."""
        return self.assignments.filter(end__isnull=True).order_by("-start", "-pk").first()

    @property
    def default_variant(self) -> str:
        """The instrument variant a new round uses unless the professional chooses another.

        Easy-read for a client who prefers it, else the organisation's default.
        """
        if self.client.easy_read:
            return EASY_READ_INSTRUMENT
        return self.organisation.default_instrument

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.organisation, self.client


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def open(self) -> AssignmentQuerySet:
        return self.filter(end__isnull=True)

    def for_professional(self, user) -> AssignmentQuerySet:
        return self.filter(professional=user)

    def handovers(self) -> AssignmentQuerySet:
        """Assignments that started with a change of professional."""
        return self.filter(handed_over_from__isnull=False)


class Assignment(models.Model):
    """Which professional guides a trajectory from when to when."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("trajectory"),
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("professional"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    reason = EncryptedTextField(_("reason"), max_length=200, blank=True)
    #: The assignment this one took over from; empty for the first professional of a trajectory.
    handed_over_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handed_over_to",
        verbose_name=_("handed over from"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["trajectory_id", "start", "pk"]
        indexes = [
            models.Index(fields=["professional", "end"], name="assignment_professional_end"),
            models.Index(fields=["trajectory", "start"], name="assignment_trajectory_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(end__isnull=True),
                name="assignment_one_open_per_trajectory",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.professional} → {self.trajectory}"

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.trajectory.audit_context()


class OutcomeEventQuerySet(models.QuerySet["OutcomeEvent"]):
    def of_kind(self, *kinds: str) -> OutcomeEventQuerySet:
        return self.filter(kind__in=kinds)


class OutcomeEvent(models.Model):
    """Something in the course of a trajectory that research links to the alliance."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.CASCADE,
        related_name="outcome_events",
        verbose_name=_("trajectory"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OutcomeKind.choices)
    date = models.DateField(_("date"))
    note = EncryptedTextField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("Facts only; no judgements about the client."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OutcomeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome event")
        verbose_name_plural = _("outcome events")
        ordering = ["trajectory_id", "date", "pk"]
        indexes = [models.Index(fields=["trajectory", "date"], name="outcome_trajectory_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date:%Y-%m-%d})"

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.trajectory.audit_context()


class RetentionNotice(models.Model):
    """A client whose retention period has passed: erased once the notice is old enough.

    The retention job writes a notice first (the dry-run report the privacy officer sees on the
    privacy page) and erases the client only when the notice is at least
    :data:`~alliantiemonitor.trajectories.retention.NOTICE_DAYS` days old and still due. A
    notice whose client is no longer due (a new trajectory started) is withdrawn.
    """

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="retention_notice", verbose_name=_("client")
    )
    noticed_at = models.DateTimeField(_("announced at"))
    #: The day the retention period passed (the last end + the organisation's months).
    due_since = models.DateField(_("due since"))

    class Meta:
        verbose_name = _("retention notice")
        verbose_name_plural = _("retention notices")

    def __str__(self) -> str:
        return f"{self.client} ({self.due_since})"
