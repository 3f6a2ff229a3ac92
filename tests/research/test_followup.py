"""Follow-up outcomes from a CSV file: the dry run per row, applying, and what stays out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.research.constants import FOLLOWUP_MAX_BYTES, RowStatus
from alliantiemonitor.research.exceptions import (
    FollowUpAlreadyApplied,
    FollowUpExpired,
    FollowUpFileError,
    NotAllowed,
)
from alliantiemonitor.research.followup import (
    followup_apply,
    followup_check,
    followup_dry_run,
    followup_frame,
)
from alliantiemonitor.research.models import FollowUpImport, FollowUpOutcome
from alliantiemonitor.research.services import consent_record, consent_withdraw
from tests.factories import MembershipFactory, UserFactory
from tests.research.conftest import enrol_client, second_trajectory

pytestmark = pytest.mark.django_db

HEADER = "study_key,outcome,date,value\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).encode("utf-8")


def _statuses(report: Any) -> list[str]:
    return [row.status for row in report.rows]


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The messages are asserted in English (the source language; Dutch is the default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def consenting(enrolled: Any) -> Any:
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    return enrolled


# --------------------------------------------------------------------------- the dry run


def test_a_matching_row_is_new_then_unchanged_after_applying(study, consenting, researcher):
    data = _csv(f"{consenting.study_key},recidivism,2025-03-01,1")
    upload, report = followup_dry_run(study=study, by=researcher, data=data, file_name="f.csv")
    assert _statuses(report) == [RowStatus.NEW]
    assert not FollowUpOutcome.objects.exists()  # a dry run writes no outcome

    followup_apply(upload=upload, by=researcher)
    stored = FollowUpOutcome.objects.get()
    assert (stored.enrolled, stored.kind, stored.date, stored.value) == (
        consenting,
        "recidivism",
        dt.date(2025, 3, 1),
        1,
    )
    assert stored.source == upload
    assert stored.imported_by == researcher

    # The same file again: every row unchanged, and applying changes nothing.
    again, second = followup_dry_run(study=study, by=researcher, data=data)
    assert _statuses(second) == [RowStatus.UNCHANGED]
    followup_apply(upload=again, by=researcher)
    assert FollowUpOutcome.objects.get().source == upload


def test_another_value_is_changed_and_applying_replaces_it(study, consenting, researcher):
    key = consenting.study_key
    first, _ = followup_dry_run(
        study=study, by=researcher, data=_csv(f"{key},custody_days,2025-01-01,10")
    )
    followup_apply(upload=first, by=researcher)
    second, report = followup_dry_run(
        study=study, by=researcher, data=_csv(f"{key},custody_days,2025-01-01,12")
    )
    assert _statuses(report) == [RowStatus.CHANGED]
    followup_apply(upload=second, by=researcher)
    assert list(FollowUpOutcome.objects.values_list("value", "source")) == [(12, second.pk)]


def test_keys_compare_without_case_and_spaces(study, consenting):
    key = consenting.study_key
    mangled = f"  {key.lower() if key != key.lower() else key.upper()} "
    report = followup_check(study, _csv(f"{mangled},rearrest,2025-02-02,yes"))
    assert _statuses(report) == [RowStatus.NEW]


def test_unknown_key_and_no_consent_are_one_status(study, consenting, professional, team):
    refused = enrol_client(study, professional, team, consent=False)
    withdrawn = enrol_client(study, professional, team, consent=True)
    consent_withdraw(enrolled=withdrawn, by=professional)
    never_asked = enrol_client(study, professional, team, consent=None)
    report = followup_check(
        study,
        _csv(
            "ZZZZZZZZZZZZ,recidivism,2025-01-01,1",
            f"{refused.study_key},recidivism,2025-01-01,1",
            f"{withdrawn.study_key},recidivism,2025-01-01,1",
            f"{never_asked.study_key},recidivism,2025-01-01,1",
        ),
    )
    assert _statuses(report) == [RowStatus.UNMATCHED] * 4
    # Nothing else in the report tells them apart.
    assert {(row.problems, row.first_line) for row in report.rows} == {((), None)}


def test_an_outcome_already_stored_for_a_withdrawn_client_is_still_unmatched(
    study, consenting, researcher, professional
):
    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1")
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    followup_apply(upload=upload, by=researcher)
    consent_withdraw(enrolled=consenting, by=professional)
    assert _statuses(followup_check(study, data)) == [RowStatus.UNMATCHED]


def test_a_client_with_two_trajectories_is_ambiguous_unless_the_row_says_which(
    study, consenting, professional, team, trajectory
):
    other = second_trajectory(study, trajectory, professional, team)
    consent_record(enrolled=other, given=True, mode="client_flow")
    assert other.study_key == consenting.study_key  # the key is the client's

    key = consenting.study_key
    header = "study_key,outcome,date,value,trajectory\n"
    report = followup_check(
        study,
        _csv(
            f"{key},recidivism,2025-01-01,1,",
            f"{key},recidivism,2025-01-01,1,{other.uuid}",
            f"{key},recidivism,2025-01-01,0,{consenting.uuid}",
            f"{key},recidivism,2025-01-01,0,00000000-0000-4000-8000-000000000000",
            header=header,
        ),
    )
    assert _statuses(report) == [
        RowStatus.AMBIGUOUS,
        RowStatus.NEW,
        RowStatus.NEW,
        RowStatus.UNMATCHED,
    ]
    # The ambiguous row lists the client's consenting trajectories to choose from.
    assert {choice[0] for choice in report.rows[0].choices} == {
        str(consenting.uuid),
        str(other.uuid),
    }
    assert all(row.choices == () for row in report.rows[1:])


def test_one_trajectory_left_with_consent_is_not_ambiguous(
    study, consenting, professional, team, trajectory
):
    other = second_trajectory(study, trajectory, professional, team)
    consent_record(enrolled=other, given=False, mode="client_flow")
    # Ambiguity counts consenting trajectories only: it must not reveal the refusal.
    report = followup_check(study, _csv(f"{consenting.study_key},recidivism,2025-01-01,1"))
    assert _statuses(report) == [RowStatus.NEW]


def test_invalid_rows_name_the_row_and_column(study, consenting):
    key = consenting.study_key
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    report = followup_check(
        study,
        _csv(
            f"{key},recidivism,2025-13-45,1",
            f"{key},speeding,2025-01-01,1",
            f"{key},recidivism,2025-01-01,maybe",
            f"{key},custody_days,2025-01-01,-3",
            ",recidivism,2025-01-01,1",
            f"{key},recidivism,{tomorrow},1",
            f"{key},recidivism,2025-01-01,1,extra",
            f"{key},recidivism,02-01-2025,ja",
        ),
    )
    rows = report.rows
    assert [row.status for row in rows] == [RowStatus.INVALID] * 7 + [RowStatus.NEW]
    assert [row.line for row in rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert [[p.column for p in row.problems] for row in rows[:7]] == [
        ["date"],
        ["outcome"],
        ["value"],
        ["value"],
        ["study_key"],
        ["date"],
        [""],
    ]
    assert "speeding" in rows[1].problems[0].message


def test_a_repeated_row_is_a_duplicate_of_the_first(study, consenting):
    key = consenting.study_key
    report = followup_check(
        study,
        _csv(
            f"{key},recidivism,2025-01-01,1",
            f"{key.lower()},recidivism,2025-01-01,0",
            f"{key},recidivism,2025-06-01,1",
        ),
    )
    assert _statuses(report) == [RowStatus.NEW, RowStatus.DUPLICATE, RowStatus.NEW]
    assert report.rows[1].first_line == 2
    assert len(report.writes) == 2


def test_semicolons_a_bom_and_blank_lines_are_read(study, consenting):
    data = (
        "\ufeffStudy_Key;Outcome;Date;Value\r\n\r\n"
        f"{consenting.study_key};reconviction;2025-01-01;0\r\n"
    ).encode()
    assert _statuses(followup_check(study, data)) == [RowStatus.NEW]


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (HEADER.encode(), "no rows"),
        (b"study_key,outcome,date\nA,recidivism,2025-01-01\n", "value"),
        (b"study_key,outcome,date,value,value\nA,b,c,d,e\n", "more than once"),
        ("study_key,outcome,date,value\nÄ,b,c,d\n".encode("latin-1"), "UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV"),
        (b'study_key,outcome,date,value\n"A,recidivism', "line"),
        (b"x" * (FOLLOWUP_MAX_BYTES + 1), "larger than 5 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_stored(
    study, researcher, data, message
):
    with pytest.raises(FollowUpFileError) as refused:
        followup_dry_run(study=study, by=researcher, data=data)
    assert message in str(refused.value.message)
    assert not FollowUpImport.objects.exists()
    assert not AuditEvent.objects.filter(action="followup.dry_run").exists()


def test_too_many_rows_are_refused(study, monkeypatch):
    monkeypatch.setattr("alliantiemonitor.research.followup.FOLLOWUP_MAX_ROWS", 2)
    with pytest.raises(FollowUpFileError, match="more than 2 rows"):
        followup_check(study, _csv(*["A,recidivism,2025-01-01,1"] * 3))


# --------------------------------------------------------------------------- who, when, audit


def test_only_a_researcher_of_the_study_imports(study, consenting, researcher, professional):
    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1")
    stranger = UserFactory(username="onderzoeker.elders")
    MembershipFactory(
        user=stranger, organisation=study.enrolments.get().organisation, role="researcher"
    )
    for user in (professional, stranger):
        with pytest.raises(NotAllowed):
            followup_dry_run(study=study, by=user, data=data)
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    with pytest.raises(NotAllowed):
        followup_apply(upload=upload, by=stranger)
    assert not FollowUpOutcome.objects.exists()


def test_a_second_confirmation_changes_nothing(study, consenting, researcher):
    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1")
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    followup_apply(upload=upload, by=researcher)
    with pytest.raises(FollowUpAlreadyApplied):
        followup_apply(upload=upload, by=researcher)
    assert FollowUpOutcome.objects.count() == 1
    assert AuditEvent.objects.filter(action="followup.import").count() == 1
    upload.refresh_from_db()
    assert upload.content == ""  # the file is not kept once applied


def test_the_worker_clears_follow_up_files_that_can_no_longer_be_confirmed(
    study, consenting, researcher
):
    from alliantiemonitor.jobs.tasks import followup_imports_expire_job

    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1")
    old, _ = followup_dry_run(study=study, by=researcher, data=data)
    fresh, _ = followup_dry_run(study=study, by=researcher, data=data)
    FollowUpImport.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert followup_imports_expire_job.call() == 1
    assert followup_imports_expire_job.call() == 0  # idempotent
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.content == ""
    assert consenting.study_key in fresh.content
    with pytest.raises(FollowUpExpired):
        followup_apply(upload=old, by=researcher)
    assert followup_apply(upload=fresh, by=researcher).counts


def test_an_old_dry_run_cannot_be_confirmed(study, consenting, researcher):
    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1")
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    FollowUpImport.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(days=2)
    )
    with pytest.raises(FollowUpExpired):
        followup_apply(upload=upload, by=researcher)
    assert not FollowUpOutcome.objects.exists()


def test_a_withdrawal_after_the_dry_run_keeps_the_row_out(
    study, consenting, researcher, professional
):
    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1")
    upload, report = followup_dry_run(study=study, by=researcher, data=data)
    assert _statuses(report) == [RowStatus.NEW]
    consent_withdraw(enrolled=consenting, by=professional)
    applied = followup_apply(upload=upload, by=researcher)
    assert _statuses(applied) == [RowStatus.UNMATCHED]
    assert not FollowUpOutcome.objects.exists()


def test_dry_run_and_import_are_audited_with_counts_and_no_keys(study, consenting, researcher):
    data = _csv(f"{consenting.study_key},recidivism,2025-01-01,1", "NOPE,recidivism,2025-01-01,1")
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    followup_apply(upload=upload, by=researcher)
    events = AuditEvent.objects.filter(action__startswith="followup.").order_by("pk")
    assert [event.action for event in events] == ["followup.dry_run", "followup.import"]
    for event in events:
        assert event.actor == researcher
        assert event.object_uuid == upload.uuid
        assert event.detail["counts"]["new"] == 1
        assert event.detail["counts"]["unmatched"] == 1
        assert consenting.study_key not in str(event.detail)


# --------------------------------------------------------------------------- the frame


def test_followup_frame_has_consenting_outcomes_only(
    study, consenting, researcher, professional, team
):
    other = enrol_client(study, professional, team, consent=True)
    data = _csv(
        f"{consenting.study_key},recidivism,2025-01-01,1",
        f"{consenting.study_key},custody_days,2025-02-01,30",
        f"{other.study_key},recidivism,2025-03-01,0",
    )
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    followup_apply(upload=upload, by=researcher)

    frame = followup_frame(study)
    assert list(frame.columns) == ["study_key", "outcome", "date", "value"]
    assert len(frame) == 3
    assert frame["value"].dtype == "int64"
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])

    consent_withdraw(enrolled=other, by=professional)
    frame = followup_frame(study)
    assert set(frame["study_key"]) == {consenting.study_key}
    assert frame.sort_values("outcome")[["outcome", "value"]].values.tolist() == [
        ["custody_days", 30],
        ["recidivism", 1],
    ]


def test_followup_frame_of_a_study_without_outcomes_is_empty_with_its_columns(study):
    frame = followup_frame(study)
    assert frame.empty
    assert list(frame.columns) == ["study_key", "outcome", "date", "value"]
    with_ids = followup_frame(study, trajectory_ids=True)
    assert with_ids.empty
    assert list(with_ids.columns) == ["study_key", "outcome", "date", "value", "trajectory_id"]


def test_followup_frame_names_the_trajectory_of_a_client_with_two(
    study, consenting, researcher, professional, team, trajectory
):
    other = second_trajectory(study, trajectory, professional, team)
    consent_record(enrolled=other, given=True, mode="client_flow")
    key = consenting.study_key
    data = _csv(
        f"{key},recidivism,2025-01-01,1,{other.uuid}",
        f"{key},recidivism,2025-02-01,0,{consenting.uuid}",
        header="study_key,outcome,date,value,trajectory\n",
    )
    upload, _ = followup_dry_run(study=study, by=researcher, data=data)
    followup_apply(upload=upload, by=researcher)

    frame = followup_frame(study, trajectory_ids=True)
    assert frame[["trajectory_id", "value"]].values.tolist() == [
        [str(other.trajectory.uuid), 1],
        [str(consenting.trajectory.uuid), 0],
    ]
    assert list(followup_frame(study).columns) == ["study_key", "outcome", "date", "value"]


# --------------------------------------------------------------------------- the command


def test_the_command_checks_then_applies(study, consenting, researcher, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "uitkomsten.csv"
    path.write_bytes(_csv(f"{consenting.study_key},recidivism,2025-01-01,1", "X,recidivism,2,1"))
    args = ["--study", str(study.uuid), "--file", str(path), "--user", researcher.username]
    out = StringIO()
    call_command("followup_import", *args, stdout=out)
    assert "line 3: invalid – date:" in out.getvalue()
    assert "Dry run (nothing changed): new 1" in out.getvalue()
    assert not FollowUpOutcome.objects.exists()

    out = StringIO()
    call_command("followup_import", *args, "--apply", stdout=out)
    assert "Imported: new 1" in out.getvalue()
    assert FollowUpOutcome.objects.get().enrolled == consenting


def test_the_command_refuses_a_bad_file_and_a_stranger(study, researcher, professional, tmp_path):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    path = tmp_path / "leeg.csv"
    path.write_bytes(b"")
    args = ["--study", str(study.uuid), "--file", str(path)]
    with translation.override("en"):
        with pytest.raises(CommandError, match="empty"):
            call_command("followup_import", *args, "--user", researcher.username)
        with pytest.raises(CommandError, match="may not"):
            call_command("followup_import", *args, "--user", professional.username)
        with pytest.raises(CommandError, match="No such study"):
            call_command("followup_import", "--study", "nope", "--file", str(path), "--user", "x")
    assert not FollowUpImport.objects.exists()


def test_a_header_of_many_doubled_columns_is_refused_quickly(study):
    """The doubled-column check counts once (it called header.count per column: quadratic,
    the twin of the caseload import's finding) and names the column once."""
    import time

    from django.utils import translation

    header = ",".join(["study_key"] * 100_000)
    started = time.process_time()
    with translation.override("en"), pytest.raises(FollowUpFileError) as refused:
        followup_check(study, f"{header}\n".encode())
    assert time.process_time() - started < 2
    assert "study_key more than once" in str(refused.value.message)
