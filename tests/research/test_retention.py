"""Retention with a moving clock: each study's keep period decides what stays, and how long."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliantiemonitor.audit.constants import Action, PrivacyAction
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.verify import verify_chain
from alliantiemonitor.research.models import (
    EnrolledTrajectory,
    PhaseResponse,
    ResearchConsent,
    Study,
)
from alliantiemonitor.research.services import (
    consent_record,
    consent_withdraw,
    consenting_trajectories,
    study_create,
    study_enrol,
    study_enrolment_agree,
    study_status_set,
    trajectory_enrol,
)
from alliantiemonitor.trajectories.models import Client, RetentionNotice, Trajectory
from alliantiemonitor.trajectories.retention import NOTICE_DAYS, months_after, retention_run
from alliantiemonitor.trajectories.services import client_erase, client_reference
from tests.research.conftest import enrol_client

pytestmark = pytest.mark.django_db

ENDED = dt.date(2024, 3, 31)
#: The organisation keeps data 24 months: due on this day, erased NOTICE_DAYS later.
DUE = dt.date(2026, 3, 31)
ERASED = DUE + dt.timedelta(days=NOTICE_DAYS)  # 2026-04-14


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(3, 0)))


def _keep(study: Study, months: int) -> Study:
    Study.objects.filter(pk=study.pk).update(keep_after_erasure_months=months)
    study.refresh_from_db()
    return study


def _end(trajectory: Trajectory, ended: dt.date = ENDED) -> None:
    Trajectory.objects.filter(pk=trajectory.pk).update(
        status="ended", start_date=ended - dt.timedelta(days=300), end_date=ended
    )


def _erase_by_retention() -> None:
    """Announce on DUE, erase on ERASED (the moving clock of the retention job)."""
    assert retention_run(now=_at(DUE)).announced >= 1
    assert retention_run(now=_at(ERASED)).erased >= 1


def _respond(enrolled: EnrolledTrajectory, phase) -> PhaseResponse:
    return PhaseResponse.objects.create(
        enrolled=enrolled,
        phase=phase,
        questionnaire="motivatie",
        questionnaire_version="1",
        answers={},
        mode="online",
        submitted_at=timezone.now(),
    )


def _also_in_other_study(
    enrolled, researcher, org_admin, organisation, professional, months: int
) -> EnrolledTrajectory:
    """The same trajectory in a second study keeping ``months``; yes to both studies."""
    study = study_create(
        by=researcher,
        name="Tweede studie",
        information_text="Uitleg.",
        keep_after_erasure_months=months,
    )
    study_status_set(study=study, by=researcher, status="active")
    study_enrolment_agree(
        enrolment=study_enrol(study=study, by=researcher, organisation=organisation), by=org_admin
    )
    other = trajectory_enrol(study=study, trajectory=enrolled.trajectory, by=professional)
    for row in (enrolled, other):
        consent_record(enrolled=row, given=True, mode="client_flow")
    return other


def test_a_study_that_keeps_nothing_deletes_the_records_at_the_erasure(enrolled, phase):
    assert enrolled.study.keep_after_erasure_months == 0  # the default
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    _respond(enrolled, phase)
    client_id = enrolled.trajectory.client_id
    _end(enrolled.trajectory)

    retention_run(now=_at(DUE))
    assert EnrolledTrajectory.objects.filter(pk=enrolled.pk, trajectory__isnull=False).exists()
    retention_run(now=_at(ERASED))

    assert not Client.objects.filter(pk=client_id).exists()
    assert not EnrolledTrajectory.objects.exists()
    assert not ResearchConsent.objects.exists()
    assert not PhaseResponse.objects.exists()
    erase = AuditEvent.objects.get(action=PrivacyAction.CLIENT_ERASE)
    assert erase.detail["deleted"]["research.EnrolledTrajectory"] == 1
    assert erase.detail["deleted"]["research.ResearchConsent"] == 1
    assert erase.detail["deleted"]["research.PhaseResponse"] == 1
    assert "kept" not in erase.detail
    assert verify_chain().intact


def test_a_study_that_keeps_n_months_keeps_them_pseudonymised_then_deletes_them(
    enrolled, phase, organisation
):
    _keep(enrolled.study, 6)
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    _respond(enrolled, phase)
    key = enrolled.study_key
    _end(enrolled.trajectory)

    _erase_by_retention()

    kept = EnrolledTrajectory.objects.get(pk=enrolled.pk)
    assert kept.trajectory_id is None
    assert kept.study_key == key
    assert kept.erased_on == ERASED
    assert kept.consents.count() == 1
    assert kept.phase_responses.count() == 1
    assert list(consenting_trajectories(enrolled.study)) == []
    erase = AuditEvent.objects.get(action=PrivacyAction.CLIENT_ERASE)
    assert erase.detail["kept"] == {"research.EnrolledTrajectory": 1}
    assert "research.EnrolledTrajectory" not in erase.detail["deleted"]

    last_day = months_after(ERASED, 6) - dt.timedelta(days=1)
    assert last_day == dt.date(2026, 10, 13)
    report = retention_run(now=_at(last_day))
    assert report.counts()["research_expired"] == 0
    assert EnrolledTrajectory.objects.filter(pk=enrolled.pk).exists()

    report = retention_run(now=_at(last_day + dt.timedelta(days=1)))
    assert report.counts()["research_expired"] == 1
    assert not EnrolledTrajectory.objects.exists()
    assert not ResearchConsent.objects.exists()
    assert not PhaseResponse.objects.exists()
    event = AuditEvent.objects.get(action=Action.STUDY_RECORDS_DELETE)
    assert event.actor is None
    assert event.organisation == organisation
    assert event.detail["reason"] == "keep_period_over"
    assert event.detail["keep_after_erasure_months"] == 6
    assert event.detail["deleted"] == {
        "research.EnrolledTrajectory": 1,
        "research.PhaseResponse": 1,
        "research.ResearchConsent": 1,
    }
    assert key not in str(event.detail)
    assert verify_chain().intact


@pytest.mark.parametrize("answer", ["withdrawn", "refused", "none"])
def test_records_without_a_standing_consent_go_at_the_erasure(enrolled, professional, answer):
    _keep(enrolled.study, 12)
    if answer == "withdrawn":
        consent_record(enrolled=enrolled, given=True, mode="client_flow")
        consent_withdraw(enrolled=enrolled, by=professional)
    elif answer == "refused":
        consent_record(enrolled=enrolled, given=False, mode="client_flow")
    _end(enrolled.trajectory)

    _erase_by_retention()

    assert not EnrolledTrajectory.objects.exists()
    assert not ResearchConsent.objects.exists()


def test_two_studies_with_different_settings_for_the_same_client(
    enrolled, researcher, org_admin, organisation, professional
):
    in_other = _also_in_other_study(enrolled, researcher, org_admin, organisation, professional, 3)
    other = in_other.study
    _end(enrolled.trajectory)

    _erase_by_retention()

    assert not EnrolledTrajectory.objects.filter(study=enrolled.study).exists()
    assert EnrolledTrajectory.objects.get(study=other).pk == in_other.pk

    retention_run(now=_at(dt.date(2026, 7, 13)))
    assert EnrolledTrajectory.objects.filter(pk=in_other.pk).exists()
    retention_run(now=_at(dt.date(2026, 7, 14)))
    assert not EnrolledTrajectory.objects.exists()


def test_the_dry_run_changes_nothing_and_reports_both_kinds(enrolled, professional, team):
    """One client's kept records have run out; another, refusing, is due for erasure."""
    study = _keep(enrolled.study, 6)
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    _end(enrolled.trajectory)
    _erase_by_retention()
    expiry = months_after(ERASED, 6)

    refused = enrol_client(study, professional, team, name="B.W.", consent=False)
    _end(refused.trajectory, ended=months_after(expiry, -24))
    events = AuditEvent.objects.count()

    report = retention_run(dry_run=True, now=_at(expiry))

    counts = report.counts()
    assert counts["due"] == 1
    assert counts["research_deleted_at_erasure"] == 1
    assert counts["research_kept_at_erasure"] == 0
    assert counts["research_expired"] == 1
    text = "\n".join(report.lines())
    assert "research records of the clients due (at their erasure): 0 kept, 1 deleted" in text
    assert "research records past their study's keep period: 1 to delete" in text
    assert f"study {study.name!r}: 1 to delete" in text
    assert EnrolledTrajectory.objects.count() == 2
    assert ResearchConsent.objects.count() == 2
    assert not RetentionNotice.objects.exists()
    assert AuditEvent.objects.count() == events

    call_command("retention", "--dry-run")  # the command prints the same sections
    assert EnrolledTrajectory.objects.count() == 2


