"""The caseload import: every problem by row and column, dry run, all-or-nothing import."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.imports.constants import CASELOAD_MAX_BYTES, Problem, RowStatus
from alliantiemonitor.imports.exceptions import (
    ImportAlreadyApplied,
    ImportExpired,
    ImportFileError,
    ImportHasProblems,
    NotAnOrganisationAdmin,
)
from alliantiemonitor.imports.models import CaseloadImport
from alliantiemonitor.imports.services import caseload_apply, caseload_check, caseload_dry_run
from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.trajectories.constants import TrajectoryStatus
from alliantiemonitor.trajectories.models import Assignment, Client, OutcomeEvent, Trajectory
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,display_name,language,domain,team,professional,start_date,end_date,end_reason"
START = "2026-01-05"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n" + "".join(f"{row}\n" for row in rows)).encode("utf-8")


def _row(
    external_id: str = "ZAAK-1",
    name: str = "A.B.",
    language: str = "nl",
    domain: str = "reclassering",
    team: str = "Team Noord",
    professional: str = "pro.jansen",
    start: str = START,
    end: str = "",
    reason: str = "",
) -> str:
    return ",".join([external_id, name, language, domain, team, professional, start, end, reason])


def _problems(report: Any) -> list[tuple[int, str, str]]:
    return [(row.line, p.column, p.kind) for row in report.rows for p in row.problems]


def _snapshot() -> tuple[int, ...]:
    return (
        Client.objects.count(),
        Trajectory.objects.count(),
        Assignment.objects.count(),
        OutcomeEvent.objects.count(),
    )


def _import(organisation: Any, by: Any, data: bytes) -> Any:
    upload, _report = caseload_dry_run(organisation=organisation, by=by, data=data)
    return caseload_apply(upload=upload, by=by)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The messages are asserted in English (the source language; Dutch is the default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(organisation: Any, team: Any, professional: Any, colleague: Any, org_admin: Any) -> Any:
    return organisation


# --------------------------------------------------------------------------- the dry run


def test_every_problem_kind_is_reported_with_its_row_and_column(world, outsider):
    data = _csv(
        _row("Z1", professional="niemand@example.org"),
        _row("Z2", team="Team Zuid"),
        _row("Z3", start="31-02-2026"),
        _row("Z4", start="5 januari"),
        _row("Z3"),
        _row("Z5", name=""),
        _row("", name="C.D."),
        _row("Z6", language="klingon"),
        _row("Z7", domain="jeugdbescherming"),
        _row("Z8", domain="tuinbouw"),
        _row("Z9", professional=outsider.username),
        _row("Z10", end="2026-01-01", reason="regular_completion"),
        _row("Z11", end="2026-02-01"),
        _row("Z12", name="Jan 123456789"),
        _row("Z13", end=(timezone.localdate() + dt.timedelta(days=2)).isoformat(), reason="x"),
    )
    report = caseload_check(world, data)
    assert _problems(report) == [
        (2, "professional", Problem.UNKNOWN_PROFESSIONAL),
        (3, "team", Problem.UNKNOWN_TEAM),
        (4, "start_date", Problem.BAD_DATE),
        (5, "start_date", Problem.BAD_DATE),
        (6, "external_id", Problem.DUPLICATE),
        (7, "display_name", Problem.MISSING),
        (8, "external_id", Problem.MISSING),
        (9, "language", Problem.BAD_LANGUAGE),
        (10, "domain", Problem.BAD_DOMAIN),
        (11, "domain", Problem.BAD_DOMAIN),
        (12, "professional", Problem.UNKNOWN_PROFESSIONAL),
        (13, "end_date", Problem.BAD_DATE),
        (14, "end_reason", Problem.MISSING),
        (15, "display_name", Problem.BAD_VALUE),
        (16, "end_date", Problem.BAD_DATE),
        (16, "end_reason", Problem.BAD_VALUE),
    ]
    assert all(row.status == RowStatus.INVALID for row in report.rows)
    duplicate = report.rows[4].problems[0]
    assert "line 4" in duplicate.message
    assert report.has_problems


def test_the_dry_run_writes_nothing_but_its_own_record(world, org_admin):
    before = _snapshot()
    upload, report = caseload_dry_run(
        organisation=world, by=org_admin, data=_csv(_row("Z1"), _row("Z2"))
    )
    assert report.counts == {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    assert _snapshot() == before
    assert not upload.is_applied


def test_professional_by_email_and_headers_by_their_dutch_names(world, org_admin, professional):
    header = "Extern ID;Weergavenaam;Taal;Domein;Team;Begeleider;Startdatum;Einddatum"
    data = _csv(
        f"Z1;A.B.;Engels;Reclassering;team noord;{professional.email.upper()};05-01-2026;",
        header=header,
    )
    report = _import(world, org_admin, data)
    assert report.counts["new"] == 1
    trajectory = Trajectory.objects.get(external_id="Z1")
    assert trajectory.client.preferred_language == "en"
    assert trajectory.team.name == "Team Noord"
    assert trajectory.current_assignment.professional == professional
    assert trajectory.start_date == dt.date(2026, 1, 5)


def test_a_file_with_a_byte_order_mark_and_semicolons_is_read(world, org_admin):
    data = "\ufeff" + HEADER.replace(",", ";") + "\n" + _row("Z1").replace(",", ";") + "\n"
    report = caseload_check(world, data.encode("utf-8"))
    assert [row.status for row in report.rows] == [RowStatus.NEW]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (HEADER.encode(), "no rows"),
        (b"external_id,display_name\nZ1,A.B.\n", "misses the column"),
        ((HEADER + ",extra\n" + _row() + ",1\n").encode(), "does not know"),
        ("external_id,display_name\nÄ,b\n".encode("latin-1"), "UTF-8"),
        (b"x" * (CASELOAD_MAX_BYTES + 1), "larger than 1 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_stored(
    world, org_admin, data, message
):
    with pytest.raises(ImportFileError) as refused:
        caseload_dry_run(organisation=world, by=org_admin, data=data)
    assert message in str(refused.value.message)
    assert not CaseloadImport.objects.exists()


def test_more_than_a_thousand_rows_are_refused(world):
    rows = [_row(f"Z{n}") for n in range(1001)]
    with pytest.raises(ImportFileError, match="more than 1000 rows"):
        caseload_check(world, _csv(*rows))


def test_a_thousand_rows_are_read(world):
    rows = [_row(f"Z{n}") for n in range(1000)]
    assert caseload_check(world, _csv(*rows)).counts["new"] == 1000


# --------------------------------------------------------------------------- the import


def test_import_then_the_same_file_again_changes_nothing(world, org_admin, professional):
    data = _csv(
        _row("Z1", name="A.B."),
        _row("Z2", name="C.D.", team=""),
        _row("Z3", name="E.F.", end="2026-02-01", reason="regular_completion"),
    )
    first = _import(world, org_admin, data)
    assert first.counts == {"new": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    ended = Trajectory.objects.get(external_id="Z3")
    assert ended.status == TrajectoryStatus.ENDED
    assert ended.end_date == dt.date(2026, 2, 1)
    assert Trajectory.objects.get(external_id="Z2").team is None
    after_first = _snapshot()
    events = AuditEvent.objects.exclude(action__startswith="caseload_import").count()

    second = _import(world, org_admin, data)
    assert second.counts == {"new": 0, "updated": 0, "unchanged": 3, "invalid": 0}
    assert _snapshot() == after_first
    assert AuditEvent.objects.exclude(action__startswith="caseload_import").count() == events


def test_a_changed_row_hands_over_and_ends(world, org_admin, professional, colleague):
    _import(world, org_admin, _csv(_row("Z1"), _row("Z2")))
    trajectory = Trajectory.objects.get(external_id="Z2")
    measurement_round = round_start(trajectory=trajectory, by=professional)
    changed = _csv(
        _row("Z1", professional=colleague.email),
        _row("Z2", end="2026-03-01", reason="premature_end_negative"),
    )
    report = caseload_check(world, changed)
    assert [row.status for row in report.rows] == [RowStatus.UPDATED, RowStatus.UPDATED]
    _import(world, org_admin, changed)
    moved = Trajectory.objects.get(external_id="Z1")
    assert moved.current_assignment.professional == colleague
    assert moved.current_assignment.handed_over_from.professional == professional
    trajectory.refresh_from_db()
    assert trajectory.status == TrajectoryStatus.ENDED
    assert trajectory.outcome_events.get().kind == "premature_end_negative"
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.CANCELLED


def test_other_differences_are_noted_and_kept(world, org_admin):
    _import(world, org_admin, _csv(_row("Z1")))
    report = caseload_check(world, _csv(_row("Z1", name="X.Y.", language="en", team="")))
    (row,) = report.rows
    assert row.status == RowStatus.UNCHANGED
    assert [note.column for note in row.notes] == ["display_name", "language", "team"]
    assert Trajectory.objects.get(external_id="Z1").client.display_name == "A.B."


def test_an_ended_trajectory_cannot_change_by_import(world, org_admin, colleague):
    _import(world, org_admin, _csv(_row("Z1", end="2026-02-01", reason="regular_completion")))
    report = caseload_check(
        world,
        _csv(
            _row("Z1", end="2026-02-02", reason="regular_completion", professional="pro.jansen"),
        ),
    )
    assert _problems(report) == [(2, "end_date", Problem.CONFLICT)]
    report = caseload_check(world, _csv(_row("Z1", professional=colleague.username)))
    assert _problems(report) == [(2, "professional", Problem.CONFLICT)]
    # Without an end date the monitor's end stands: unchanged, with a note.
    (row,) = caseload_check(world, _csv(_row("Z1"))).rows
    assert row.status == RowStatus.UNCHANGED
    assert [note.column for note in row.notes] == ["end_date"]


def test_one_row_with_a_problem_means_nothing_is_imported(world, org_admin):
    before = _snapshot()
    upload, report = caseload_dry_run(
        organisation=world, by=org_admin, data=_csv(_row("Z1"), _row("Z2", team="Onbekend"))
    )
    assert report.counts["invalid"] == 1
    with pytest.raises(ImportHasProblems):
        caseload_apply(upload=upload, by=org_admin)
    assert _snapshot() == before
    assert not AuditEvent.objects.filter(action="caseload_import.import").exists()


def test_a_problem_that_appears_after_the_dry_run_stops_the_whole_import(
    world, org_admin, colleague
):
    upload, report = caseload_dry_run(
        organisation=world,
        by=org_admin,
        data=_csv(_row("Z1"), _row("Z2", professional=colleague.username)),
    )
    assert not report.has_problems
    colleague.memberships.update(active=False)
    before = _snapshot()
    with pytest.raises(ImportHasProblems):
        caseload_apply(upload=upload, by=org_admin)
    assert _snapshot() == before


def test_a_refusal_while_writing_undoes_every_row(world, org_admin, monkeypatch):
    """All or nothing even when a service refuses halfway (after the check)."""
    from alliantiemonitor.imports import services as caseload

    upload, _report = caseload_dry_run(
        organisation=world, by=org_admin, data=_csv(_row("Z1"), _row("Z2"))
    )
    calls = []

    def failing_start(**kwargs: Any) -> Any:
        calls.append(kwargs["external_id"])
        if len(calls) == 2:
            raise ImportHasProblems()
        return trajectory_start(**kwargs)

    monkeypatch.setattr(caseload, "trajectory_start", failing_start)
    before = _snapshot()
    with pytest.raises(ImportHasProblems):
        caseload_apply(upload=upload, by=org_admin)
    assert calls == ["Z1", "Z2"]
    assert _snapshot() == before


def test_names_are_stored_as_text_never_run(world, org_admin):
    name = '=HYPERLINK("http://example.org","A")'
    data = _csv(f'Z1,"{name.replace(chr(34), chr(34) * 2)}",nl,reclassering,,pro.jansen,{START},,')
    _import(world, org_admin, data)
    assert Trajectory.objects.get(external_id="Z1").client.display_name == name


def test_an_external_id_of_another_organisation_is_a_new_trajectory(
    world, org_admin, other_organisation, outsider
):
    client = ClientFactory(organisation=other_organisation, display_name="G.H.")
    trajectory_start(
        client=client,
        professional=outsider,
        legal_frame="",
        start_date=dt.date(2026, 1, 1),
        external_id="Z1",
    )
    (row,) = caseload_check(world, _csv(_row("Z1"))).rows
    assert row.status == RowStatus.NEW


# --------------------------------------------------------------------------- who, when, audit


def test_only_an_organisation_admin_imports(world, professional, team_lead, outsider, org_admin):
    admin_elsewhere = UserFactory(username="beheer.elders")
    MembershipFactory(
        user=admin_elsewhere,
        organisation=outsider.memberships.get().organisation,
        role="org_admin",
    )
    for user in (professional, team_lead, admin_elsewhere):
        with pytest.raises(NotAnOrganisationAdmin):
            caseload_dry_run(organisation=world, by=user, data=_csv(_row()))
    upload, _report = caseload_dry_run(organisation=world, by=org_admin, data=_csv(_row()))
    with pytest.raises(NotAnOrganisationAdmin):
        caseload_apply(upload=upload, by=admin_elsewhere)
    assert not Trajectory.objects.exists()


def test_a_second_confirmation_and_an_old_dry_run_change_nothing(world, org_admin):
    upload, _report = caseload_dry_run(organisation=world, by=org_admin, data=_csv(_row()))
    caseload_apply(upload=upload, by=org_admin)
    with pytest.raises(ImportAlreadyApplied):
        caseload_apply(upload=upload, by=org_admin)
    upload.refresh_from_db()
    assert upload.content == ""

    old, _report = caseload_dry_run(organisation=world, by=org_admin, data=_csv(_row("Z2")))
    CaseloadImport.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(hours=2)
    )
    with pytest.raises(ImportExpired):
        caseload_apply(upload=old, by=org_admin)
    assert Trajectory.objects.count() == 1


def test_the_worker_clears_files_that_can_no_longer_be_confirmed(world, org_admin):
    from alliantiemonitor.jobs.tasks import caseload_imports_expire_job

    old, _report = caseload_dry_run(organisation=world, by=org_admin, data=_csv(_row("Z1")))
    fresh, _report = caseload_dry_run(organisation=world, by=org_admin, data=_csv(_row("Z2")))
    CaseloadImport.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert caseload_imports_expire_job.call() == 1
    assert caseload_imports_expire_job.call() == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.content == ""
    assert "Z2" in fresh.content


def test_both_steps_are_audited_with_who_the_hash_and_the_counts(world, org_admin):
    data = _csv(_row("Z1"), _row("Z2"))
    _import(world, org_admin, data)
    digest = hashlib.sha256(data).hexdigest()
    dry_run = AuditEvent.objects.get(action="caseload_import.dry_run")
    done = AuditEvent.objects.get(action="caseload_import.import")
    for event in (dry_run, done):
        assert event.actor == org_admin
        assert event.organisation == world
        assert event.detail["sha256"] == digest
        assert event.detail["counts"]["new"] == 2
        assert "A.B." not in str(event.detail)
    # Each client and trajectory made is audited by its own service, under the admin.
    assert AuditEvent.objects.filter(action="client.create", actor=org_admin).count() == 2
    assert AuditEvent.objects.filter(action="trajectory.start", actor=org_admin).count() == 2


def test_a_header_of_a_hundred_thousand_doubled_columns_is_refused_quickly(world, org_admin):
    """The doubled-column check counts once (it counted per column: quadratic in the header,
    about 13 s of CPU for a 1 MB header; review finding) and names the column once."""
    import time

    header = ";".join(["team"] * 100_000)
    started = time.process_time()
    with pytest.raises(ImportFileError) as refused:
        caseload_dry_run(organisation=world, by=org_admin, data=f"{header}\n".encode())
    assert time.process_time() - started < 2
    assert "team" in str(refused.value.message)
    assert len(str(refused.value.message)) < 300


def test_erasing_a_client_clears_the_files_waiting_for_confirmation(
    world, org_admin, other_organisation
):
    # A file checked before the erasure may name the client; confirming it afterwards would
    # bring the client back. It is cleared: the confirmation says so, and nothing is written.
    from alliantiemonitor.trajectories.services import client_erase, client_reference

    _import(world, org_admin, _csv(_row("Z1", name="E.R.")))
    erased = Client.objects.get(display_name="E.R.")
    waiting, _report = caseload_dry_run(
        organisation=world, by=org_admin, data=_csv(_row("Z1", name="E.R."), _row("Z2"))
    )
    elsewhere = CaseloadImport.objects.create(
        organisation=other_organisation, sha256="0" * 64, content="external_id\nX\n"
    )
    client_erase(client=erased, by=org_admin, confirmation=client_reference(erased))
    waiting.refresh_from_db()
    assert waiting.content == ""
    with pytest.raises(ImportExpired):
        caseload_apply(upload=waiting, by=org_admin)
    assert not Client.objects.filter(display_name="E.R.").exists()
    assert Trajectory.objects.count() == 0
    # Another organisation's waiting file is not this erasure's business.
    elsewhere.refresh_from_db()
    assert elsewhere.content


def _locked_tables(queries: list[dict[str, str]]) -> list[str]:
    """The tables of the ``SELECT … FOR UPDATE`` statements, in the order they ran."""
    return [
        q["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
        for q in queries
        if q["sql"].startswith("SELECT") and "FOR UPDATE" in q["sql"]
    ]


def test_erasure_and_confirmation_take_their_locks_in_the_same_order(world, org_admin):
    """Organisation first, in both: an erasure (client, then the organisation's waiting files)
    and a confirmation (the file, then the clients it writes) at the same second took them in
    opposite orders, and PostgreSQL aborted one of them with a deadlock (an error page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alliantiemonitor.trajectories.services import client_erase, client_reference

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole database)")
    _import(world, org_admin, _csv(_row("Z1", name="E.R.")))
    waiting, _report = caseload_dry_run(
        organisation=world, by=org_admin, data=_csv(_row("Z3", name="K.M."))
    )
    with CaptureQueriesContext(connection) as confirming:
        caseload_apply(upload=waiting, by=org_admin)
    erased = Client.objects.get(display_name="E.R.")
    with CaptureQueriesContext(connection) as erasing:
        client_erase(client=erased, by=org_admin, confirmation=client_reference(erased))

    assert _locked_tables(confirming.captured_queries)[:2] == [
        "organisations_organisation",
        "imports_caseloadimport",
    ]
    assert _locked_tables(erasing.captured_queries)[:2] == [
        "organisations_organisation",
        "trajectories_client",
    ]
    waiting.refresh_from_db()
    assert waiting.applied_at is not None
    assert not Client.objects.filter(display_name="E.R.").exists()
