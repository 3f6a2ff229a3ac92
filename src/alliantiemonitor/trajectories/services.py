"""Writing clients, trajectories, assignments and outcome events."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.organisations.models import Membership, Organisation, Team
from alliantiemonitor.trajectories.constants import (
    END_KINDS,
    ClientLanguage,
    OutcomeKind,
    TrajectoryStatus,
)
from alliantiemonitor.trajectories.exceptions import (
    InvalidDates,
    InvalidDisplayName,
    InvalidEndReason,
    InvalidOutcomeKind,
    NotAProfessional,
    SameProfessional,
    TrajectoryEnded,
    WrongOrganisation,
)
from alliantiemonitor.trajectories.models import Assignment, Client, OutcomeEvent, Trajectory
from alliantiemonitor.trajectories.signals import trajectory_handed_over

#: An identical outcome event recorded again within this time is taken as a double submit.
DOUBLE_SUBMIT_WINDOW = dt.timedelta(minutes=2)

# A run of digits this long looks like a national identification number (BSN has nine).
_ID_NUMBER_RE = re.compile(r"\d{6,}")


def is_active_professional(user: Any, organisation: Organisation) -> bool:
    """Whether ``user`` is an active account with an active professional role there."""
    return bool(
        user is not None
        and user.is_active
        and Membership.objects.active()
        .for_user(user)
        .for_organisation(organisation)
        .professionals()
        .exists()
    )


@transaction.atomic
def client_create(
    *,
    organisation: Organisation,
    display_name: str,
    by: Any,
    preferred_language: str = ClientLanguage.DUTCH,
    easy_read: bool = False,
) -> Client:
    """Create a pseudonymous client record in ``organisation``.

    ``display_name`` is a pseudonym or initials; anything that looks like an identification
    number is refused with :class:`InvalidDisplayName`.
    """
    display_name = display_name.strip()
    if not display_name or len(display_name) > 80 or _ID_NUMBER_RE.search(display_name):
        raise InvalidDisplayName()
    if preferred_language not in ClientLanguage.values:
        raise DomainError(_("Choose a language."))
    client = Client.objects.create(
        organisation=organisation,
        display_name=display_name,
        preferred_language=preferred_language,
        easy_read=easy_read,
        created_by=by,
    )
    audit_record(actor=by, action="client.create", obj=client)
    return client


@transaction.atomic
def trajectory_start(
    *,
    client: Client,
    professional: Any,
    legal_frame: str,
    start_date: dt.date,
    team: Team | None = None,
    by: Any = None,
) -> Trajectory:
    """Start a trajectory for ``client`` and assign ``professional`` to it from now on.

    ``by`` defaults to ``professional`` (who usually starts it). Raises
    :class:`NotAProfessional` when ``professional`` has no active professional role in the
    client's organisation and :class:`WrongOrganisation` for a team of another organisation.
    """
    by = by if by is not None else professional
    organisation = client.organisation
    if team is not None and team.organisation_id != organisation.pk:
        raise WrongOrganisation()
    if not is_active_professional(professional, organisation):
        raise NotAProfessional()
    trajectory = Trajectory.objects.create(
        client=client,
        organisation=organisation,
        team=team,
        legal_frame=legal_frame.strip(),
        start_date=start_date,
    )
    assignment = Assignment.objects.create(
        trajectory=trajectory, professional=professional, start=timezone.now()
    )
    audit_record(
        actor=by,
        action="trajectory.start",
        obj=trajectory,
        detail={"professional": professional.uuid, "assignment": assignment.uuid},
    )
    return trajectory


def _locked(trajectory: Trajectory) -> Trajectory:
    """Refresh ``trajectory`` in place under a row lock, so concurrent changes queue up and
    the caller's instance shows the result."""
    trajectory.refresh_from_db(from_queryset=Trajectory.objects.select_for_update())
    return trajectory


