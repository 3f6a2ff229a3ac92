"""The worker's jobs: open scheduled rounds, invite, remind, send digests — each exactly once.

Every function here is idempotent and safe to run in several workers at once. Each message
(and each scheduled opening of a round) has a :class:`~alliantiemonitor.scheduling.models.Delivery`
row with a unique key. A worker claims that row under a row lock inside a transaction, sends,
marks it sent and commits; a second worker waits on the lock and then finds it sent.

If a worker dies while sending, its transaction rolls back: the claim, the new invitation and
the "sent" mark disappear together, and the next run sends again. The only case in which a
client could get a message twice is a crash in the instant between the mail server accepting
the message and the commit (see docs/schedules.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.core.schedule import DEFAULT_GRACE_WEEKS, Occasion
from alliantiemonitor.measurements.constants import InvitationKind, Rater, RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.scheduling import mail
from alliantiemonitor.scheduling.constants import (
    DIGEST_HOUR,
    DIGEST_WEEKDAY,
    Channel,
    DeliveryKind,
)
from alliantiemonitor.scheduling.models import (
    ClientContact,
    Delivery,
    MailPreference,
    OrganisationSchedule,
    TrajectoryScheduleMode,
)
from alliantiemonitor.scheduling.readmodels import due_rounds
from alliantiemonitor.trajectories.access import trajectories_for
from alliantiemonitor.trajectories.models import Trajectory

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
#: Rounds in which the client has not finished.
_CLIENT_PENDING = (RoundState.OPEN, RoundState.PROFESSIONAL_DONE)


def _batches(items: Iterator[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    while batch := list(islice(items, size)):
        yield batch


def _claim(key: str, kind: str, **fields: Any) -> Delivery | None:
    """The delivery ``key``, locked, if not yet sent; ``None`` if it was. Call inside atomic."""
    delivery, _created = Delivery.objects.select_for_update().get_or_create(
        key=key, defaults={"kind": kind, **fields}
    )
    return None if delivery.sent_at is not None else delivery


def _mark_sent(delivery: Delivery, now: dt.datetime) -> None:
    delivery.sent_at = now
    delivery.save(update_fields=["sent_at"])


# --- opening scheduled rounds ---------------------------------------------------------------


def _open_round(trajectory: Trajectory, occasion: Occasion, now: dt.datetime) -> bool:
    key = f"round_open:{trajectory.uuid}:{occasion.key}"
    with transaction.atomic():
        delivery = _claim(
            key,
            DeliveryKind.ROUND_OPEN,
            organisation_id=trajectory.organisation_id,
            trajectory=trajectory,
        )
        if delivery is None:
            return False
        assignment = trajectory.current_assignment
        if assignment is None:
            return False
        # An occasion that is overdue already still gives the client the usual time: a round
        # due in the past would expire (rounds_expire) before the client could answer.
        due_date = max(
            occasion.due_by, timezone.localdate(now) + dt.timedelta(weeks=DEFAULT_GRACE_WEEKS)
        )
        try:
            # The assigned professional opens it: they own the round and its invitations.
            measurement_round = round_start(
                trajectory=trajectory, by=assignment.professional, due_date=due_date
            )
        except DomainError:
            # A round still collecting answers (or an ended trajectory): try again later.
            return False
        audit_record(
            actor=None,
            action=Action.SCHEDULE_ROUND_OPEN,
            obj=measurement_round,
            detail={"occasion": occasion.kind, "due_date": due_date},
        )
        delivery.round = measurement_round
        delivery.sent_at = now
        delivery.save(update_fields=["round", "sent_at"])
    return True


def _scheduled_trajectories() -> Any:
    """Active trajectories that may have a schedule (the read model decides per trajectory)."""
    return (
        Trajectory.objects.active()
        .filter(
            (
                Q(organisation__schedule__enabled=True)
                & ~Q(schedule__mode=TrajectoryScheduleMode.NONE)
            )
            | Q(schedule__mode=TrajectoryScheduleMode.CUSTOM)
        )
        .order_by("pk")
    )


def rounds_open_due(*, now: dt.datetime | None = None) -> int:
    """Open every round the schedules ask for today and invite the clients; return how many.

    Opens through ``round_start`` with the assigned professional as opener and the occasion's
    last day as due date, or two weeks from today when that day has passed already. Then
    sends the invitations of scheduled rounds that have none yet (``invitations_send_due``),
    so a mail server that was down is retried on the next run.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    opened = 0
    for batch in _batches(_scheduled_trajectories().iterator(chunk_size=BATCH_SIZE)):
        due = due_rounds(batch, today)
        for trajectory in batch:
            info = due.get(trajectory.pk)
            if info is not None and info.due and _open_round(trajectory, info.next, now):
                opened += 1
    invitations_send_due(now=now)
    return opened


