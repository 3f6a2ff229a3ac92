"""Studies, their phases, who takes part, and research consent.

Researchers see only study keys and counts: nothing here holds a name. The link from an
enrolled trajectory to the trajectory (and so to the client) is the only way back to a person.
When a client's data are erased (on request or by retention), the study's
``keep_after_erasure_months`` decides (``research.retention``): the records of a consenting
client stay that many months with the study key alone (the link set to null), all others go
with the client (docs/research/studies.md).
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.organisations.models import Organisation, Team
from alliantiemonitor.research.constants import (
    ConsentMode,
    ConsentState,
    PhaseKind,
    ResponseMode,
    StudyStatus,
)
from alliantiemonitor.trajectories.models import Client, Trajectory

#: The longest a study may keep a client's research records after the erasure (25 years).
KEEP_AFTER_ERASURE_MAX_MONTHS = 300


def new_study_secret() -> str:
    """A fresh key for a study's keyed hashes (256 bits)."""
    return secrets.token_hex(32)


class StudyQuerySet(models.QuerySet["Study"]):
    def active(self) -> StudyQuerySet:
        return self.filter(status=StudyStatus.ACTIVE)

    def with_researcher(self, user: Any) -> StudyQuerySet:
        """Studies in which ``user`` is one of the researchers (the "study member" scope)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            pk__in=Study.researchers.through.objects.filter(user=user).values("study")
        )


class Study(models.Model):
    """A research protocol: phases, enrolled organisations and trajectories, consent."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    protocol = models.TextField(
        _("protocol"),
        max_length=20000,
        blank=True,
        help_text=_("The research protocol in short: questions, phases, what is asked when."),
    )
    #: What happens to a client's research records when the client's personal data are erased
    #: (by retention or on request): 0 deletes them with the client; N keeps those of a client
    #: whose consent stands, under the study key only, N months after the erasure.
    keep_after_erasure_months = models.PositiveSmallIntegerField(
        _("months kept after erasure"),
        default=0,
        validators=[MaxValueValidator(KEEP_AFTER_ERASURE_MAX_MONTHS)],
        help_text=_(
            "When a client's personal data are erased, their research records (under the study "
            "key only) are kept this many months, then deleted. 0: deleted with the client. "
            "Only records of clients whose consent stands are ever kept."
        ),
    )
    information_text = models.TextField(
        _("information for clients"),
        max_length=4000,
        help_text=_(
            "What the client reads before saying yes or no, in plain words: what the study is "
            "about, what is used, that saying no changes nothing about their guidance, and that "
            "they can withdraw at any time."
        ),
    )
    information_version = models.PositiveIntegerField(_("version of the information"), default=1)
    #: Key of the study's keyed hashes (study keys). Generated, encrypted at rest, never shown.
    secret = EncryptedTextField(
        _("secret"), max_length=128, default=new_study_secret, editable=False
    )
    researchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="studies",
        verbose_name=_("researchers"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StudyStatus.choices, default=StudyStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == StudyStatus.ACTIVE

    def audit_context(self) -> tuple[None, None]:
        return None, None


class StudyPhase(models.Model):
    """One phase of a study's protocol: what is asked, and when."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="phases", verbose_name=_("study")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=200)
    #: Instrument ids (see the instrument registry) used in this phase.
    instruments = models.JSONField(_("questionnaires"), default=list, blank=True)
    timing_days = models.PositiveIntegerField(
        _("days after enrolment"),
        help_text=_("When this phase starts, in days after the trajectory was enrolled."),
    )
    mode_notes = models.TextField(
        _("how it is done"),
        max_length=2000,
        blank=True,
        help_text=_("For example: filled in separately and discussed; or an interview by phone."),
    )

    class Meta:
        verbose_name = _("study phase")
        verbose_name_plural = _("study phases")
        ordering = ["study", "order"]
        constraints = [
            models.UniqueConstraint(fields=["study", "order"], name="study_phase_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def answered_questionnaires(self) -> list[str]:
        """The ids of this phase's questionnaires that some trajectory has answered."""
        return sorted(self.responses.order_by().values_list("questionnaire", flat=True).distinct())

    def audit_context(self) -> tuple[None, None]:
        return None, None


class StudyEnrolmentQuerySet(models.QuerySet["StudyEnrolment"]):
    def agreed(self) -> StudyEnrolmentQuerySet:
        return self.filter(agreed_at__isnull=False)

    def pending(self) -> StudyEnrolmentQuerySet:
        return self.filter(agreed_at__isnull=True)

    def covering(self, trajectory: Trajectory) -> StudyEnrolmentQuerySet:
        """Agreed enrolments that take in ``trajectory``: its whole organisation or its team."""
        return self.agreed().filter(
            Q(team__isnull=True) | Q(team_id=trajectory.team_id),
            organisation_id=trajectory.organisation_id,
        )


class StudyEnrolment(models.Model):
    """An organisation, or one of its teams, taking part in a study.

    A researcher asks; it counts only once an organisation admin of that organisation agreed
    (an enrolment asked by that admin is agreed at once).
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("study")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="study_enrolments",
        verbose_name=_("organisation"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="study_enrolments",
        verbose_name=_("team"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed by"),
    )
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)

    objects = StudyEnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("study enrolment")
        verbose_name_plural = _("study enrolments")
        ordering = ["study", "organisation__name", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "organisation"],
                condition=Q(team__isnull=True),
                name="study_enrolment_unique_organisation",
            ),
            models.UniqueConstraint(
                fields=["study", "team"],
                condition=Q(team__isnull=False),
                name="study_enrolment_unique_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} – {self.team or self.organisation}"

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None

    def audit_context(self) -> tuple[Organisation, None]:
        return self.organisation, None


class EnrolledTrajectoryQuerySet(models.QuerySet["EnrolledTrajectory"]):
    def with_consent_state(self) -> EnrolledTrajectoryQuerySet:
        """Annotate ``consent_given`` and ``consent_withdrawn_at`` of the newest record.

        Both are null when no answer was recorded yet.
        """
        newest = ResearchConsent.objects.filter(enrolled=OuterRef("pk")).order_by(
            "-recorded_at", "-pk"
        )
        return self.annotate(
            consent_given=Subquery(newest.values("given")[:1]),
            consent_withdrawn_at=Subquery(newest.values("withdrawn_at")[:1]),
        )

    def consenting(self) -> EnrolledTrajectoryQuerySet:
        """Enrolled trajectories whose newest consent record says yes and was not withdrawn."""
        return self.with_consent_state().filter(
            consent_given=True, consent_withdrawn_at__isnull=True
        )


class EnrolledTrajectory(models.Model):
    """One trajectory taking part in a study, known to researchers by its study key only."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        Study,
        on_delete=models.CASCADE,
        related_name="enrolled_trajectories",
        verbose_name=_("study"),
    )
    enrolment = models.ForeignKey(
        StudyEnrolment,
        on_delete=models.PROTECT,
        related_name="trajectories",
        verbose_name=_("enrolment"),
    )
    #: Null once the client's data were erased: what stays is pseudonymous (the study key).
    trajectory = models.ForeignKey(
        Trajectory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="study_enrolments",
        verbose_name=_("trajectory"),
    )
    study_key = models.CharField(_("study key"), max_length=16, db_index=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    #: The day the client's data were erased and this record kept (``research.retention``);
    #: it is deleted once the study's ``keep_after_erasure_months`` have passed since.
    erased_on = models.DateField(_("client erased on"), null=True, blank=True)

    objects = EnrolledTrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolled trajectory")
        verbose_name_plural = _("enrolled trajectories")
        ordering = ["study", "enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "trajectory"],
                condition=Q(trajectory__isnull=False),
                name="enrolled_trajectory_unique_per_study",
            )
        ]

    def __str__(self) -> str:
        return f"{self.study} – {self.study_key}"

    def audit_context(self) -> tuple[Organisation, Client | None]:
        if self.trajectory is not None:
            return self.trajectory.organisation, self.trajectory.client
        return self.enrolment.organisation, None


