"""Paper forms: the code on each form, and typing a client's paper form in (once or twice).

The blind rule (ARCHITECTURE, rule 1) holds for paper as on a screen: whoever types the
client's form in reads the client's answers, so typing in opens only once the professional's
own side is sent. A second person may type the form in again (double entry); the answers become
the client's response only when both typings agree, or when someone has looked at the paper and
decided every difference. The round row is locked, so two typists at once never make two
responses: the second one finds the first one's entry and becomes its check.

The second person is usually a colleague: the first typist names one (a professional of a team
they share in the trajectory's organisation), who may then open that round's entry screen and
nothing else of the trajectory (:data:`~alliantiemonitor.permissions.rules.Perm.PAPER_ENTRY_VERIFY`)
until the entry is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.core import paper_code
from alliantiemonitor.measurements.constants import Rater, ResponseMode, RoundState
from alliantiemonitor.measurements.exceptions import (
    AlreadySubmitted,
    InvalidAnswers,
    InvalidRespondent,
    InvalidTransition,
    PaperEntryInvalidVerifier,
    PaperEntryNoMismatch,
    PaperEntryNotFirstTypist,
    PaperEntrySameTypist,
    PaperEntryTooEarly,
    RoundNotOpen,
    WrongPaperCode,
)
from alliantiemonitor.measurements.models import (
    MeasurementRound,
    PaperEntry,
    PaperEntryState,
    Response,
)
from alliantiemonitor.measurements.services._common import (
    is_assignee,
    lock_round,
    validate_answers,
)
from alliantiemonitor.measurements.services.responses import response_submit
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm


def paper_form_code(round: MeasurementRound, rater: str) -> str:
    """The nine digits printed on ``rater``'s paper form of ``round`` (last: a check digit)."""
    return paper_code.form_code(round.uuid, Rater(rater).value)


def paper_code_check(*, round: MeasurementRound, rater: str, typed: Any) -> str:
    """The code ``typed`` from a paper form, if it is ``rater``'s form of ``round``.

    Raises :class:`WrongPaperCode` for anything else: a mistyped digit (the check digit does
    not fit), another round's or the other party's form, or no text at all.
    """
    code = paper_code.normalise(typed) if isinstance(typed, str) else ""
    if not paper_code.is_valid(code) or code != paper_form_code(round, rater):
        raise WrongPaperCode()
    return code


def paper_entry_may_start(round: MeasurementRound) -> None:
    """Raise why the client's paper form cannot be typed in now; nothing when it can."""
    if round.state in (RoundState.CLIENT_DONE, RoundState.BOTH_DONE):
        raise AlreadySubmitted()
    if not round.is_collecting:
        raise RoundNotOpen(state=round.state)
    if round.state != RoundState.PROFESSIONAL_DONE:
        raise PaperEntryTooEarly()


def paper_verifier_candidates(*, round: MeasurementRound, by: Any) -> QuerySet[Any]:
    """The colleagues ``by`` may name to type the client's paper form of ``round`` in again.

    Active accounts with an active professional role in a team of the trajectory's organisation
    that ``by`` is a professional in too; never ``by``. Ordered by name.
    """
    organisation = round.trajectory.organisation_id
    professionals = Membership.objects.active().professionals().filter(organisation=organisation)
    own_teams = professionals.for_user(by).values("teams")
    shared = professionals.filter(teams__in=own_teams)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=shared.values("user"))
        .exclude(pk=getattr(by, "pk", None))
        .order_by("first_name", "last_name", "username")
    )


def _check_verifier(round: MeasurementRound, verifier: Any, by: Any) -> None:
    if verifier is None:
        return
    pk = getattr(verifier, "pk", None)
    if pk is None or not paper_verifier_candidates(round=round, by=by).filter(pk=pk).exists():
        raise PaperEntryInvalidVerifier()