# --- invitations and reminders ---------------------------------------------------------------


def _mailable_rounds() -> Any:
    """Rounds whose client has not finished, in organisations that invite by e-mail, of
    clients who gave an address and agreed to mail."""
    contacts = ClientContact.objects.filter(
        client=OuterRef("trajectory__client"),
        consent_given_on__isnull=False,
        consent_withdrawn_at__isnull=True,
    ).exclude(email="")
    finished = Response.objects.filter(
        round=OuterRef("pk"), rater=Rater.CLIENT, is_current=True, submitted_at__isnull=False
    )
    return (
        MeasurementRound.objects.filter(
            state__in=_CLIENT_PENDING,
            trajectory__organisation__schedule__channel=Channel.EMAIL,
        )
        .filter(Exists(contacts))
        .exclude(Exists(finished))
    )


def _send_client_message(
    *, kind: str, delivery: Delivery, measurement_round: MeasurementRound, sequence: int, now: Any
) -> bool:
    contact = ClientContact.objects.select_related("client").get(
        client=measurement_round.trajectory.client
    )
    if not contact.can_mail:
        return False
    schedule = OrganisationSchedule.objects.filter(
        organisation=measurement_round.trajectory.organisation
    ).first()
    link = link_until = None
    began = Response.objects.filter(
        round=measurement_round, rater=Rater.CLIENT, is_current=True
    ).exists()
    if kind == DeliveryKind.INVITATION or not began:
        try:
            invitation, token = invitation_create(
                round=measurement_round,
                kind=InvitationKind.LINK,
                by=measurement_round.professional,
            )
        except DomainError:
            return False
        link = mail.absolute_url(reverse("client:link", kwargs={"token": token}))
        link_until = invitation.expires_at
    message = mail.client_message(
        kind=kind,
        contact=contact,
        schedule=schedule,
        link=link,
        link_until=link_until,
        sequence=sequence,
    )
    message.send()
    _mark_sent(delivery, now)
    audit_record(
        actor=None,
        action=Action.check(f"schedule.{kind}_send"),
        obj=measurement_round,
        detail={"sequence": sequence, "with_link": link is not None},
    )
    return True


@contextmanager
def _refused_recipient_skipped(measurement_round: MeasurementRound) -> Iterator[None]:
    """Let a recipient the mail server refuses cost only its own message.

    The message's transaction rolls back (nothing is marked as sent, so a later run tries
    again) and the loop goes on with the next round; any other mail error (the server is
    down) still fails the job, to be retried as a whole.
    """
    try:
        yield
    except smtplib.SMTPRecipientsRefused:
        # The round's public id only: the address is personal data.
        logger.warning("mail server refused the client of round %s", measurement_round.uuid)


