"""Writing clients, trajectories, assignments and outcome events."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record, erasure_record, redact_client_events
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.input import clean_date, clean_datetime, clean_text
from alliantiemonitor.organisations.models import Membership, Organisation, Team
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
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
    NotAPrivacyOfficer,
    NotAProfessional,
    SameProfessional,
    TrajectoryEnded,
    WrongConfirmation,
    WrongOrganisation,
)
from alliantiemonitor.trajectories.models import Assignment, Client, OutcomeEvent, Trajectory
from alliantiemonitor.trajectories.signals import client_erasing, trajectory_handed_over

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


def clean_display_name(display_name: Any) -> str:
    """``display_name`` stripped if it may name a client; else :class:`InvalidDisplayName`.

    A pseudonym or initials: not empty, at most 80 characters, and nothing that looks like an
    identification number. Stored as the text it is, whatever it starts with.
    """
    display_name = clean_text(
        display_name, field=_("Display name"), max_length=80, refuse=InvalidDisplayName
    )
    if not display_name or _ID_NUMBER_RE.search(display_name):
        raise InvalidDisplayName()
    return display_name


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
    display_name = clean_display_name(display_name)
    if not isinstance(preferred_language, str) or preferred_language not in ClientLanguage.values:
        raise DomainError(_("Choose a language."))
    easy_read = bool(easy_read)
    client = Client.objects.create(
        organisation=organisation,
        display_name=display_name,
        preferred_language=preferred_language,
        easy_read=easy_read,
        created_by=by,
    )
    audit_record(actor=by, action=Action.CLIENT_CREATE, obj=client)
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
    external_id: str = "",
) -> Trajectory:
    """Start a trajectory for ``client`` and assign ``professional`` to it from now on.

    ``by`` defaults to ``professional`` (who usually starts it). ``external_id`` is the
    trajectory's id in the organisation's case-management system (the caseload import sets
    it; unique per organisation, which the database enforces). Raises
    :class:`NotAProfessional` when ``professional`` has no active professional role in the
    client's organisation and :class:`WrongOrganisation` for a team of another organisation.
    """
    by = by if by is not None else professional
    legal_frame = clean_text(legal_frame, field=_("Legal frame"), max_length=200)
    start_date = clean_date(start_date, field=_("Start date"))
    external_id = clean_text(external_id, field=_("External id"), max_length=64)
    organisation = client.organisation
    if team is not None and team.organisation_id != organisation.pk:
        raise WrongOrganisation()
    if not is_active_professional(professional, organisation):
        raise NotAProfessional()
    trajectory = Trajectory.objects.create(
        client=client,
        organisation=organisation,
        team=team,
        legal_frame=legal_frame,
        start_date=start_date,
        external_id=external_id,
    )
    assignment = Assignment.objects.create(
        trajectory=trajectory, professional=professional, start=timezone.now()
    )
    audit_record(
        actor=by,
        action=Action.TRAJECTORY_START,
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
    ``at`` lies before the current assignment started, :class:`InvalidDates`; with
    :class:`InvalidInput` when ``at`` is not a date and time with a time zone.
    """
    reason = clean_text(reason, field=_("Reason"), max_length=200, multiline=True)
    if at is not None:
        at = clean_datetime(at, field=_("Moment of the hand-over"))
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
        reason=reason,
        handed_over_from=current,
    )
    audit_record(
        actor=by,
        action=Action.TRAJECTORY_HAND_OVER,
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
    if not isinstance(reason_kind, str) or reason_kind not in END_KINDS:
        raise InvalidEndReason()
    end_date = clean_date(end_date, field=_("End date"))
    note = clean_text(note, field=_("Note"), max_length=500, multiline=True)
    trajectory = _locked(trajectory)
    if not trajectory.is_active:
        raise TrajectoryEnded()
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
        trajectory=trajectory, kind=reason_kind, date=end_date, note=note, recorded_by=by
    )
    audit_record(
        actor=by,
        action=Action.TRAJECTORY_END,
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
    if not isinstance(kind, str) or kind not in OutcomeKind.values or kind in END_KINDS:
        raise InvalidOutcomeKind()
    date = clean_date(date, field=_("Date"))
    note = clean_text(note, field=_("Note"), max_length=500, multiline=True)
    trajectory = _locked(trajectory)
    if not trajectory.is_active and kind != OutcomeKind.RECIDIVISM_FOLLOWUP:
        raise TrajectoryEnded()
    if date < trajectory.start_date:
        raise InvalidDates(_("The date cannot be before the trajectory started."))
    # A double submit (a second click, a form sent again) must not record the event twice;
    # the row lock above makes the second request see the first one's event.
    # The note is encrypted at rest, so the database cannot compare it: the few recent
    # candidates are compared here.
    recent = trajectory.outcome_events.filter(
        kind=kind,
        date=date,
        recorded_by=by,
        created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
    ).order_by("pk")
    repeat = next((event for event in recent if event.note == note), None)
    if repeat is not None:
        return repeat
    event = OutcomeEvent.objects.create(
        trajectory=trajectory, kind=kind, date=date, note=note, recorded_by=by
    )
    audit_record(actor=by, action=Action.OUTCOME_RECORD, obj=event, detail={"kind": kind})
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


def client_reference(client: Client) -> str:
    """The short reference that identifies a client on the privacy pages (and confirms erasure).

    The start of the public id: unlike the display name it is unique enough to tell two
    clients with the same initials apart, and it says nothing about the person.
    """
    return client.uuid.hex[:8]


def is_privacy_officer(user: Any, organisation: Organisation) -> bool:
    """Whether ``user`` may see the audit trail of, and erase, the clients of ``organisation``.

    The organisation admin is the privacy officer; there is no separate role.
    """
    return policy.organisations(user, Perm.CLIENT_PRIVACY).filter(pk=organisation.pk).exists()


@transaction.atomic
def client_erase(*, client: Client, by: Any, confirmation: str) -> dict[str, Any]:
    """Delete ``client`` with everything attached to it, and redact its audit events.

    Everything attached goes: trajectories, assignments, outcome events, and through them
    rounds, invitations, responses and scores, conversations, agreements and evaluations,
    signals, schedules and mail deliveries; the client's contact details too. The audit events
    about the client stay in the hash chain with their personal content blanked (see
    :func:`alliantiemonitor.audit.services.redact_client_events`), and a ``client.erase``
    event without the client's name records who erased and how much. Irreversible.

    ``confirmation`` must be the client's :func:`client_reference`. Raises
    :class:`NotAPrivacyOfficer` unless ``by`` administers the client's organisation and
    :class:`WrongConfirmation` for another confirmation; nothing is changed then. Returns what
    was deleted per model, and the number of events redacted.
    """
    client = client_lock_for_erasure(client.pk)
    if not is_privacy_officer(by, client.organisation):
        raise NotAPrivacyOfficer()
    if not isinstance(confirmation, str) or confirmation.strip().lower() != client_reference(
        client
    ):
        raise WrongConfirmation()
    return erase_client_data(client, actor=by, reason="request")


def client_lock_for_erasure(pk: int) -> Client:
    """Lock the client's organisation, then the client (inside a transaction); return it.

    Every erasure takes its locks in this order, as does confirming a caseload import
    (organisation, then the file): the erasure clears the organisation's waiting files, and a
    confirmation in progress may write the client, so the other order could make each wait
    for the other. Raises ``Client.DoesNotExist`` when the client is gone.
    """
    organisation_id = Client.objects.values_list("organisation_id", flat=True).get(pk=pk)
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    client = Client.objects.select_for_update().get(pk=pk)
    client.organisation = organisation
    return client


def erase_client_data(
    client: Client, *, actor: Any, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The erasure itself, for :func:`client_erase` and the retention job (``actor`` None).

    Call inside a transaction with the client locked by :func:`client_lock_for_erasure`.
    ``reason`` (``request`` or ``retention``) is recorded in the ``client.erase`` event. Apps
    above this one first handle their own records of the client (the ``client_erasing``
    signal; research keeps or deletes per study) and say what they deleted and kept; ``now``
    is the time they go by.
    """
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    kept: dict[str, int] = {}
    for _receiver, answer in client_erasing.send(sender=Client, client=client, now=now):
        for label, count in (answer or {}).get("deleted", {}).items():
            deleted[label] = deleted.get(label, 0) + count
        for label, count in (answer or {}).get("kept", {}).items():
            kept[label] = kept.get(label, 0) + count
    redacted = redact_client_events(client.pk)  # listed in the event below; verify checks
    # Trajectories first: they protect the client. Everything else cascades from them (or
    # from the client), whichever app it belongs to, so no app above this one is imported.
    for _count, per_model in (
        Trajectory.objects.filter(client=client).delete(),
        Client.objects.filter(pk=client.pk).delete(),
    ):
        for label, count in per_model.items():
            if count:
                deleted[label] = deleted.get(label, 0) + count
    event = erasure_record(
        actor=actor,
        organisation=client.organisation,
        client_uuid=client.uuid,
        reason=reason,
        deleted=dict(sorted(deleted.items())),
        kept=dict(sorted(kept.items())),
        redacted=redacted,
    )
    return {key: event.detail[key] for key in ("deleted", "events_redacted")}
