"""What the research services refuse, with a message a view can show as it is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class StudyNotActive(DomainError):
    code = "study_not_active"
    default_message = _("This study is not active: nothing can be enrolled or recorded.")


class StatusChangeNotAllowed(DomainError):
    code = "study_status_change"
    default_message = _("A draft study can start, and an active study can close; nothing else.")


class NotEnrolled(DomainError):
    code = "not_enrolled"
    default_message = _(
        "This trajectory's organisation or team does not take part in this study (or the "
        "organisation has not agreed yet)."
    )


class TrajectoryNotActive(DomainError):
    code = "trajectory_not_active"
    default_message = _("Only an active trajectory can be enrolled.")


class AlreadyEnrolled(DomainError):
    code = "already_enrolled"
    default_message = _("This is already enrolled in the study.")


class NothingToWithdraw(DomainError):
    code = "nothing_to_withdraw"
    default_message = _("There is no consent to withdraw.")


class NoResearchConsent(DomainError):
    code = "no_research_consent"
    default_message = _(
        "This trajectory has no standing research consent: no research answers can be recorded."
    )


class QuestionnaireNotInPhase(DomainError):
    code = "questionnaire_not_in_phase"
    default_message = _("This questionnaire is not part of this phase of the study.")


class AnsweredQuestionnaireRemoved(DomainError):
    """A phase change would drop a questionnaire that trajectories already answered in it."""

    code = "answered_questionnaire_removed"
    default_message = _(
        "A questionnaire that was already answered in this phase cannot be removed: its "
        "answers would no longer belong to the phase."
    )


class InvalidAnswers(DomainError):
    code = "invalid_answers"
    default_message = _("Some answers are not valid; nothing was saved.")


class NotAllowed(DomainError):
    code = "not_allowed"
    default_message = _("You may not do this.")


class InvalidStudyInput(DomainError):
    code = "invalid_study_input"
    default_message = _("The input is not valid.")


class FollowUpFileError(DomainError):
    """The follow-up file cannot be read at all; the message says why (nothing is stored)."""

    code = "followup_file"
    default_message = _("The file cannot be read.")


class FollowUpAlreadyApplied(DomainError):
    code = "followup_already_applied"
    default_message = _("This file was already imported; nothing changed.")


class FollowUpExpired(DomainError):
    code = "followup_expired"
    default_message = _("This dry run is too old to confirm. Upload the file again.")


class InvalidSampleInput(DomainError):
    code = "invalid_sample_input"
    default_message = _("Ask for at least one dyad, and no more than 500 per pattern.")