def _complete(instrument_items: list[str], answers: Mapping[str, Any]) -> dict[str, Any]:
    # Every statement is on paper: one left blank is "not answered", stored as None.
    return {item_id: answers.get(item_id) for item_id in instrument_items}


def _clean(round: MeasurementRound, answers: Any) -> dict[str, Any]:
    problems = validate_answers(round.instrument, Rater.CLIENT, answers)
    if problems:
        raise InvalidAnswers(problems=problems)
    items = [item.id for item in round.instrument.items_for("client")]
    return _complete(items, answers)


def _make_response(entry: PaperEntry, answers: dict[str, Any], by: Any) -> None:
    """Store ``answers`` as the client's sent response (mode paper entry)."""
    round = entry.round
    previous = round.responses.current().by_rater(Rater.CLIENT).first()
    if previous is not None:
        # An unsent start on the client's own device or link: the paper is what the client
        # handed in, so it counts; the draft stays stored, no longer current.
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    Response.objects.create(
        round=round,
        rater=Rater.CLIENT,
        answers=answers,
        mode=ResponseMode.PAPER_ENTRY,
        started_at=entry.first_at,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
    )
    entry.response = response_submit(round=round, rater=Rater.CLIENT, by=by)
    entry.state = PaperEntryState.FINAL


@transaction.atomic
def paper_entry_save(
    *,
    round: MeasurementRound,
    answers: Mapping[str, int | None],
    by: Any,
    verify: bool,
    verifier: Any = None,
) -> PaperEntry:
    """Store the client's paper form of ``round`` as typed in by ``by``; return the entry.

    The first typing is stored at once as the client's sent response, or — with ``verify`` —
    kept until a second person has typed the form in again: ``verifier``, the colleague the
    first typist names (see :func:`paper_verifier_candidates`; ``None``: nobody named yet), or
    whoever may act on the round. That second typing (by anyone but the first typist; ``verify``
    and ``verifier`` then do not matter) makes the response when both agree and otherwise leaves
    the entry in :attr:`PaperEntryState.MISMATCH` until :func:`paper_entry_resolve`. Answers not
    given count as "not answered".

    Raises :class:`PaperEntryTooEarly` before the professional's own side is sent,
    :class:`AlreadySubmitted` once the client's side is in, :class:`RoundNotOpen` when the
    round no longer collects answers, :class:`PaperEntrySameTypist` when the first typist types
    again, :class:`InvalidAnswers` for an item or value that does not fit, and
    :class:`~alliantiemonitor.measurements.exceptions.InvalidRespondent` for a user who may not
    act on the round (nor is its named verifier), and :class:`PaperEntryInvalidVerifier` for a
    ``verifier`` who may not be named.
    """
    round = lock_round(round)
    entry = PaperEntry.objects.filter(round=round).first()
    _check_typist(round, by, entry)
    paper_entry_may_start(round)
    clean = _clean(round, answers)
    now = timezone.now()
    if entry is None:
        entry = PaperEntry(
            round=round,
            state=PaperEntryState.AWAITING_SECOND,
            first_by=by,
            first_answers=clean,
            first_at=now,
        )
        detail: dict[str, Any] = {"items": len(clean)}
        if verify:
            _check_verifier(round, verifier, by)
            entry.verifier = verifier
            detail["verifier"] = verifier.uuid if verifier is not None else None
        else:
            entry.save()
            _make_response(entry, clean, by)
        return _store(entry, by, Action.PAPER_ENTRY_TYPE, detail)
    if entry.state != PaperEntryState.AWAITING_SECOND:
        # Typed twice already: the differences are resolved, not typed a third time.
        raise InvalidTransition(state=entry.state)
    if entry.first_by_id == by.pk:
        raise PaperEntrySameTypist()
    entry.second_by = by
    entry.second_answers = clean
    entry.second_at = now
    differences = entry.mismatches()
    if differences:
        entry.state = PaperEntryState.MISMATCH
    else:
        _make_response(entry, clean, by)
    return _store(entry, by, Action.PAPER_ENTRY_VERIFY, {"differences": len(differences)})


