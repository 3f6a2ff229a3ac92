"""Writing measurement rounds, responses and invitations, and the blind rule that guards them.

The round state machine::

    open ─┬─ client submits ──────► client_done ───────┐
          └─ professional submits ► professional_done ─┴─ other side submits ─► both_done
    both_done ── conversation held ──► discussed            (conversations.services)
    client_done / professional_done / both_done / discussed ── round_close ──► closed
    open / client_done / professional_done ── round_cancel ──► cancelled
    open / client_done / professional_done, past due date + grace ── rounds_expire ──► expired

A trajectory has at most one round in which answers are still collected (open, client_done,
professional_done): a new round can start once the previous one is both_done or further.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from alliantiemonitor.audit.constants import ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.measurements.constants import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_LIFETIME,
    COLLECTING_STATES,
    EXPIRY_GRACE,
    FINAL_STATES,
    LINK_LIFETIME,
    MODES_BY_RATER,
    InvitationKind,
    Rater,
    RoundState,
)
from alliantiemonitor.measurements.exceptions import (
    AlreadySubmitted,
    InvalidAnswers,
    InvalidCorrection,
    InvalidInvitation,
    InvalidRespondent,
    InvalidTransition,
    InvitationNotAllowed,
    NothingToSubmit,
    RoundNotAllowed,
    RoundNotOpen,
    RoundStillOpen,
    UnknownInstrument,
)
from alliantiemonitor.measurements.models import Invitation, MeasurementRound, Response
from alliantiemonitor.organisations.constants import EASY_READ_INSTRUMENT
from alliantiemonitor.trajectories.models import Trajectory

# --- helpers ------------------------------------------------------------------------------


def _registry() -> Any:
    from alliantiemonitor.instruments.registry import get_registry

    return get_registry()


def _pinned_instrument(round: MeasurementRound) -> Instrument:
    try:
        return _registry().get(round.instrument_id, version=round.instrument_version)
    except KeyError as exc:
        raise UnknownInstrument(ref=round.instrument_ref) from exc


def _lock_round(round: MeasurementRound) -> MeasurementRound:
    """Refresh ``round`` in place under a row lock: submissions and transitions on it queue
    up, and the caller's instance shows the result."""
    round.refresh_from_db(from_queryset=MeasurementRound.objects.select_for_update())
    return round


def _is_assignee(trajectory: Trajectory, user: Any) -> bool:
    """Whether ``user`` holds the latest assignment of ``trajectory``."""
    return user is not None and (
        Trajectory.objects.assigned_to(user).filter(pk=trajectory.pk).exists()
    )


def _check_rater(rater: str) -> None:
    if rater not in Rater.values:
        raise InvalidAnswers(problems=[f"unknown rater {rater!r}"])


def _check_respondent(round: MeasurementRound, rater: str, respondent: Any) -> None:
    if rater == Rater.CLIENT:
        if respondent is not None:
            raise InvalidRespondent()
    elif not _is_assignee(round.trajectory, respondent):
        raise InvalidRespondent()


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def validate_answers(
    instrument: Instrument,
    rater: str,
    answers: Any,
    flagged: Any = None,
) -> list[str]:
    """Every problem with ``answers`` (and ``flagged``) for ``rater`` on ``instrument``.

    Answers are a mapping of item id to a scale value or ``None``; the items must be the
    rater's own. An empty list means the answers can be stored.
    """
    problems: list[str] = []
    own_items = {item.id for item in instrument.items_for(rater)}  # type: ignore[arg-type]
    values = set(instrument.scale.values)
    if not isinstance(answers, Mapping):
        return ["answers must be a mapping of item id to value"]
    for item_id, value in answers.items():
        if item_id not in own_items:
            problems.append(f"item {item_id!r} is not a {rater} item of {instrument.ref}")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value not in values
        ):
            problems.append(f"item {item_id!r}: {value!r} is not on the scale")
    if flagged is not None:
        if isinstance(flagged, str) or not isinstance(flagged, Sequence):
            problems.append("flagged must be a list of item ids")
        else:
            problems.extend(
                f"flagged item {item_id!r} is not a {rater} item of {instrument.ref}"
                for item_id in flagged
                if item_id not in own_items
            )
    return problems


# --- rounds -------------------------------------------------------------------------------


