"""Saving, submitting and correcting responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import clean_choice, clean_text
from alliantiemonitor.core.instrument import as_rater
from alliantiemonitor.core.scoring import score_answers
from alliantiemonitor.measurements.constants import (
    MODES_BY_RATER,
    Presentation,
    Rater,
    ResponseMode,
    RoundState,
)
from alliantiemonitor.measurements.exceptions import (
    AlreadySubmitted,
    ClientAnswersNotCorrectable,
    DraftElsewhere,
    DraftOnOwnDevice,
    InvalidAnswers,
    InvalidCorrection,
    InvalidRespondent,
    InvalidTransition,
    NothingToSubmit,
    RoundNotOpen,
)
from alliantiemonitor.measurements.models import MeasurementRound, Response, ResponseScore
from alliantiemonitor.measurements.services._common import (
    check_rater,
    check_respondent,
    is_assignee,
    lock_round,
    validate_answers,
)


class _Unread:
    """The type of :data:`UNREAD`."""


#: ``seen`` of :func:`response_save_answers` when the caller has not read the draft.
UNREAD = _Unread()


def response_save_answers(
    *,
    round: MeasurementRound,
    rater: str,
    answers: Mapping[str, int | None],
    mode: str,
    flagged: Sequence[str] | None = None,
    respondent: Any = None,
    by: Any = None,
    entry: str | None = None,
    language: str | None = None,
    presentation: str | None = None,
    seen: Response | _Unread | None = UNREAD,
) -> Response:
    """Merge ``answers`` into ``rater``'s draft in ``round`` (autosave) and return the draft.

    ``entry`` is the public id of the invitation a client session came in with: a client
    draft is bound to the invitation it was begun through, and another invitation raises
    :class:`DraftElsewhere` (see :func:`response_restart`). ``None`` (a hand-over, paper entry,
    the services) does not bind. ``language`` is the language the statements were shown in;
    it must be one the instrument offers this rater, and is kept on the response, as is
    ``presentation`` (a :class:`Presentation`: a list, one per screen, the card game).

    Creates the draft on first save. ``flagged`` (when given) replaces the list of items to
    discuss. ``respondent`` is the assigned professional for ``rater="professional"`` and
    ``None`` for the client; ``by`` is a staff user typing in for the client (paper entry).

    Saving into an existing draft takes no lock: the draft is written only if it is still the
    current, unsent draft as it was read (a conditional update); otherwise the save starts
    again under the round's lock, as a first save and a new professional's draft always do.
    ``seen`` is ``rater``'s current response in ``round`` as the caller read it in this request,
    with the round's state read in the same query (``Response.objects.with_round_state()``, as
    the page's :class:`~alliantiemonitor.measurements.views.fill.Questionnaire` reads it): it
    spares reading them again, and is checked the same way. Without it the service reads them
    itself.
    :func:`response_submit` locks the draft it sends, so an answer saved meanwhile is either
    in the sent answers and their scores, or refused with :class:`AlreadySubmitted`.

    Nothing is changed when a rule refuses: :class:`InvalidAnswers` for an item that is not
    this rater's or a value off the scale, :class:`AlreadySubmitted` after submit,
    :class:`RoundNotOpen` when the round no longer collects answers,
    :class:`InvalidRespondent` when the professional side is not the assignee's,
    :class:`InvalidInput` for an ``entry`` that is no invitation's public id.
    """
    check_rater(rater)
    if not isinstance(mode, str) or mode not in MODES_BY_RATER[Rater(rater)]:
        raise InvalidAnswers(problems=[f"mode {mode!r} is not possible for the {rater}"])
    if entry is not None:
        entry = _clean_entry(entry)
    change = _DraftChange(answers, flagged, mode, respondent, by, entry, language, presentation)
    if isinstance(seen, _Unread):
        response = _current_unlocked(round, rater)
    elif seen is None:
        # No draft was there when the caller looked: the locked path reads again.
        response = None
    elif (
        isinstance(seen, Response)
        and seen.pk is not None
        and seen.round_id == round.pk
        and seen.rater == rater
        and seen.is_current
        and hasattr(seen, "round_state_now")
    ):
        # The round's state as it was when the draft was read, not when ``round`` was: a
        # round that ended in between has touched the draft (``rounds._end_drafts``), so
        # either both are seen as they are now or the conditional update finds the draft
        # changed and the save is refused under the lock.
        response = seen
        _take_round_state(round, response)
    else:
        raise ValueError(
            "seen must be the rater's current response in this round, read with_round_state(),"
            " or None"
        )
    if response is not None and not _is_other_professionals(response, respondent):
        # A transaction of its own (a savepoint inside a caller's): an UPDATE that waited for
        # another save and then found the draft changed still holds the draft's row lock
        # (PostgreSQL locks the newest version before it re-checks the condition). Rolling it
        # back lets that go, so that the locked path below takes the round first and the
        # draft second, as every writer does; holding the draft while waiting for the round
        # deadlocked against a locked save. Called outside a transaction (a page's autosave),
        # this is the whole save: one BEGIN and COMMIT, no savepoint.
        try:
            with transaction.atomic():
                saved = _draft_write(round, rater, response, change, locked=False)
                if saved is None:
                    raise _DraftChanged()
                return saved
        except _DraftChanged:
            pass
    with transaction.atomic():
        round = lock_round(round)
        response = round.responses.current().by_rater(rater).first()
        # Under the lock the write cannot find the draft changed: it writes or raises.
        return cast(Response, _draft_write(round, rater, response, change, locked=True))


class _DraftChanged(Exception):
    """The draft changed between the unlocked read and the write (rolls its write back)."""


@dataclass(frozen=True)
class _DraftChange:
    """What one save asks (the arguments of :func:`response_save_answers`)."""

    answers: Mapping[str, int | None]
    flagged: Sequence[str] | None
    mode: str
    respondent: Any
    by: Any
    entry: str | None
    language: str | None
    presentation: str | None


def _current_unlocked(round: MeasurementRound, rater: str) -> Response | None:
    """``rater``'s current response in ``round``, read without a lock, with the round's state
    as it is now (copied onto ``round``)."""
    response = (
        Response.objects.filter(round=round, rater=rater, is_current=True)
        .with_round_state()
        .first()
    )
    if response is not None:
        _take_round_state(round, response)
    return response


def _take_round_state(round: MeasurementRound, response: Response) -> None:
    """Copy the round's state read with ``response`` onto ``round`` (see ``with_round_state``)."""
    round.state = response.round_state_now  # type: ignore[attr-defined]
    response.round = round


