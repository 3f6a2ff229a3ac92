"""Who may reach a study or an enrolment: the rules of :mod:`alliantiemonitor.permissions`.

A study exists only for its own researchers (404 for everyone else, so not even its name
leaks); its pages show study keys and counts, never a client's name or answers. An enrolment
awaiting agreement exists only for the admins of its organisation.
"""

from __future__ import annotations

from typing import Any

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.research.models import (
    EnrolledTrajectory,
    Study,
    StudyEnrolment,
    StudyQuerySet,
)


def studies_for(user: Any, perm: str = Perm.STUDY_VIEW) -> StudyQuerySet:
    """The studies ``user`` may open (or change, with ``perm``)."""
    return policy.scoped(user, perm, Study.objects.all())


def require_researcher(user: Any) -> None:
    """Refuse the study pages (403) to users without an active researcher role anywhere."""
    policy.require(user, Perm.STUDY_CREATE)


def get_study_for(
    user: Any,
    uuid: Any,
    *,
    perm: str = Perm.STUDY_VIEW,
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Study:
    """The study with public id ``uuid`` if ``user`` is one of its researchers; else 404."""
    return policy.get_for(user, perm, Study.objects.all(), uuid, action=action, detail=detail)


def manages_study(user: Any, study: Study) -> bool:
    """Whether ``user`` may change ``study`` (one of its researchers, role active)."""
    return studies_for(user, Perm.STUDY_MANAGE).filter(pk=study.pk).exists()


def enrolments_to_agree(user: Any) -> Any:
    """The enrolments of the organisations ``user`` administers (agreed or not)."""
    return policy.scoped(
        user,
        Perm.STUDY_ENROLMENT_AGREE,
        StudyEnrolment.objects.select_related("study", "organisation", "team"),
        through="organisation",
    )


def require_enrolment_admin(user: Any) -> None:
    """Refuse the enrolment page (403) to users who administer no organisation."""
    policy.require(user, Perm.STUDY_ENROLMENT_AGREE)


def get_enrolment_for_admin(user: Any, uuid: Any) -> StudyEnrolment:
    """An enrolment of an organisation ``user`` administers; else 404."""
    return policy.get_for(
        user,
        Perm.STUDY_ENROLMENT_AGREE,
        StudyEnrolment.objects.select_related("study", "organisation", "team"),
        uuid,
        through="organisation",
    )


def get_enrolled_for_entry(user: Any, study: Study, study_key: str) -> EnrolledTrajectory | None:
    """The consenting enrolled trajectory of ``study`` with ``study_key``, for typing in answers.

    ``study`` must come from :func:`get_study_for` with ``Perm.STUDY_MANAGE``. Only a
    trajectory whose consent stands (and whose client's data still exist) is found, so a
    researcher learns nothing about the others; ``None`` otherwise. A find is recorded in the
    audit log as the researcher opening that trajectory's research record (by study key).
    """
    enrolled = (
        EnrolledTrajectory.objects.filter(
            study=study, study_key=study_key, trajectory__isnull=False
        )
        .consenting()
        .select_related("study", "trajectory__organisation")
        .first()
    )
    if enrolled is not None:
        audit_record(
            actor=user,
            action=Action.STUDY_TRAJECTORY_VIEW,
            obj=enrolled,
            detail={"study": study.uuid, "study_key": study_key, "page": "phase_entry"},
        )
    return enrolled