@transaction.atomic
def round_start(
    *,
    trajectory: Trajectory,
    by: Any,
    instrument_id: str | None = None,
    version: str | None = None,
    due_date: dt.date | None = None,
) -> MeasurementRound:
    """Open a measurement round in ``trajectory`` and pin its instrument variant and version.

    The variant defaults to ``eenvoudig`` for a client who prefers easy-read, else to the
    organisation's default; the version defaults to the latest one. The pin never changes
    afterwards, whatever versions are added later. ``after_handover`` is set when the
    trajectory changed professional since the previous round (or since its start).

    Refuses with :class:`RoundNotAllowed` on an ended trajectory or one without an assigned
    professional, with :class:`RoundStillOpen` while another round still collects answers,
    and with :class:`UnknownInstrument` for a variant or version the registry lacks.
    """
    trajectory.refresh_from_db(from_queryset=Trajectory.objects.select_for_update())
    if not trajectory.is_active:
        raise RoundNotAllowed(trajectory=trajectory.uuid)
    if MeasurementRound.objects.for_trajectory(trajectory).collecting().exists():
        raise RoundStillOpen(trajectory=trajectory.uuid)
    assignment = trajectory.current_assignment
    if assignment is None:
        raise RoundNotAllowed(trajectory=trajectory.uuid)
    if instrument_id is None:
        instrument_id = (
            EASY_READ_INSTRUMENT
            if trajectory.client.easy_read
            else trajectory.organisation.default_instrument
        )
    try:
        instrument = _registry().get(instrument_id, version=version)
    except KeyError as exc:
        raise UnknownInstrument(instrument_id=instrument_id, version=version) from exc

    previous = (
        MeasurementRound.objects.for_trajectory(trajectory).order_by("-opened_at", "-pk").first()
    )
    handovers = trajectory.assignments.handovers()
    if previous is not None:
        handovers = handovers.filter(start__gt=previous.opened_at)
    measurement_round = MeasurementRound.objects.create(
        trajectory=trajectory,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        domain=trajectory.organisation.domain,
        opened_by=by,
        opened_at=timezone.now(),
        due_date=due_date,
        after_handover=handovers.exists(),
        professional=assignment.professional,
    )
    audit_record(
        actor=by,
        action="round.start",
        obj=measurement_round,
        detail={
            "instrument": measurement_round.instrument_ref,
            "after_handover": measurement_round.after_handover,
        },
    )
    return measurement_round


def _submitted_raters(round: MeasurementRound) -> set[str]:
    return set(round.responses.current().submitted().values_list("rater", flat=True))


@transaction.atomic
def round_close(*, round: MeasurementRound, by: Any) -> MeasurementRound:
    """Close ``round``; allowed once at least one party submitted.

    Closing without one side is how a round ends when a party will not fill in: from then on
    both parties see what was submitted (the blind rule).
    """
    round = _lock_round(round)
    if round.state in FINAL_STATES or not _submitted_raters(round):
        raise InvalidTransition(state=round.state)
    previous_state = round.state
    round.state = RoundState.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["state", "closed_at", "updated_at"])
    audit_record(actor=by, action="round.close", obj=round, detail={"from": previous_state})
    return round


@transaction.atomic
def round_cancel(*, round: MeasurementRound, by: Any) -> MeasurementRound:
    """Cancel ``round`` while answers are still being collected; what was answered stays."""
    round = _lock_round(round)
    if round.state not in COLLECTING_STATES:
        raise InvalidTransition(state=round.state)
    previous_state = round.state
    round.state = RoundState.CANCELLED
    round.closed_at = timezone.now()
    round.save(update_fields=["state", "closed_at", "updated_at"])
    audit_record(actor=by, action="round.cancel", obj=round, detail={"from": previous_state})
    return round


def rounds_expire(now: dt.datetime | None = None, *, grace: dt.timedelta = EXPIRY_GRACE) -> int:
    """Expire rounds still collecting answers once their due date plus ``grace`` has passed.

    Idempotent and safe to run on several machines at once (locked rows are skipped: another
    worker is handling them). Returns how many rounds this call expired.
    """
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - grace
    expired = 0
    with transaction.atomic():
        overdue = MeasurementRound.objects.overdue(cutoff).select_for_update(skip_locked=True)
        for measurement_round in overdue.select_related("trajectory"):
            previous_state = measurement_round.state
            measurement_round.state = RoundState.EXPIRED
            measurement_round.closed_at = now
            measurement_round.save(update_fields=["state", "closed_at", "updated_at"])
            audit_record(
                actor=None,
                action="round.expire",
                obj=measurement_round,
                detail={"from": previous_state, "due_date": measurement_round.due_date},
            )
            expired += 1
    return expired


# --- responses ----------------------------------------------------------------------------


