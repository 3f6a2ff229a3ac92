"""Starting, discussing, closing, cancelling and expiring measurement rounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import clean_date
from alliantiemonitor.instruments import registry as instrument_registry
from alliantiemonitor.measurements.constants import (
    COLLECTING_STATES,
    EXPIRY_GRACE,
    FINAL_STATES,
    RoundState,
)
from alliantiemonitor.measurements.exceptions import (
    InvalidTransition,
    RoundNotAllowed,
    RoundStillOpen,
    UnknownInstrument,
)
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services._common import lock_round, submitted_raters
from alliantiemonitor.trajectories.models import Trajectory


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

    The variant defaults to ``trajectory.default_variant`` (easy-read for a client who
    prefers it, else the organisation's default); the version defaults to the latest one.
    The pin never changes afterwards, whatever versions are added later. ``after_handover``
    is set when the trajectory changed professional since the previous round (or since its
    start).

    Refuses with :class:`RoundNotAllowed` on an ended trajectory or one without an assigned
    professional, with :class:`RoundStillOpen` while another round still collects answers,
    with :class:`UnknownInstrument` for a variant or version the registry lacks, and with
    :class:`InvalidInput` for a ``due_date`` that is not a date.
    """
    if due_date is not None:
        due_date = clean_date(due_date, field=_("Due date"))
    trajectory.refresh_from_db(from_queryset=Trajectory.objects.select_for_update())
    if not trajectory.is_active:
        raise RoundNotAllowed(trajectory=trajectory.uuid)
    if MeasurementRound.objects.for_trajectory(trajectory).collecting().exists():
        raise RoundStillOpen(trajectory=trajectory.uuid)
    assignment = trajectory.current_assignment
    if assignment is None:
        raise RoundNotAllowed(trajectory=trajectory.uuid)
    if instrument_id is None:
        instrument_id = trajectory.default_variant
    try:
        instrument = instrument_registry.get_registry().get(instrument_id, version=version)
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
        action=Action.ROUND_START,
        obj=measurement_round,
        detail={
            "instrument": measurement_round.instrument_ref,
            "after_handover": measurement_round.after_handover,
        },
    )
    return measurement_round


@transaction.atomic
def round_mark_discussed(*, round: MeasurementRound, by: Any) -> MeasurementRound:
    """Move ``round`` from both_done to discussed.

    The state change only: ``conversations.services.round_mark_discussed`` first checks that
    the conversation was recorded and is what views call. Raises :class:`InvalidTransition`
    from any state but both_done.
    """
    round = lock_round(round)
    if round.state != RoundState.BOTH_DONE:
        raise InvalidTransition(state=round.state)
    round.state = RoundState.DISCUSSED
    round.save(update_fields=["state", "updated_at"])
    audit_record(actor=by, action=Action.ROUND_DISCUSSED, obj=round)
    return round


def _end_drafts(round: MeasurementRound, now: dt.datetime) -> None:
    """Mark the round's unsent drafts as changed, under the round's lock, as it ends.

    An autosave writes a draft without the round's lock, only if the draft is unchanged since
    it read it (``responses._draft_write``); touching the drafts here makes a save that read
    the draft before the round ended miss, and try again under the lock, where it sees the
    round ended and is refused. Without it, that save would still land in the ended round.
    """
    Response.objects.filter(round=round, is_current=True, submitted_at__isnull=True).update(
        updated_at=now
    )


@transaction.atomic
def round_close(*, round: MeasurementRound, by: Any) -> MeasurementRound:
    """Close ``round``; allowed once at least one party submitted.

    Closing without one side is how a round ends when a party will not fill in: from then on
    both parties see what was submitted (the blind rule).
    """
    round = lock_round(round)
    if round.state in FINAL_STATES or not submitted_raters(round):
        raise InvalidTransition(state=round.state)
    previous_state = round.state
    round.state = RoundState.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["state", "closed_at", "updated_at"])
    _end_drafts(round, round.closed_at)
    audit_record(actor=by, action=Action.ROUND_CLOSE, obj=round, detail={"from": previous_state})
    return round


@transaction.atomic
def round_cancel(*, round: MeasurementRound, by: Any) -> MeasurementRound:
    """Cancel ``round`` while answers are still being collected; what was answered stays."""
    round = lock_round(round)
    if round.state not in COLLECTING_STATES:
        raise InvalidTransition(state=round.state)
    previous_state = round.state
    round.state = RoundState.CANCELLED
    round.closed_at = timezone.now()
    round.save(update_fields=["state", "closed_at", "updated_at"])
    _end_drafts(round, round.closed_at)
    audit_record(actor=by, action=Action.ROUND_CANCEL, obj=round, detail={"from": previous_state})
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
            _end_drafts(measurement_round, timezone.now())
            audit_record(
                actor=None,
                action=Action.ROUND_EXPIRE,
                obj=measurement_round,
                detail={"from": previous_state, "due_date": measurement_round.due_date},
            )
            expired += 1
    return expired