def _is_other_professionals(response: Response, respondent: Any) -> bool:
    # A draft left by the previous professional (a handover mid-round) is theirs, not the new
    # professional's: it is kept for the record and a fresh one started (under the lock).
    return response.rater == Rater.PROFESSIONAL and response.respondent_id != getattr(
        respondent, "pk", None
    )


def _draft_write(
    round: MeasurementRound,
    rater: str,
    response: Response | None,
    change: _DraftChange,
    *,
    locked: bool,
) -> Response | None:
    """Check ``change`` against the rules and write it into the draft; see
    :func:`response_save_answers`. Unlocked, ``None`` when the draft changed since it was read."""
    if response is not None and response.is_submitted:
        raise AlreadySubmitted()
    if not round.is_collecting:
        raise RoundNotOpen(state=round.state)
    check_respondent(round, rater, change.respondent)
    if (
        rater == Rater.CLIENT
        and change.mode == ResponseMode.HANDED_OVER_DEVICE
        and client_draft_on_own_device(round)
    ):
        # The professional's device must never show or change what the client began alone.
        raise DraftOnOwnDevice()
    if (
        rater == Rater.CLIENT
        and response is not None
        and draft_begun_elsewhere(response, change.entry)
    ):
        raise DraftElsewhere()
    problems = validate_answers(round.instrument, rater, change.answers, change.flagged)
    offered = (
        round.instrument.client_language_choices
        if rater == Rater.CLIENT
        else round.instrument.languages
    )
    if change.language is not None and change.language not in offered:
        problems = [*problems, f"language {change.language!r} is not one of {', '.join(offered)}"]
    if change.presentation is not None and change.presentation not in Presentation.values:
        problems = [
            *problems,
            f"presentation {change.presentation!r} is not one of the presentations",
        ]
    if problems:
        raise InvalidAnswers(problems=problems)

    created = response is None or _is_other_professionals(response, change.respondent)
    if response is not None and created:
        response.is_current = False
        response.save(update_fields=["is_current", "updated_at"])
        response = Response(
            round=round,
            rater=rater,
            started_at=timezone.now(),
            version=response.version + 1,
            supersedes=response,
        )
    elif response is None:
        response = Response(round=round, rater=rater, started_at=timezone.now())
    values: dict[str, Any] = {
        "answers": {**response.answers, **change.answers},
        "mode": change.mode,
        "respondent": change.respondent,
    }
    if change.flagged is not None:
        values["flagged"] = list(dict.fromkeys(change.flagged))
    if rater == Rater.CLIENT and change.entry and not response.entry_key:
        values["entry_key"] = change.entry
    if change.language is not None:
        values["language"] = change.language
    if change.presentation is not None:
        values["presentation"] = change.presentation
    if locked:
        for name, value in values.items():
            setattr(response, name, value)
        response.save()
    else:
        values["updated_at"] = timezone.now()
        written = Response.objects.filter(
            pk=response.pk,
            is_current=True,
            submitted_at__isnull=True,
            updated_at=response.updated_at,
        ).update(**values)
        if not written:
            return None
        for name, value in values.items():
            setattr(response, name, value)
    # Every change of a draft is written down (which statements, never the answers), so that
    # who changed the client's draft and when can always be told afterwards.
    actor = change.by or change.respondent
    audit_record(
        actor=actor,
        actor_kind=ActorKind.USER if actor else ActorKind.CLIENT,
        action=Action.RESPONSE_START if created else Action.RESPONSE_SAVE,
        obj=response,
        detail={
            "rater": rater,
            "mode": change.mode,
            "items": sorted(change.answers),
            "flags_changed": change.flagged is not None,
        },
    )
    return response