@transaction.atomic
def response_save_answers(
    *,
    round: MeasurementRound,
    rater: str,
    answers: Mapping[str, int | None],
    mode: str,
    flagged: Sequence[str] | None = None,
    respondent: Any = None,
    by: Any = None,
) -> Response:
    """Merge ``answers`` into ``rater``'s draft in ``round`` (autosave) and return the draft.

    Creates the draft on first save. ``flagged`` (when given) replaces the list of items to
    discuss. ``respondent`` is the assigned professional for ``rater="professional"`` and
    ``None`` for the client; ``by`` is a staff user typing in for the client (paper entry).

    Nothing is changed when a rule refuses: :class:`InvalidAnswers` for an item that is not
    this rater's or a value off the scale, :class:`AlreadySubmitted` after submit,
    :class:`RoundNotOpen` when the round no longer collects answers,
    :class:`InvalidRespondent` when the professional side is not the assignee's.
    """
    _check_rater(rater)
    if mode not in MODES_BY_RATER[Rater(rater)]:
        raise InvalidAnswers(problems=[f"mode {mode!r} is not possible for the {rater}"])
    round = _lock_round(round)
    response = round.responses.current().by_rater(rater).first()
    if response is not None and response.is_submitted:
        raise AlreadySubmitted()
    if not round.is_collecting:
        raise RoundNotOpen(state=round.state)
    _check_respondent(round, rater, respondent)
    problems = validate_answers(_pinned_instrument(round), rater, answers, flagged)
    if problems:
        raise InvalidAnswers(problems=problems)

    if response is None:
        response = Response(round=round, rater=rater, started_at=timezone.now())
        created = True
    else:
        created = False
    response.answers = {**response.answers, **answers}
    if flagged is not None:
        response.flagged = list(dict.fromkeys(flagged))
    response.mode = mode
    response.respondent = respondent
    response.save()
    if created:
        audit_record(
            actor=by or respondent,
            actor_kind=ActorKind.USER if (by or respondent) else ActorKind.CLIENT,
            action="response.start",
            obj=response,
            detail={"rater": rater, "mode": mode},
        )
    return response


_STATE_AFTER_SUBMIT = {
    (RoundState.OPEN, Rater.CLIENT): RoundState.CLIENT_DONE,
    (RoundState.OPEN, Rater.PROFESSIONAL): RoundState.PROFESSIONAL_DONE,
    (RoundState.PROFESSIONAL_DONE, Rater.CLIENT): RoundState.BOTH_DONE,
    (RoundState.CLIENT_DONE, Rater.PROFESSIONAL): RoundState.BOTH_DONE,
}