class ResearchConsent(models.Model):
    """One answer of a client to a study's question, and its withdrawal.

    Never deleted and never changed, except that a given consent may be marked withdrawn
    (a new state of the same record). A later answer is a new record; the newest decides.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="consents", verbose_name=_("study")
    )
    enrolled = models.ForeignKey(
        EnrolledTrajectory,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("enrolled trajectory"),
    )
    given = models.BooleanField(_("consent given"))
    recorded_at = models.DateTimeField(_("recorded at"))
    information_version = models.PositiveIntegerField(_("version of the information"))
    #: The staff member who recorded it; null with ``by_client`` (the client answered).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    by_client = models.BooleanField(_("recorded by the client"), default=False)
    mode = models.CharField(_("mode"), max_length=32, choices=ConsentMode.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    #: The client withdrew in the client flow (``withdrawn_by`` stays null then).
    withdrawn_by_client = models.BooleanField(_("withdrawn by the client"), default=False)

    class Meta:
        verbose_name = _("research consent")
        verbose_name_plural = _("research consents")
        ordering = ["enrolled", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(given=True),
                name="research_consent_withdraw_only_given",
            ),
            models.CheckConstraint(
                condition=Q(by_client=False) | Q(mode=ConsentMode.CLIENT_FLOW),
                name="research_consent_client_in_client_flow",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_by_client=False) | Q(withdrawn_at__isnull=False),
                name="research_consent_client_withdrawal_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolled} – {self.state}"

    @property
    def state(self) -> str:
        if not self.given:
            return ConsentState.REFUSED
        return ConsentState.WITHDRAWN if self.withdrawn_at else ConsentState.GIVEN

    def audit_context(self) -> tuple[Organisation, Client | None]:
        return self.enrolled.audit_context()


class PhaseResponse(models.Model):
    """The answers of an enrolled trajectory to one questionnaire of one study phase.

    Stored once per enrolled trajectory, phase and questionnaire (a database constraint),
    only while the client's research consent stands, and never changed afterwards. It pins
    the questionnaire's version, so a later version never changes what was answered.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    enrolled = models.ForeignKey(
        EnrolledTrajectory,
        on_delete=models.CASCADE,
        related_name="phase_responses",
        verbose_name=_("enrolled trajectory"),
    )
    phase = models.ForeignKey(
        StudyPhase,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("phase"),
    )
    #: The id of a plain questionnaire in the instrument registry, and its version.
    questionnaire = models.CharField(_("questionnaire"), max_length=100)
    questionnaire_version = models.CharField(_("questionnaire version"), max_length=40)
    #: ``{item id: answer or null}`` for every item of the questionnaire.
    answers = models.JSONField(_("answers"), default=dict)
    mode = models.CharField(_("mode"), max_length=16, choices=ResponseMode.choices)
    #: The researcher who typed the answers in; null when the client answered online.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("phase response")
        verbose_name_plural = _("phase responses")
        ordering = ["enrolled", "phase__order", "questionnaire", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolled", "phase", "questionnaire"],
                name="phase_response_once_per_questionnaire",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=ResponseMode.values),
                name="phase_response_known_mode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolled} – {self.phase} – {self.questionnaire}"

    def audit_context(self) -> tuple[Organisation, Client | None]:
        return self.enrolled.audit_context()


# Registered with the app through this import (kept in a module of their own).
from alliantiemonitor.research.models_followup import (  # noqa: E402
    FollowUpImport as FollowUpImport,
)
from alliantiemonitor.research.models_followup import (  # noqa: E402
    FollowUpOutcome as FollowUpOutcome,
)
from alliantiemonitor.research.models_followup import (  # noqa: E402
    InterviewSample as InterviewSample,
)
from alliantiemonitor.research.models_followup import (  # noqa: E402
    InterviewSampleEntry as InterviewSampleEntry,
)
from alliantiemonitor.research.models_outputs import StudyOutput as StudyOutput  # noqa: E402
