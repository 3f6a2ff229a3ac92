"""Errors raised by the measurement services."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class RoundNotAllowed(DomainError):
    code = "round_not_allowed"
    default_message = _("A new measurement round cannot be started now.")


class RoundStillOpen(RoundNotAllowed):
    code = "round_still_open"
    default_message = _("The previous measurement round is still open. Close or cancel it first.")


class UnknownInstrument(DomainError):
    code = "unknown_instrument"
    default_message = _("This instrument variant or version is not available.")


class RoundNotOpen(DomainError):
    code = "round_not_open"
    default_message = _("This measurement round no longer accepts answers.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("This step is not possible in the current state of the round.")


class InvalidAnswers(DomainError):
    """Answers that do not fit the instrument; ``problems`` lists them, nothing was saved."""

    code = "invalid_answers"
    default_message = _("Some answers could not be saved. Nothing was changed.")

    def __init__(self, message: Any = None, *, problems: list[str] | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.problems = problems or []


class AlreadySubmitted(DomainError):
    code = "already_submitted"
    default_message = _("These answers have already been sent. Thank you!")


class NothingToSubmit(DomainError):
    code = "nothing_to_submit"
    default_message = _("There are no answers to send yet.")


class InvalidRespondent(DomainError):
    code = "invalid_respondent"
    default_message = _("Only the assigned professional can fill in the professional's side.")


class DraftOnOwnDevice(DomainError):
    code = "draft_on_own_device"
    default_message = _(
        "The client has already started on their own device: those answers stay there until "
        "they are sent, and are not shown or changed on a handed-over device."
    )


class DraftElsewhere(DomainError):
    code = "draft_elsewhere"
    default_message = _(
        "These answers were begun with another link or code; they are not shown or changed here."
    )


class InvalidCorrection(DomainError):
    code = "invalid_correction"
    default_message = _("Only sent answers can be corrected, and a reason is required.")


class ClientAnswersNotCorrectable(InvalidCorrection):
    code = "client_answers_not_correctable"
    default_message = _(
        "A client's own answers cannot be changed by the professional; only answers typed in "
        "from a paper form can be corrected."
    )


class InvalidInvitation(DomainError):
    """The secret does not open a response; ``reason`` says why (for logs and tests).

    The message shown to a client is the same for every reason, so a guesser learns nothing.
    """

    code = "invalid_invitation"
    default_message = _(
        "This link or code does not work (any more). Ask your professional for a new one."
    )
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ROUND_CLOSED = "round_closed"

    def __init__(self, reason: str, message: Any = None) -> None:
        super().__init__(message, reason=reason)
        self.reason = reason


class InvitationNotAllowed(DomainError):
    code = "invitation_not_allowed"
    default_message = _("No invitation can be made: the client's side is not open.")


class WrongPaperCode(DomainError):
    code = "wrong_paper_code"
    default_message = _(
        "This code does not belong to this form of this round, or a digit was mistyped. "
        "Check the code at the top of the paper form and type it again."
    )


class PaperEntryTooEarly(DomainError):
    code = "paper_entry_too_early"
    default_message = _(
        "Send your own side first. You type in the client's paper form after that, so that "
        "neither of you sees the other's answers before both are done."
    )


class PaperEntrySameTypist(DomainError):
    code = "paper_entry_same_typist"
    default_message = _(
        "You typed in this form already. A second person types it in again to check it."
    )


class PaperEntryNoMismatch(DomainError):
    code = "paper_entry_no_mismatch"
    default_message = _("There are no differences to resolve for this paper form.")


class PaperEntryInvalidVerifier(DomainError):
    code = "paper_entry_invalid_verifier"
    default_message = _(
        "This person cannot check the paper form: choose a professional of a team you share "
        "in this organisation."
    )


class PaperEntryNotFirstTypist(DomainError):
    code = "paper_entry_not_first_typist"
    default_message = _(
        "Only the person who typed in the paper form first can change who checks it."
    )