def invitations_send_due(*, now: dt.datetime | None = None) -> int:
    """Invite by e-mail the clients of rounds the schedule opened; return how many were sent."""
    now = now or timezone.now()
    opened_by_schedule = Delivery.objects.filter(
        kind=DeliveryKind.ROUND_OPEN, round=OuterRef("pk"), sent_at__isnull=False
    )
    invited = Delivery.objects.filter(
        kind=DeliveryKind.INVITATION, round=OuterRef("pk"), sent_at__isnull=False
    )
    rounds = (
        _mailable_rounds()
        .filter(Exists(opened_by_schedule))
        .exclude(Exists(invited))
        .select_related("trajectory__client", "trajectory__organisation", "professional")
        .order_by("pk")
    )
    sent = 0
    for measurement_round in rounds.iterator(chunk_size=BATCH_SIZE):
        with _refused_recipient_skipped(measurement_round), transaction.atomic():
            delivery = _claim(
                f"invitation:{measurement_round.uuid}",
                DeliveryKind.INVITATION,
                organisation_id=measurement_round.trajectory.organisation_id,
                trajectory_id=measurement_round.trajectory_id,
                round=measurement_round,
            )
            if delivery is not None and _send_client_message(
                kind=DeliveryKind.INVITATION,
                delivery=delivery,
                measurement_round=measurement_round,
                sequence=0,
                now=now,
            ):
                sent += 1
    return sent


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind clients who were invited by e-mail and did not finish; return how many were sent.

    Reminder *k* is due ``k × reminder_after_days`` days after the invitation, for *k* up to the
    organisation's ``reminder_max``; at most one reminder per round per run.
    """
    now = now or timezone.now()
    sent = 0
    invitations = (
        Delivery.objects.filter(kind=DeliveryKind.INVITATION, sent_at__isnull=False)
        .filter(round__in=_mailable_rounds())
        .select_related("round__trajectory__client", "round__trajectory__organisation__schedule")
        .order_by("pk")
    )
    for invitation in invitations.iterator(chunk_size=BATCH_SIZE):
        measurement_round = invitation.round
        assert measurement_round is not None
        assert invitation.sent_at is not None
        schedule = measurement_round.trajectory.organisation.schedule
        if schedule.reminder_max == 0:
            continue
        elapsed_days = (now - invitation.sent_at).days
        due_count = min(schedule.reminder_max, elapsed_days // schedule.reminder_after_days)
        done = Delivery.objects.filter(
            kind=DeliveryKind.REMINDER, round=measurement_round, sent_at__isnull=False
        ).count()
        if done >= due_count:
            continue
        sequence = done + 1
        with _refused_recipient_skipped(measurement_round), transaction.atomic():
            delivery = _claim(
                f"reminder:{measurement_round.uuid}:{sequence}",
                DeliveryKind.REMINDER,
                organisation_id=measurement_round.trajectory.organisation_id,
                trajectory_id=measurement_round.trajectory_id,
                round=measurement_round,
            )
            if delivery is not None and _send_client_message(
                kind=DeliveryKind.REMINDER,
                delivery=delivery,
                measurement_round=measurement_round,
                sequence=sequence,
                now=now,
            ):
                sent += 1
    return sent


# --- the weekly digest -----------------------------------------------------------------------


def digest_period(now: dt.datetime) -> str | None:
    """The ISO week whose digest may go out at ``now``, or ``None`` before its send time."""
    local = timezone.localtime(now)
    if local.weekday() < DIGEST_WEEKDAY or (
        local.weekday() == DIGEST_WEEKDAY and local.hour < DIGEST_HOUR
    ):
        return None
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients() -> Any:
    """Active professionals with an e-mail address who did not turn the digest off."""
    opted_out = MailPreference.objects.filter(user=OuterRef("pk"), weekly_digest=False)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.PROFESSIONAL,
            memberships__active=True,
        )
        .exclude(email="")
        .exclude(Exists(opted_out))
        .distinct()
        .order_by("pk")
    )


def digests_send_due(*, now: dt.datetime | None = None) -> int:
    """Send each professional this week's digest once; return how many were sent.

    Counts the rounds their schedules ask for (due, and overdue) and the signals raised in the
    last seven days that are still open and not yet acknowledged. Nothing to report, no mail.
    """
    now = now or timezone.now()
    period = digest_period(now)
    if period is None:
        return 0
    today = timezone.localdate(now)
    sent = 0
    for user in digest_recipients().iterator(chunk_size=BATCH_SIZE):
        key = f"digest:{user.pk}:{period}"
        if Delivery.objects.filter(key=key, sent_at__isnull=False).exists():
            continue
        active = trajectories_for(user).active()
        due = due_rounds(active, today)
        overdue = sum(1 for info in due.values() if info.overdue)
        due_now = sum(1 for info in due.values() if info.due and not info.overdue)
        new_signals = (
            Signal.objects.open()
            .filter(
                trajectory__in=active,
                raised_at__gte=now - dt.timedelta(days=7),
                acknowledged_at__isnull=True,
            )
            .count()
        )
        if not due_now and not overdue and not new_signals:
            continue
        with transaction.atomic():
            delivery = _claim(key, DeliveryKind.DIGEST)
            if delivery is None:
                continue
            mail.digest_message(
                user=user, due=due_now, overdue=overdue, signals=new_signals, period=period
            ).send()
            _mark_sent(delivery, now)
            audit_record(
                actor=None,
                action=Action.SCHEDULE_DIGEST_SEND,
                detail={"user": user.pk, "period": period, "due": due_now, "overdue": overdue},
            )
            sent += 1
    return sent
