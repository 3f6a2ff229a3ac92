"""Retention: erase a client's personal data a set time after their last trajectory ended.

Per organisation, ``Organisation.retention_months`` (default 24) after the end of a client's
last trajectory the client is erased with everything attached, exactly as an erasure on request
(:func:`~alliantiemonitor.trajectories.services.erase_client_data`: the audit chain stays intact,
the events' personal content is blanked, a ``client.erase`` event records the reason
``retention``). A client with an active trajectory is never due; nor is a client who has never
had a trajectory, until the retention period has passed since they were registered.

**A report first.** :func:`retention_run` with ``dry_run=True`` only reports. Without it, it
writes a :class:`~alliantiemonitor.trajectories.models.RetentionNotice` for every client that is
due (the privacy page lists them with the day they will be erased) and erases only the clients
whose notice is at least :data:`NOTICE_DAYS` days old and who are still due. The worker runs it
daily (job ``retention.apply``); ``manage.py retention --dry-run`` prints the report.

**Research records follow each study's protocol** (``research.retention``, through the signals
in :mod:`~alliantiemonitor.trajectories.signals`, so this module imports nothing above it): at
the erasure a study's records of the client are deleted, or kept under the study key only for
the study's ``keep_after_erasure_months`` when the client's consent stands; the same daily run
deletes kept records whose months have passed. The report has a section on both.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.constants import TrajectoryStatus
from alliantiemonitor.trajectories.models import Client, RetentionNotice
from alliantiemonitor.trajectories.services import (
    client_lock_for_erasure,
    client_reference,
    erase_client_data,
)
from alliantiemonitor.trajectories.signals import retention_running

#: Days between the notice (the report) and the erasure.
NOTICE_DAYS = 14


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


@dataclass
class RetentionSection:
    """What another app's part of the run found (see the ``retention_running`` signal)."""

    #: Counts for the job's result, e.g. ``{"research_deleted": 3}``.
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


@dataclass
class RetentionReport:
    """What a run found: per organisation, the clients due, announced and erased."""

    dry_run: bool
    today: dt.date
    #: ``(organisation name, client reference, due since, erase on)`` per due client.
    due: list[tuple[str, str, dt.date, dt.date]] = field(default_factory=list)
    announced: int = 0
    erased: int = 0
    withdrawn: int = 0
    sections: list[RetentionSection] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The run in numbers (the worker's job result)."""
        out = {
            "due": len(self.due),
            "announced": self.announced,
            "erased": self.erased,
            "withdrawn": self.withdrawn,
        }
        for section in self.sections:
            for key, value in section.counts.items():
                out[key] = out.get(key, 0) + value
        return out

    def lines(self) -> list[str]:
        head = "dry run: nothing changed" if self.dry_run else "applied"
        out = [
            f"retention {self.today.isoformat()} ({head}): {len(self.due)} clients due, "
            f"{self.announced} announced, {self.erased} erased, {self.withdrawn} withdrawn"
        ]
        out += [
            f"  {org}: client {ref}, due since {since.isoformat()}, erased on or after "
            f"{erase_on.isoformat()}"
            for org, ref, since, erase_on in self.due
        ]
        for section in self.sections:
            out += section.lines
        return out


def due_clients(organisation: Organisation, today: dt.date) -> list[tuple[Client, dt.date]]:
    """The clients of ``organisation`` whose retention period has passed, with the day it did.

    The day is the end of the client's last trajectory (or, without one, the day the client was
    registered) plus the organisation's months. The query narrows by a cutoff a few days
    generous (month ends); the exact day is then checked per client.
    """
    months = organisation.retention_months
    cutoff = months_before(today, months) + dt.timedelta(days=4)
    clients = (
        Client.objects.filter(organisation=organisation)
        .annotate(
            running=Count(
                "trajectories",
                filter=Q(trajectories__status=TrajectoryStatus.ACTIVE)
                | Q(trajectories__end_date__isnull=True),
            ),
            n=Count("trajectories"),
            last_end=Max("trajectories__end_date"),
        )
        .filter(running=0)
        .filter(Q(n=0, created_at__date__lte=cutoff) | Q(n__gt=0, last_end__lte=cutoff))
    )
    due = []
    for client in clients:
        last = client.last_end if client.n else timezone.localdate(client.created_at)
        since = months_after(last, months)
        if since <= today:
            due.append((client, since))
    return due


def retention_run(*, dry_run: bool = False, now: dt.datetime | None = None) -> RetentionReport:
    """Report (and unless ``dry_run``, announce and erase) the clients past their retention."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = RetentionReport(dry_run=dry_run, today=today)
    due: list[tuple[Client, dt.date, dt.date]] = []
    for organisation in Organisation.objects.order_by("name"):
        for client, since in due_clients(organisation, today):
            notice = RetentionNotice.objects.filter(client=client).first()
            if notice is None and not dry_run:
                notice = RetentionNotice.objects.create(
                    client=client, noticed_at=now, due_since=since
                )
                report.announced += 1
            erase_day = timezone.localdate(notice.noticed_at if notice else now) + dt.timedelta(
                days=NOTICE_DAYS
            )
            report.due.append((organisation.name, client_reference(client), since, erase_day))
            due.append((client, since, erase_day))
    # Before the erasures below, so that the report says what they do to other apps' records.
    for _receiver, section in retention_running.send(
        sender=Client, clients=[client for client, _, _ in due], today=today, dry_run=dry_run
    ):
        if section is not None:
            report.sections.append(section)
    if not dry_run:
        for client, _since, erase_day in due:
            if erase_day <= today and _erase(client, now):
                report.erased += 1
        stale = RetentionNotice.objects.exclude(client_id__in=[client.pk for client, _, _ in due])
        report.withdrawn, _ = stale.delete()
    return report


def _erase(client: Client, now: dt.datetime) -> bool:
    """Erase ``client`` unless a trajectory started meanwhile (checked under the row lock)."""
    with transaction.atomic():
        locked = client_lock_for_erasure(client.pk)
        running = locked.trajectories.filter(
            Q(status=TrajectoryStatus.ACTIVE) | Q(end_date__isnull=True)
        )
        if running.exists():
            return False
        erase_client_data(locked, actor=None, reason="retention", now=now)
        return True


def erase_on(notice: RetentionNotice) -> dt.date:
    """The first day the retention job erases the client of ``notice``."""
    return timezone.localdate(notice.noticed_at) + dt.timedelta(days=NOTICE_DAYS)