@transaction.atomic
def response_submit(
    *,
    round: MeasurementRound,
    rater: str,
    respondent: Any = None,
    by: Any = None,
) -> Response:
    """Submit ``rater``'s draft in ``round``, exactly once, and advance the round's state.

    The round row is locked, so two simultaneous submits queue up and the second one raises
    :class:`AlreadySubmitted` (a view shows this calmly as "already sent"). Raises
    :class:`NothingToSubmit` when nothing was saved yet, :class:`RoundNotOpen` when the round
    no longer collects answers and :class:`InvalidRespondent` for the wrong professional.
    """
    _check_rater(rater)
    round = _lock_round(round)
    response = round.responses.current().by_rater(rater).first()
    if response is not None and response.is_submitted:
        raise AlreadySubmitted()
    if not round.is_collecting:
        raise RoundNotOpen(state=round.state)
    if response is None:
        raise NothingToSubmit()
    if rater == Rater.PROFESSIONAL:
        respondent = respondent or response.respondent
    _check_respondent(round, rater, respondent)
    next_state = _STATE_AFTER_SUBMIT.get((RoundState(round.state), Rater(rater)))
    if next_state is None:  # pragma: no cover - the current response would be submitted
        raise InvalidTransition(state=round.state)

    response.respondent = respondent
    response.submitted_at = timezone.now()
    response.save(update_fields=["respondent", "submitted_at", "updated_at"])
    round.state = next_state
    round.save(update_fields=["state", "updated_at"])
    actor = by or respondent
    audit_record(
        actor=actor,
        actor_kind=ActorKind.USER if actor else ActorKind.CLIENT,
        action="response.submit",
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
    both the original submit and this correction. Only the assigned professional corrects.
    """
    reason = reason.strip()
    round = _lock_round(response.round)
    response.refresh_from_db(from_queryset=Response.objects.select_for_update())
    old = response
    if not old.is_current or not old.is_submitted or not reason:
        raise InvalidCorrection()
    if round.state == RoundState.CANCELLED:
        raise RoundNotOpen(state=round.state)
    if not _is_assignee(round.trajectory, by):
        raise InvalidRespondent()
    problems = validate_answers(_pinned_instrument(round), old.rater, answers)
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
    audit_record(
        actor=by,
        action="response.correct",
        obj=new,
        detail={
            "supersedes": old.uuid,
            "version": new.version,
            "items": sorted(answers),
        },
    )
    return new


# --- the blind rule -----------------------------------------------------------------------


def round_answers_visible(round: MeasurementRound) -> bool:
    """Whether both parties may now see each other's answers in ``round``.

    True when both have submitted, or when the round was discussed or closed with at least one
    submitted side. Until then each party only sees their own answers.
    """
    submitted = _submitted_raters(round)
    if len(submitted) == len(Rater.values):
        return True
    return round.state in {RoundState.DISCUSSED, RoundState.CLOSED} and bool(submitted)


def _visible_responses(round: MeasurementRound, own_side: str) -> Any:
    other_side = Rater.CLIENT if own_side == Rater.PROFESSIONAL else Rater.PROFESSIONAL
    current = round.responses.current().select_related("respondent")
    if round_answers_visible(round):
        return current.filter(rater=own_side) | current.filter(rater=other_side).submitted()
    return current.filter(rater=own_side)


def responses_visible_to_professional(round: MeasurementRound, user: Any) -> Any:
    """The current responses in ``round`` that ``user`` may read, as a QuerySet.

    The assigned professional sees their own side (draft or submitted) and the client's
    submitted side once the blind rule allows; anyone else sees nothing.
    """
    if not _is_assignee(round.trajectory, user):
        return Response.objects.none()
    return _visible_responses(round, Rater.PROFESSIONAL)


def responses_visible_to_client(round: MeasurementRound) -> Any:
    """The current responses in ``round`` the client may read: their own, and the other side's
    once the blind rule allows."""
    return _visible_responses(round, Rater.CLIENT)


# --- invitations --------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def invitation_create(
    *,
    round: MeasurementRound,
    kind: str,
    by: Any,
    lifetime: dt.timedelta | None = None,
) -> tuple[Invitation, str]:
    """Make an invitation for the client's side of ``round``; return it with its secret.

    A ``link`` carries a long random token (for a URL or QR code, valid 14 days by default);
    a ``code`` is 8 characters from an unambiguous alphabet to type in during a session
    (valid 30 minutes by default). Only a SHA-256 hash of the secret is stored: show the
    secret now, it cannot be recovered later. Raises :class:`InvitationNotAllowed` when the
    round no longer collects answers or the client has already submitted.
    """
    if kind not in InvitationKind.values:
        raise InvitationNotAllowed(kind=kind)
    round = _lock_round(round)
    if not round.is_collecting or Rater.CLIENT in _submitted_raters(round):
        raise InvitationNotAllowed(state=round.state)
    now = timezone.now()
    invitation = Invitation(round=round, kind=kind, created_by=by)
    if kind == InvitationKind.LINK:
        secret = secrets.token_urlsafe(32)
        invitation.token_hash = _secret_hash(secret)
        invitation.expires_at = now + (lifetime or LINK_LIFETIME)
    else:
        # 25**8 codes: a collision with a stored one is rare, but then draw again.
        secret = _new_code()
        while Invitation.objects.filter(code_hash=_secret_hash(secret)).exists():
            secret = _new_code()  # pragma: no cover
        invitation.code_hash = _secret_hash(secret)
        invitation.expires_at = now + (lifetime or CODE_LIFETIME)
    invitation.save()
    audit_record(
        actor=by,
        action="invitation.create",
        obj=invitation,
        detail={"kind": kind, "expires_at": invitation.expires_at},
    )
    return invitation, secret


@transaction.atomic
def invitation_resolve(*, secret: str, now: dt.datetime | None = None) -> Invitation:
    """The invitation that ``secret`` (a link token or a typed code) opens.

    Raises :class:`InvalidInvitation` with ``reason`` ``unknown``, ``expired``, ``revoked`` or
    ``round_closed`` (closed, expired or cancelled round). A successful use is recorded in
    ``last_used_at`` and in the audit log. Rate limiting belongs to the view.
    """
    now = now or timezone.now()
    secret = (secret or "").strip()
    if not secret:
        raise InvalidInvitation(InvalidInvitation.UNKNOWN)
    invitation = (
        Invitation.objects.select_related("round__trajectory__client")
        .filter(token_hash=_secret_hash(secret))
        .first()
    ) or (
        Invitation.objects.select_related("round__trajectory__client")
        .filter(code_hash=_secret_hash(_normalise_code(secret)))
        .first()
    )
    if invitation is None:
        raise InvalidInvitation(InvalidInvitation.UNKNOWN)
    if invitation.revoked_at is not None:
        raise InvalidInvitation(InvalidInvitation.REVOKED)
    if invitation.expires_at <= now:
        raise InvalidInvitation(InvalidInvitation.EXPIRED)
    if invitation.round.state in FINAL_STATES:
        raise InvalidInvitation(InvalidInvitation.ROUND_CLOSED)
    invitation.last_used_at = now
    invitation.save(update_fields=["last_used_at"])
    audit_record(actor=None, actor_kind=ActorKind.CLIENT, action="invitation.use", obj=invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Any) -> Invitation:
    """Revoke ``invitation`` so its secret no longer opens anything (idempotent)."""
    invitation.refresh_from_db(from_queryset=Invitation.objects.select_for_update())
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="invitation.revoke", obj=invitation)
    return invitation
