"""Retention with a moving clock: a report first, an announcement, the erasure 14 days later."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.verify import verify_chain
from alliantiemonitor.jobs.registry import periodic_jobs
from alliantiemonitor.trajectories.models import Client, RetentionNotice, Trajectory
from alliantiemonitor.trajectories.retention import (
    NOTICE_DAYS,
    months_before,
    retention_run,
)
from alliantiemonitor.trajectories.services import trajectory_start

pytestmark = pytest.mark.django_db

ENDED = dt.date(2024, 3, 31)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(3, 0)))


@pytest.fixture
def ended(trajectory):
    """The client's only trajectory ended on ENDED; the organisation keeps data 24 months."""
    Trajectory.objects.filter(pk=trajectory.pk).update(
        status="ended", start_date=ENDED - dt.timedelta(days=300), end_date=ENDED
    )
    assert trajectory.organisation.retention_months == 24
    return trajectory


def test_months_before_keeps_the_end_of_the_month():
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 24) == dt.date(2024, 3, 31)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_not_due_a_day_before_the_period_has_passed(ended):
    report = retention_run(now=_at(dt.date(2026, 3, 30)))
    assert report.due == []
    assert not RetentionNotice.objects.exists()


def test_a_dry_run_reports_and_changes_nothing(ended):
    events = AuditEvent.objects.count()
    report = retention_run(dry_run=True, now=_at(dt.date(2026, 3, 31)))
    (row,) = report.due
    assert row[2] == dt.date(2026, 3, 31)  # due since
    assert row[3] == dt.date(2026, 3, 31) + dt.timedelta(days=NOTICE_DAYS)
    assert not RetentionNotice.objects.exists()
    assert Client.objects.filter(pk=ended.client_id).exists()
    assert AuditEvent.objects.count() == events


def test_announced_first_then_erased_after_the_notice_period(ended):
    day = dt.date(2026, 3, 31)
    report = retention_run(now=_at(day))
    assert (report.announced, report.erased) == (1, 0)
    assert RetentionNotice.objects.filter(client_id=ended.client_id).exists()

    report = retention_run(now=_at(day + dt.timedelta(days=NOTICE_DAYS - 1)))
    assert (report.announced, report.erased) == (0, 0)
    assert Client.objects.filter(pk=ended.client_id).exists()

    report = retention_run(now=_at(day + dt.timedelta(days=NOTICE_DAYS)))
    assert report.erased == 1
    assert not Client.objects.filter(pk=ended.client_id).exists()
    assert not Trajectory.objects.filter(pk=ended.pk).exists()
    erase = AuditEvent.objects.filter(action="client.erase").get()
    assert erase.detail["reason"] == "retention"
    assert erase.actor is None
    assert verify_chain().intact


def test_a_client_with_a_running_trajectory_is_never_due(trajectory):
    report = retention_run(now=_at(dt.date(2040, 1, 1)))
    assert report.due == []


def test_a_new_trajectory_withdraws_the_announcement(ended, professional):
    day = dt.date(2026, 3, 31)
    retention_run(now=_at(day))
    trajectory_start(
        client=ended.client,
        professional=professional,
        legal_frame="Begeleiding",
        start_date=day + dt.timedelta(days=3),
    )
    report = retention_run(now=_at(day + dt.timedelta(days=NOTICE_DAYS)))
    assert (report.erased, report.withdrawn) == (0, 1)
    assert Client.objects.filter(pk=ended.client_id).exists()
    assert not RetentionNotice.objects.exists()


def test_the_organisations_own_period_counts(ended):
    org = ended.organisation
    org.retention_months = 6
    org.save()
    (row,) = retention_run(dry_run=True, now=_at(dt.date(2024, 9, 30))).due
    assert row[2] == dt.date(2024, 9, 30)


def test_the_worker_runs_it_daily():
    (job,) = [job for job in periodic_jobs() if job.name == "retention.apply"]
    assert job.every == dt.timedelta(hours=24)


def test_the_command_prints_the_dry_run_report(ended, capsys):
    call_command("retention", "--dry-run")
    out = capsys.readouterr().out
    assert "dry run: nothing changed" in out
    assert "1 clients due" in out
    assert not RetentionNotice.objects.exists()


def test_the_privacy_page_lists_the_announced_erasures(client, org_admin, ended):
    retention_run(now=_at(dt.date(2026, 3, 31)))
    client.force_login(org_admin)
    page = client.get(reverse("trajectories:privacy_clients"), HTTP_ACCEPT_LANGUAGE="nl")
    text = page.content.decode()
    assert ended.client.display_name in text
    assert "wordt gewist op 14 april 2026" in text
