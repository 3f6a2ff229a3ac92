"""Retention with a moving clock: research records survive, with the study key only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.research.models import EnrolledTrajectory, ResearchConsent
from alliantiemonitor.research.services import consent_record, consenting_trajectories
from alliantiemonitor.trajectories.models import Client, Trajectory
from alliantiemonitor.trajectories.retention import NOTICE_DAYS, retention_run

pytestmark = pytest.mark.django_db

ENDED = dt.date(2024, 3, 31)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(3, 0)))


def test_retention_drops_the_link_and_keeps_the_consent_under_the_study_key(enrolled):
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    key, client_id = enrolled.study_key, enrolled.trajectory.client_id
    Trajectory.objects.filter(pk=enrolled.trajectory_id).update(
        status="ended", start_date=ENDED - dt.timedelta(days=300), end_date=ENDED
    )
    due = ENDED.replace(year=ENDED.year + 2)  # the organisation keeps data 24 months
    retention_run(now=_at(due))
    assert list(consenting_trajectories(enrolled.study)) == [enrolled]  # announced only

    report = retention_run(now=_at(due + dt.timedelta(days=NOTICE_DAYS)))

    assert report.erased == 1
    assert not Client.objects.filter(pk=client_id).exists()
    kept = EnrolledTrajectory.objects.get(pk=enrolled.pk)
    assert kept.trajectory_id is None
    assert kept.study_key == key
    consent = ResearchConsent.objects.get(enrolled=kept)
    assert consent.given
    assert list(consenting_trajectories(enrolled.study)) == []