def _clean_entry(entry: Any) -> str:
    # The public id of an invitation (a UUID): short, one line, what entry_key holds.
    return clean_text(entry, field=_("Invitation"), max_length=64)


def draft_begun_elsewhere(response: Response | None, entry: str | None) -> bool:
    """Whether the client draft ``response`` was begun through another invitation than
    ``entry`` (and so is neither shown nor changed in a session that came in with ``entry``)."""
    return (
        response is not None
        and entry is not None
        and response.rater == Rater.CLIENT
        and not response.is_submitted
        and bool(response.entry_key)
        and response.entry_key != entry
    )


@transaction.atomic
def response_restart(*, round: MeasurementRound, mode: str, entry: str) -> Response:
    """Let the client begin afresh through the invitation ``entry``; return the new draft.

    The draft begun through another invitation stays stored (no longer current) but is not
    shown here: whoever holds a new link or code cannot read what was answered before.
    Raises :class:`AlreadySubmitted` when the client has sent, :class:`RoundNotOpen` when the
    round no longer collects answers, :class:`InvalidInput` for a ``mode`` the client does not
    answer in or an ``entry`` that is no invitation's public id.
    """
    mode = clean_choice(mode, MODES_BY_RATER[Rater.CLIENT], field=_("Way of answering"))
    entry = _clean_entry(entry)
    round = lock_round(round)
    previous = round.responses.current().by_rater(Rater.CLIENT).first()
    if previous is not None and previous.is_submitted:
        raise AlreadySubmitted()
    if not round.is_collecting:
        raise RoundNotOpen(state=round.state)
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    response = Response.objects.create(
        round=round,
        rater=Rater.CLIENT,
        mode=mode,
        started_at=timezone.now(),
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
        entry_key=entry,
    )
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.RESPONSE_RESTART,
        obj=response,
        detail={"rater": Rater.CLIENT, "mode": mode, "superseded": bool(previous)},
    )
    return response


def client_draft_on_own_device(round: MeasurementRound) -> bool:
    """Whether the client has unsent answers that were not given on a handed-over device.

    Such a draft belongs to the client's own device (or link): a handed-over device — the
    professional's, logged in — may neither show it nor add to it (the blind rule).
    """
    draft = (
        round.responses.current()
        .filter(rater=Rater.CLIENT, submitted_at__isnull=True)
        .exclude(mode=ResponseMode.HANDED_OVER_DEVICE)
        .first()
    )
    return draft is not None and bool(draft.answers or draft.flagged)


_STATE_AFTER_SUBMIT = {
    (RoundState.OPEN, Rater.CLIENT): RoundState.CLIENT_DONE,
    (RoundState.OPEN, Rater.PROFESSIONAL): RoundState.PROFESSIONAL_DONE,
    (RoundState.PROFESSIONAL_DONE, Rater.CLIENT): RoundState.BOTH_DONE,
    (RoundState.CLIENT_DONE, Rater.PROFESSIONAL): RoundState.BOTH_DONE,
}


def _store_scores(response: Response, round: MeasurementRound) -> None:
    """Write ``response``'s score per characteristic, with the round's pinned instrument."""
    scores = score_answers(round.instrument, response.answers, as_rater(response.rater))
    ResponseScore.objects.bulk_create(
        ResponseScore(response=response, rater=response.rater, characteristic=key, value=value)
        for key, value in scores.items()
    )