def _store(entry: PaperEntry, by: Any, action: str, detail: dict[str, Any]) -> PaperEntry:
    # How many, never which answers: the audit log holds no answers.
    entry.save()
    audit_record(actor=by, action=action, obj=entry, detail={"state": entry.state, **detail})
    return entry


@transaction.atomic
def paper_entry_resolve(
    *, entry: PaperEntry, answers: Mapping[str, int | None], by: Any
) -> PaperEntry:
    """Decide every difference between the two typings of ``entry`` from the paper; store it.

    ``answers`` holds what the paper says for each differing item (``None``: not answered);
    the other items were typed alike twice. Raises :class:`PaperEntryNoMismatch` when the entry
    has no differences (any more), :class:`InvalidAnswers` when an answer is missing for a
    difference or does not fit, and the errors of :func:`paper_entry_save` for the round.
    """
    round = lock_round(entry.round)
    entry.refresh_from_db(from_queryset=PaperEntry.objects.select_for_update())
    _check_typist(round, by, entry)
    if entry.state != PaperEntryState.MISMATCH:
        raise PaperEntryNoMismatch()
    paper_entry_may_start(round)
    differences = entry.mismatches()
    if not isinstance(answers, Mapping):
        raise InvalidAnswers(problems=["answers must be a mapping of item id to value"])
    problems = [f"item {i!r}: no answer chosen" for i in differences if i not in answers]
    problems += [f"item {i!r} was typed alike twice" for i in answers if i not in differences]
    if problems:
        raise InvalidAnswers(problems=problems)
    clean = _clean(round, {**entry.first_answers, **answers})
    entry.resolved_by = by
    _make_response(entry, clean, by)
    return _store(entry, by, Action.PAPER_ENTRY_RESOLVE, {"differences": len(differences)})


@transaction.atomic
def paper_entry_verifier_assign(*, entry: PaperEntry, verifier: Any, by: Any) -> PaperEntry:
    """Name ``verifier`` to type ``entry``'s paper form in again (``None``: withdraw the name).

    Only the first typist, while they may still act on the round and while the entry waits for
    its second typing. The named colleague's access to the entry screen follows at once: a
    withdrawn or replaced verifier can no longer open it.

    Raises :class:`PaperEntryNotFirstTypist` for anyone but the first typist,
    :class:`InvalidRespondent` when the first typist may no longer act on the round,
    :class:`InvalidTransition` once the entry was typed in twice, and
    :class:`PaperEntryInvalidVerifier` for a ``verifier`` who may not be named.
    """
    round = lock_round(entry.round)
    entry.refresh_from_db(from_queryset=PaperEntry.objects.select_for_update())
    if entry.first_by_id != getattr(by, "pk", None):
        raise PaperEntryNotFirstTypist()
    if not is_assignee(round.trajectory, by):
        raise InvalidRespondent()
    if entry.state != PaperEntryState.AWAITING_SECOND:
        raise InvalidTransition(state=entry.state)
    _check_verifier(round, verifier, by)
    entry.verifier = verifier
    uuid = verifier.uuid if verifier is not None else None
    return _store(entry, by, Action.PAPER_ENTRY_VERIFIER_ASSIGN, {"verifier": uuid})


def _check_typist(round: MeasurementRound, by: Any, entry: PaperEntry | None) -> None:
    # Whoever may act on the round types its paper forms in, and the colleague named to check
    # this entry while it waits for them: the same rules as the views.
    if is_assignee(round.trajectory, by):
        return
    if entry is not None and by is not None:
        named = PaperEntry.objects.filter(pk=entry.pk)
        if policy.scoped(by, Perm.PAPER_ENTRY_VERIFY, named).exists():
            return
    raise InvalidRespondent()
