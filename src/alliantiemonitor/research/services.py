"""The write path of studies, enrolment and consent; and the one query exports may use.

Every function is keyword-only and atomic, records its audit event, and raises a
:class:`~alliantiemonitor.common.errors.DomainError` (``research.exceptions``) when a rule
refuses: nothing is written then. Audit details carry study keys, never names or answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.core.instrument import QUESTIONNAIRE
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership, Organisation, Team
from alliantiemonitor.research.constants import (
    STAFF_CONSENT_MODES,
    STATUS_NEXT,
    ConsentMode,
    ConsentState,
    PhaseKind,
    StudyStatus,
)
from alliantiemonitor.research.exceptions import (
    AlreadyEnrolled,
    AnsweredQuestionnaireRemoved,
    InvalidStudyInput,
    NotAllowed,
    NotEnrolled,
    NothingToWithdraw,
    StatusChangeNotAllowed,
    StudyNotActive,
    TrajectoryNotActive,
)
from alliantiemonitor.research.keys import study_key
from alliantiemonitor.research.models import (
    KEEP_AFTER_ERASURE_MAX_MONTHS,
    EnrolledTrajectory,
    EnrolledTrajectoryQuerySet,
    ResearchConsent,
    Study,
    StudyEnrolment,
    StudyPhase,
)
from alliantiemonitor.trajectories.models import Trajectory

# --------------------------------------------------------------------------- studies


def _required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidStudyInput(field=field)
    return value


def _holds_role(user: Any, role: str, organisation: Organisation | None = None) -> bool:
    found = Membership.objects.active().for_user(user).with_role(role)
    if organisation is not None:
        found = found.for_organisation(organisation)
    return bool(getattr(user, "is_active", False)) and found.exists()


@transaction.atomic
def study_create(
    *,
    by: Any,
    name: str,
    information_text: str,
    description: str = "",
    protocol: str = "",
    keep_after_erasure_months: int | None = 0,
) -> Study:
    """Create a draft study with ``by`` as its first researcher and a fresh secret.

    ``keep_after_erasure_months`` (None counts as 0) is how long the records of a consenting
    client are kept after the client's erasure (``research.retention``). Raises ``NotAllowed``
    when ``by`` holds no active researcher role, ``InvalidStudyInput`` for an empty name or
    information text, or months that are not a whole number from 0 to
    :data:`~alliantiemonitor.research.models.KEEP_AFTER_ERASURE_MAX_MONTHS`.
    """
    if not _holds_role(by, Role.RESEARCHER):
        raise NotAllowed
    study = Study(
        keep_after_erasure_months=_keep_months(keep_after_erasure_months),
        name=_required_text(name, "name"),
        information_text=_required_text(information_text, "information_text"),
        description=(description or "").strip(),
        protocol=(protocol or "").strip(),
        created_by=by,
    )
    study.full_clean()
    study.save()
    study.researchers.add(by)
    audit_record(actor=by, action=Action.STUDY_CREATE, obj=study)
    return study


def _keep_months(months: int | None) -> int:
    months = 0 if months is None else months
    if (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not 0 <= months <= KEEP_AFTER_ERASURE_MAX_MONTHS
    ):
        raise InvalidStudyInput(field="keep_after_erasure_months")
    return months


@transaction.atomic
def study_update(
    *,
    study: Study,
    by: Any,
    name: str,
    information_text: str,
    description: str = "",
    protocol: str = "",
    keep_after_erasure_months: int | None = 0,
) -> Study:
    """Change what :func:`study_create` set; the caller checked that ``by`` manages the study.

    Audited as ``study.update`` with the names of the changed fields (and the months before
    and after); a changed client information goes through :func:`study_information_update`,
    so it gets the next version. A lower number of months applies to kept records at the next
    daily retention run. Raises ``InvalidStudyInput`` as :func:`study_create` does.
    """
    wanted: dict[str, object] = {
        "name": _required_text(name, "name"),
        "description": (description or "").strip(),
        "protocol": (protocol or "").strip(),
        "keep_after_erasure_months": _keep_months(keep_after_erasure_months),
    }
    text = _required_text(information_text, "information_text")
    locked = Study.objects.select_for_update().get(pk=study.pk)
    months_before = locked.keep_after_erasure_months
    changed = sorted(field for field, value in wanted.items() if getattr(locked, field) != value)
    if changed:
        for field in changed:
            setattr(locked, field, wanted[field])
        locked.full_clean()
        locked.save(update_fields=[*changed, "updated_at"])
        detail: dict[str, object] = {"changed": changed}
        if "keep_after_erasure_months" in changed:
            detail["keep_after_erasure_months"] = {
                "from": months_before,
                "to": locked.keep_after_erasure_months,
            }
        audit_record(actor=by, action=Action.STUDY_UPDATE, obj=locked, detail=detail)
    return study_information_update(study=locked, by=by, information_text=text)


@transaction.atomic
def study_status_set(*, study: Study, by: Any, status: str) -> Study:
    """Start a draft study or close an active one (``StatusChangeNotAllowed`` otherwise)."""
    locked = Study.objects.select_for_update().get(pk=study.pk)
    if status not in STATUS_NEXT.get(locked.status, frozenset()):
        raise StatusChangeNotAllowed
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by, action=Action.STUDY_STATUS_SET, obj=locked, detail={"from": before, "to": status}
    )
    study.status = status
    return locked


@transaction.atomic
def study_information_update(*, study: Study, by: Any, information_text: str) -> Study:
    """Replace the client information; its version goes up, so each answer names its text."""
    text = _required_text(information_text, "information_text")
    locked = Study.objects.select_for_update().get(pk=study.pk)
    if text == locked.information_text:
        return locked
    locked.information_text = text
    locked.information_version += 1
    locked.save(update_fields=["information_text", "information_version", "updated_at"])
    audit_record(
        actor=by,
        action=Action.STUDY_INFORMATION_UPDATE,
        obj=locked,
        detail={"version": locked.information_version},
    )
    return locked


def _phase_fields(
    *, kind: str, name: str, instruments: Sequence[str], timing_days: int, mode_notes: str
) -> dict[str, Any]:
    if kind not in PhaseKind.values:
        raise InvalidStudyInput(field="kind")
    # A phase asks plain questionnaires; the monitor itself runs in the measurement rounds.
    known = set(get_registry().ids(kind=QUESTIONNAIRE))
    chosen = list(dict.fromkeys(instruments))
    if any(instrument not in known for instrument in chosen):
        raise InvalidStudyInput(field="instruments")
    if not isinstance(timing_days, int) or isinstance(timing_days, bool) or timing_days < 0:
        raise InvalidStudyInput(field="timing_days")
    return {
        "kind": kind,
        "name": _required_text(name, "name"),
        "instruments": chosen,
        "timing_days": timing_days,
        "mode_notes": (mode_notes or "").strip(),
    }


@transaction.atomic
def study_phase_add(
    *,
    study: Study,
    by: Any,
    kind: str,
    name: str,
    instruments: Sequence[str],
    timing_days: int,
    mode_notes: str = "",
) -> StudyPhase:
    """Add a phase at the end of the study's protocol.

    Raises ``InvalidStudyInput`` for an unknown kind, an instrument that is not a plain
    questionnaire, an empty name or negative timing.
    """
    fields = _phase_fields(
        kind=kind,
        name=name,
        instruments=instruments,
        timing_days=timing_days,
        mode_notes=mode_notes,
    )
    # The study's row lock serialises two phases added at once (the order is unique).
    Study.objects.select_for_update().get(pk=study.pk)
    last = StudyPhase.objects.filter(study=study).aggregate(last=Max("order"))["last"] or 0
    phase = StudyPhase(study=study, order=last + 1, **fields)
    phase.full_clean()
    phase.save()
    audit_record(
        actor=by,
        action=Action.STUDY_PHASE_ADD,
        obj=phase,
        detail={"study": study.uuid, "order": phase.order, "kind": phase.kind},
    )
    return phase


@transaction.atomic
def study_phase_edit(
    *,
    phase: StudyPhase,
    by: Any,
    kind: str,
    name: str,
    instruments: Sequence[str],
    timing_days: int,
    mode_notes: str = "",
) -> StudyPhase:
    """Change a phase (its place in the order stays).

    Raises ``InvalidStudyInput`` as :func:`study_phase_add` does, and
    ``AnsweredQuestionnaireRemoved`` when a questionnaire that a trajectory already answered
    in this phase would be dropped (its answers would no longer belong to the phase).
    """
    fields = _phase_fields(
        kind=kind,
        name=name,
        instruments=instruments,
        timing_days=timing_days,
        mode_notes=mode_notes,
    )
    # The row lock is also taken by phase_response_submit: no answer to a questionnaire can
    # arrive between the check below and the change.
    locked = StudyPhase.objects.select_for_update().get(pk=phase.pk)
    removed = set(locked.instruments or []) - set(fields["instruments"])
    answered = [q for q in locked.answered_questionnaires() if q in removed]
    if answered:
        raise AnsweredQuestionnaireRemoved(
            _(
                "Already answered in this phase, so it cannot be removed (its answers would "
                "no longer belong to the phase): %(questionnaires)s."
            )
            % {"questionnaires": ", ".join(answered)},
            field="instruments",
            questionnaires=answered,
        )
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.full_clean()
    locked.save()
    audit_record(
        actor=by,
        action=Action.STUDY_PHASE_EDIT,
        obj=locked,
        detail={"study": locked.study.uuid, "order": locked.order, "kind": locked.kind},
    )
    return locked


# --------------------------------------------------------------------------- enrolment


@transaction.atomic
def study_enrol(
    *, study: Study, by: Any, organisation: Organisation, team: Team | None = None
) -> StudyEnrolment:
    """Ask ``organisation`` (or one ``team`` of it) to take part in ``study``.

    ``by`` must be a researcher of the study with an active researcher role in that
    organisation. The enrolment counts once an organisation admin agrees
    (:func:`study_enrolment_agree`); one asked by an admin of the organisation counts at once.
    Raises ``NotAllowed``, ``InvalidStudyInput`` (a team of another organisation),
    ``AlreadyEnrolled``, ``StudyNotActive`` (a closed study).
    """
    if not study.researchers.filter(pk=by.pk).exists() or not _holds_role(
        by, Role.RESEARCHER, organisation
    ):
        raise NotAllowed
    if study.status == StudyStatus.CLOSED:
        raise StudyNotActive
    if team is not None and team.organisation_id != organisation.pk:
        raise InvalidStudyInput(field="team")
    existing = StudyEnrolment.objects.filter(study=study, organisation=organisation)
    if existing.filter(team=team).exists() if team else existing.filter(team__isnull=True).exists():
        raise AlreadyEnrolled
    now = timezone.now()
    admin = _holds_role(by, Role.ORG_ADMIN, organisation)
    try:
        with transaction.atomic():
            enrolment = StudyEnrolment.objects.create(
                study=study,
                organisation=organisation,
                team=team,
                requested_by=by,
                agreed_by=by if admin else None,
                agreed_at=now if admin else None,
            )
    except IntegrityError as exc:  # asked twice at the same moment
        raise AlreadyEnrolled from exc
    audit_record(
        actor=by,
        action=Action.STUDY_ENROL,
        obj=enrolment,
        detail={"study": study.uuid, "team": team.uuid if team else None, "agreed": admin},
    )
    return enrolment


@transaction.atomic
def study_enrolment_agree(*, enrolment: StudyEnrolment, by: Any) -> StudyEnrolment:
    """An organisation admin agrees that the organisation (or team) takes part.

    Raises ``NotAllowed`` for anyone but an active admin of the enrolment's organisation.
    Agreeing twice changes nothing.
    """
    locked = StudyEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not _holds_role(by, Role.ORG_ADMIN, locked.organisation):
        raise NotAllowed
    if locked.is_agreed:
        return locked
    locked.agreed_by = by
    locked.agreed_at = timezone.now()
    locked.save(update_fields=["agreed_by", "agreed_at"])
    audit_record(
        actor=by,
        action=Action.STUDY_ENROLMENT_AGREE,
        obj=locked,
        detail={"study": locked.study.uuid, "team": locked.team.uuid if locked.team else None},
    )
    return locked


@transaction.atomic
def trajectory_enrol(*, study: Study, trajectory: Trajectory, by: Any) -> EnrolledTrajectory:
    """Enrol an active trajectory of an enrolled (and agreed) organisation or team.

    Gives it the client's study key. Raises ``StudyNotActive``, ``TrajectoryNotActive``,
    ``NotEnrolled``, ``AlreadyEnrolled``.
    """
    if not study.is_active:
        raise StudyNotActive
    locked = Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    if not locked.is_active:
        raise TrajectoryNotActive
    enrolment = (
        StudyEnrolment.objects.filter(study=study)
        .covering(locked)
        .order_by("team_id", "pk")  # the whole organisation first: the broader agreement
        .first()
    )
    if enrolment is None:
        raise NotEnrolled
    if EnrolledTrajectory.objects.filter(study=study, trajectory=locked).exists():
        raise AlreadyEnrolled
    enrolled = EnrolledTrajectory.objects.create(
        study=study,
        enrolment=enrolment,
        trajectory=locked,
        study_key=study_key(study, locked.client),
        enrolled_by=by,
    )
    audit_record(
        actor=by,
        action=Action.STUDY_TRAJECTORY_ENROL,
        obj=enrolled,
        detail={"study": study.uuid, "study_key": enrolled.study_key},
    )
    return enrolled


# --------------------------------------------------------------------------- consent


def consent_latest(enrolled: EnrolledTrajectory) -> ResearchConsent | None:
    """The newest consent record of ``enrolled`` (the one that decides), if any."""
    return enrolled.consents.order_by("-recorded_at", "-pk").first()


def consent_state(enrolled: EnrolledTrajectory) -> str:
    """``open``, ``given``, ``refused`` or ``withdrawn`` (a :class:`ConsentState`)."""
    latest = consent_latest(enrolled)
    return ConsentState.OPEN if latest is None else latest.state


@transaction.atomic
def consent_record(
    *,
    enrolled: EnrolledTrajectory,
    given: bool,
    mode: str,
    by: Any = None,
) -> ResearchConsent:
    """Record the client's answer: yes (``given``) or no, with the information version.

    ``by`` is the professional who records an answer given on paper or by telephone; without
    ``by`` the client answered in the client flow (``mode`` ``client_flow``). A new answer is
    a new record; earlier ones stay. Raises ``StudyNotActive``, ``InvalidStudyInput`` (a mode
    that does not fit who records).
    """
    if not isinstance(given, bool):
        raise InvalidStudyInput(field="given")
    if (by is None) != (mode == ConsentMode.CLIENT_FLOW) or (
        by is not None and mode not in STAFF_CONSENT_MODES
    ):
        raise InvalidStudyInput(field="mode")
    locked = (
        EnrolledTrajectory.objects.select_for_update(of=("self",))
        .select_related("study", "trajectory__client", "trajectory__organisation")
        .get(pk=enrolled.pk)
    )
    if not locked.study.is_active or locked.trajectory is None:
        raise StudyNotActive
    consent = ResearchConsent.objects.create(
        study=locked.study,
        enrolled=locked,
        given=given,
        recorded_at=timezone.now(),
        information_version=locked.study.information_version,
        recorded_by=by,
        by_client=by is None,
        mode=mode,
    )
    audit_record(
        actor=by,
        actor_kind=ActorKind.CLIENT if by is None else ActorKind.USER,
        action=Action.CONSENT_RECORD,
        obj=consent,
        detail={
            "study": locked.study.uuid,
            "study_key": locked.study_key,
            "given": given,
            "mode": mode,
            "information_version": consent.information_version,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, enrolled: EnrolledTrajectory, by: Any) -> ResearchConsent:
    """Withdraw the client's consent: a new state of the standing yes, not a delete.

    ``by`` is the professional the client told; ``None`` when the client withdrew
    themselves in the client flow (recorded as ``withdrawn_by_client``, like a consent the
    client gave there). The newest record, a yes, is marked withdrawn; from then on the
    trajectory is left out of :func:`consenting_trajectories`. Works in a closed study too
    (a client may always withdraw). Raises ``NothingToWithdraw`` when the newest answer is
    not a standing yes (so a second withdrawal changes nothing).
    """
    locked = (
        EnrolledTrajectory.objects.select_for_update(of=("self",))
        .select_related("study")
        .get(pk=enrolled.pk)
    )
    latest = consent_latest(locked)
    if latest is None or latest.state != ConsentState.GIVEN:
        raise NothingToWithdraw
    latest.withdrawn_at = timezone.now()
    latest.withdrawn_by = by
    latest.withdrawn_by_client = by is None
    latest.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_by_client"])
    audit_record(
        actor=by,
        actor_kind=ActorKind.CLIENT if by is None else ActorKind.USER,
        action=Action.CONSENT_WITHDRAW,
        obj=latest,
        detail={
            "study": locked.study.uuid,
            "study_key": locked.study_key,
            "by_client": by is None,
        },
    )
    return latest


# --------------------------------------------------------------------------- reading


def consenting_trajectories(study: Study) -> EnrolledTrajectoryQuerySet:
    """The enrolled trajectories of ``study`` whose data research may use.

    The newest consent record says yes and was not withdrawn, and the client's data still
    exist. This is the ONLY query an export or analysis may start from.
    """
    return (
        EnrolledTrajectory.objects.filter(study=study, trajectory__isnull=False)
        .consenting()
        .order_by("study_key", "pk")
    )


@dataclass(frozen=True)
class StudyCounts:
    enrolled: int
    given: int
    refused: int
    withdrawn: int
    open: int


def study_counts(study: Study, enrolment: StudyEnrolment | None = None) -> StudyCounts:
    """How many trajectories are enrolled, and where their consent stands."""
    rows = EnrolledTrajectory.objects.filter(study=study)
    if enrolment is not None:
        rows = rows.filter(enrolment=enrolment)
    counts = dict.fromkeys(ConsentState.values, 0)
    for given, withdrawn_at in rows.with_consent_state().values_list(
        "consent_given", "consent_withdrawn_at"
    ):
        if given is None:
            counts[ConsentState.OPEN] += 1
        elif not given:
            counts[ConsentState.REFUSED] += 1
        elif withdrawn_at is not None:
            counts[ConsentState.WITHDRAWN] += 1
        else:
            counts[ConsentState.GIVEN] += 1
    return StudyCounts(
        enrolled=sum(counts.values()),
        given=counts[ConsentState.GIVEN],
        refused=counts[ConsentState.REFUSED],
        withdrawn=counts[ConsentState.WITHDRAWN],
        open=counts[ConsentState.OPEN],
    )


@dataclass(frozen=True)
class TrajectoryStudy:
    """An active study that takes in a trajectory, and where the trajectory stands in it."""

    study: Study
    enrolled: EnrolledTrajectory | None
    state: str | None
    #: The newest consent record (the one that decides): who recorded it, and when.
    consent: ResearchConsent | None = None


def studies_for_trajectory(trajectory: Trajectory) -> list[TrajectoryStudy]:
    """The studies a trajectory is in, or could be enrolled in (its organisation or team is).

    Active studies with an agreed enrolment covering it, and any study it was enrolled in
    (so that a consent can still be withdrawn after the study closed).
    """
    covering = StudyEnrolment.objects.covering(trajectory).filter(study__status=StudyStatus.ACTIVE)
    enrolled = {
        row.study_id: row
        for row in EnrolledTrajectory.objects.filter(trajectory=trajectory).select_related("study")
    }
    studies = Study.objects.filter(pk__in=covering.values("study")) | Study.objects.filter(
        pk__in=list(enrolled)
    )
    found = []
    for study in studies.distinct().order_by("name", "pk"):
        row = enrolled.get(study.pk)
        latest = consent_latest(row) if row else None
        state = (latest.state if latest else ConsentState.OPEN) if row else None
        found.append(TrajectoryStudy(study, row, state, latest))
    return found