@transaction.atomic
def response_submit(
    *,
    round: MeasurementRound,
    rater: str,
    respondent: Any = None,
    by: Any = None,
    entry: str | None = None,
) -> Response:
    """Submit ``rater``'s draft in ``round``, exactly once, and advance the round's state.

    A client session sends only a draft begun through its own invitation ``entry``
    (:class:`DraftElsewhere` otherwise; see :func:`response_save_answers`).

    The round row is locked, so two simultaneous submits queue up and the second one raises
    :class:`AlreadySubmitted` (a view shows this calmly as "already sent"). Raises
    :class:`NothingToSubmit` when nothing was saved yet, :class:`RoundNotOpen` when the round
    no longer collects answers and :class:`InvalidRespondent` for the wrong professional.
    """
    check_rater(rater)
    round = lock_round(round)
    # The draft is locked too: an autosave writes into it without the round's lock
    # (response_save_answers), and what is sent must be what is scored.
    response = round.responses.current().by_rater(rater).select_for_update().first()
    if response is not None and response.is_submitted:
        raise AlreadySubmitted()
    if not round.is_collecting:
        raise RoundNotOpen(state=round.state)
    if response is None:
        raise NothingToSubmit()
    if draft_begun_elsewhere(response, entry):
        raise DraftElsewhere()
    if rater == Rater.PROFESSIONAL:
        if respondent is not None and respondent.pk != response.respondent_id:
            raise InvalidRespondent()  # nobody sends another professional's draft as theirs
        respondent = response.respondent
    check_respondent(round, rater, respondent)
    next_state = _STATE_AFTER_SUBMIT.get((RoundState(round.state), Rater(rater)))
    if next_state is None:  # pragma: no cover - the current response would be submitted
        raise InvalidTransition(state=round.state)

    response.respondent = respondent
    response.submitted_at = timezone.now()
    response.save(update_fields=["respondent", "submitted_at", "updated_at"])
    _store_scores(response, round)
    round.state = next_state
    round.save(update_fields=["state", "updated_at"])
    actor = by or respondent
    audit_record(
        actor=actor,
        actor_kind=ActorKind.USER if actor else ActorKind.CLIENT,
        action=Action.RESPONSE_SUBMIT,
        obj=response,
        detail={"rater": rater, "round_state": next_state, "mode": response.mode},
    )
    return response


@transaction.atomic
def response_correct(
    *,
    response: Response,
    answers: Mapping[str, int | None],
    reason: str,
    by: Any,
) -> Response:
    """Correct a submitted response: store a new version with ``reason``; the old one stays.

    ``answers`` holds only the items that change; the rest is carried over. The new version is
    current and submitted; the old one is kept (no longer current) and the audit log holds
    both the original submit and this correction. Only the assigned professional corrects:
    their own answers, or a client's answers that they typed in from a paper form. A client's
    own answers are the client's: the professional neither reads them early (blind rule) nor
    rewrites them.

    Raises :class:`InvalidCorrection` without a reason, :class:`InvalidInput` for a reason
    that is not text or is longer than 500 characters.
    """
    reason = clean_text(
        reason, field=_("Reason for the correction"), max_length=500, multiline=True
    )
    round = lock_round(response.round)
    response.refresh_from_db(from_queryset=Response.objects.select_for_update())
    old = response
    if not old.is_current or not old.is_submitted or not reason:
        raise InvalidCorrection()
    if round.state == RoundState.CANCELLED:
        raise RoundNotOpen(state=round.state)
    if not is_assignee(round.trajectory, by):
        raise InvalidRespondent()
    if old.rater == Rater.CLIENT and old.mode != ResponseMode.PAPER_ENTRY:
        raise ClientAnswersNotCorrectable()
    problems = validate_answers(round.instrument, old.rater, answers)
    if problems:
        raise InvalidAnswers(problems=problems)

    now = timezone.now()
    old.is_current = False
    old.save(update_fields=["is_current", "updated_at"])
    new = Response.objects.create(
        round=round,
        rater=old.rater,
        respondent=old.respondent,
        answers={**old.answers, **answers},
        flagged=list(old.flagged),
        mode=old.mode,
        started_at=now,
        submitted_at=now,
        version=old.version + 1,
        supersedes=old,
        correction_reason=reason,
        is_current=True,
    )
    _store_scores(new, round)
    audit_record(
        actor=by,
        action=Action.RESPONSE_CORRECT,
        obj=new,
        detail={
            "supersedes": old.uuid,
            "version": new.version,
            "items": sorted(answers),
        },
    )
    return new