def test_records_of_clients_erased_earlier_follow_the_study_from_the_next_run(
    enrolled, researcher, org_admin, organisation, professional
):
    """Erased before studies had the setting: the link is null, no day of erasure."""
    in_keeps = _also_in_other_study(enrolled, researcher, org_admin, organisation, professional, 2)
    EnrolledTrajectory.objects.update(trajectory=None)

    retention_run(now=_at(DUE))

    assert not EnrolledTrajectory.objects.filter(pk=enrolled.pk).exists()
    assert EnrolledTrajectory.objects.get(pk=in_keeps.pk).erased_on == DUE
    event = AuditEvent.objects.get(action=Action.STUDY_RECORDS_DELETE)
    assert event.detail["reason"] == "erased_before"
    retention_run(now=_at(months_after(DUE, 2)))
    assert not EnrolledTrajectory.objects.exists()


def test_an_erasure_on_request_follows_the_study_too(enrolled, org_admin):
    _keep(enrolled.study, 12)
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    client = enrolled.trajectory.client
    client_erase(client=client, by=org_admin, confirmation=client_reference(client))
    kept = EnrolledTrajectory.objects.get()
    assert kept.trajectory is None
    assert kept.erased_on == timezone.localdate()


def test_the_daily_job_returns_the_research_counts(enrolled):
    from alliantiemonitor.jobs.tasks import retention_apply_job

    result = retention_apply_job.call()
    assert result == {
        "due": 0,
        "announced": 0,
        "erased": 0,
        "withdrawn": 0,
        "research_kept_at_erasure": 0,
        "research_deleted_at_erasure": 0,
        "research_expired": 0,
        "research_erased_before_deleted": 0,
    }