@transaction.atomic
def trajectory_hand_over(
    *,
    trajectory: Trajectory,
    to_professional: Any,
    by: Any,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Assignment:
    """Hand ``trajectory`` over to ``to_professional`` at ``at`` (default: now).

    Closes the open assignment at ``at`` and opens a new one that remembers which assignment
    it took over from: the next measurement round is marked ``after_handover``. From then on
    only the new professional has access. Refuses (and changes nothing) with
    :class:`TrajectoryEnded`, :class:`SameProfessional`, :class:`NotAProfessional` or, when
    ``at`` lies before the current assignment started, :class:`InvalidDates`.
    """
    trajectory = _locked(trajectory)
    at = at or timezone.now()
    if not trajectory.is_active:
        raise TrajectoryEnded()
    current = trajectory.current_assignment
    if current is not None and current.professional_id == to_professional.pk:
        raise SameProfessional()
    if not is_active_professional(to_professional, trajectory.organisation):
        raise NotAProfessional()
    if current is not None:
        if at < current.start:
            raise InvalidDates(_("The hand-over cannot be before the current assignment began."))
        current.end = at
        current.save(update_fields=["end"])
    else:
        current = trajectory.assignments.order_by("-start", "-pk").first()
    assignment = Assignment.objects.create(
        trajectory=trajectory,
        professional=to_professional,
        start=at,
        reason=reason.strip(),
        handed_over_from=current,
    )
    audit_record(
        actor=by,
        action="trajectory.hand_over",
        obj=trajectory,
        detail={
            "from_professional": current.professional.uuid if current else None,
            "to_professional": to_professional.uuid,
            "assignment": assignment.uuid,
            "at": at,
        },
    )
    # Measurements revokes the links and codes the former professional was shown.
    trajectory_handed_over.send(
        sender=Trajectory, trajectory=trajectory, assignment=assignment, by=by
    )
    return assignment


@transaction.atomic
def trajectory_end(
    *,
    trajectory: Trajectory,
    end_date: dt.date,
    reason_kind: str,
    by: Any,
    note: str = "",
) -> Trajectory:
    """End ``trajectory`` on ``end_date`` and record how it ended as an outcome event.

    ``reason_kind`` is one of ``regular_completion``, ``premature_end_positive`` or
    ``premature_end_negative``. The open assignment is closed, but its professional keeps
    access to the ended trajectory (they were its last assignee).

    Its rounds are not touched here (trajectories knows nothing of rounds): end a trajectory
    through ``measurements.services.trajectory_close``, which calls this and then closes or
    cancels the rounds that still collect answers.
    """
    trajectory = _locked(trajectory)
    if not trajectory.is_active:
        raise TrajectoryEnded()
    if reason_kind not in END_KINDS:
        raise InvalidEndReason()
    if end_date < trajectory.start_date:
        raise InvalidDates()
    current = trajectory.current_assignment
    if current is not None:
        current.end = max(timezone.now(), current.start)
        current.save(update_fields=["end"])
    trajectory.status = TrajectoryStatus.ENDED
    trajectory.end_date = end_date
    trajectory.save(update_fields=["status", "end_date", "updated_at"])
    event = OutcomeEvent.objects.create(
        trajectory=trajectory, kind=reason_kind, date=end_date, note=note.strip(), recorded_by=by
    )
    audit_record(
        actor=by,
        action="trajectory.end",
        obj=trajectory,
        detail={"reason_kind": reason_kind, "end_date": end_date, "outcome_event": event.uuid},
    )
    return trajectory


@transaction.atomic
def outcome_record(
    *,
    trajectory: Trajectory,
    kind: str,
    date: dt.date,
    by: Any,
    note: str = "",
) -> OutcomeEvent:
    """Record an outcome event (no-show, warning, follow-up...) in ``trajectory``.

    Ending kinds go through :func:`trajectory_end`; a recidivism follow-up may be recorded
    after the end, other kinds only while the trajectory is active. The same event by the
    same person within :data:`DOUBLE_SUBMIT_WINDOW` is returned, not recorded again.
    """
    if kind not in OutcomeKind.values or kind in END_KINDS:
        raise InvalidOutcomeKind()
    trajectory = _locked(trajectory)
    if not trajectory.is_active and kind != OutcomeKind.RECIDIVISM_FOLLOWUP:
        raise TrajectoryEnded()
    if date < trajectory.start_date:
        raise InvalidDates(_("The date cannot be before the trajectory started."))
    note = note.strip()
    # A double submit (a second click, a form sent again) must not record the event twice;
    # the row lock above makes the second request see the first one's event.
    repeat = trajectory.outcome_events.filter(
        kind=kind,
        date=date,
        note=note,
        recorded_by=by,
        created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
    ).first()
    if repeat is not None:
        return repeat
    event = OutcomeEvent.objects.create(
        trajectory=trajectory, kind=kind, date=date, note=note, recorded_by=by
    )
    audit_record(actor=by, action="outcome.record", obj=event, detail={"kind": kind})
    return event


@transaction.atomic
def client_enrol(
    *,
    organisation: Organisation,
    professional: Any,
    display_name: str,
    legal_frame: str,
    start_date: dt.date,
    preferred_language: str = ClientLanguage.DUTCH,
    easy_read: bool = False,
    team: Team | None = None,
) -> Trajectory:
    """Create a client and start their first trajectory with ``professional``, all or nothing.

    This is the professional's "new client" action: when either step is refused (see
    :func:`client_create` and :func:`trajectory_start`) no client record is left behind.
    """
    client = client_create(
        organisation=organisation,
        display_name=display_name,
        by=professional,
        preferred_language=preferred_language,
        easy_read=easy_read,
    )
    return trajectory_start(
        client=client,
        professional=professional,
        legal_frame=legal_frame,
        start_date=start_date,
        team=team,
    )
