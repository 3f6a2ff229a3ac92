"""A study's exports built by the worker: consenting clients only, one key, audited, expiring."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.common.reauth import FULL_AUTH_KEY
from alliantiemonitor.research import outputs as outputs_module
from alliantiemonitor.research.followup import followup_apply, followup_dry_run
from alliantiemonitor.research.models import StudyOutput
from alliantiemonitor.research.outputs import (
    OutputError,
    output_build,
    output_folder,
    output_request,
    outputs_expire,
    outputs_to_build,
)
from alliantiemonitor.research.phase_responses import phase_response_submit
from alliantiemonitor.research.services import consent_withdraw
from tests.factories import MembershipFactory, UserFactory
from tests.research.conftest import enrol_client, rounds_of_trust

pytestmark = pytest.mark.django_db

EXPORT = {"export-layout": "long", "export-dates": "month", "export-formats": ["csv", "sav"]}


def _browser(user: Any) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


@pytest.fixture
def keep_the_test_connection(monkeypatch: Any) -> None:
    """The worker closes stale connections between jobs; in a test that would close the
    connection holding the test's transaction (PostgreSQL), so it keeps it here."""
    from alliantiemonitor.jobs import worker as worker_module

    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def three(study: Any, professional: Any, team: Any) -> tuple[Any, Any, Any]:
    """Yes (two rounds); withdrawn after a yes (two rounds); refused (one round)."""
    yes = enrol_client(study, professional, team, name="Anna Ja")
    withdrawn = enrol_client(study, professional, team, name="Bert Later")
    refused = enrol_client(study, professional, team, name="Cor Nee", consent=False)
    rounds_of_trust(yes.trajectory, professional, [4, 5])
    rounds_of_trust(withdrawn.trajectory, professional, [2, 3])
    rounds_of_trust(refused.trajectory, professional, [1])
    consent_withdraw(enrolled=withdrawn, by=professional)
    return yes, withdrawn, refused


def _request(study: Any, by: Any, **options: Any) -> StudyOutput:
    wanted = {"layout": "long", "dates": "month", "formats": ["csv", "sav"], **options}
    output, created = output_request(study=study, by=by, kind="export", options=wanted)
    assert created
    return output


def _download(browser: Client, output: StudyOutput, name: str) -> bytes:
    url = reverse("research:output_download", args=[output.study.uuid, output.uuid, name])
    response = browser.get(url)
    assert response.status_code == 200, name
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_the_researcher_asks_the_worker_builds_and_the_download_is_audited(
    study, three, researcher, django_capture_on_commit_callbacks, keep_the_test_connection
):
    yes, withdrawn, refused = three
    browser = _browser(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        page = browser.post(
            reverse("research:outputs", args=[study.uuid]), {**EXPORT, "kind": "export"}
        )
    assert page.status_code == 302
    output = StudyOutput.objects.get(study=study)
    assert output.state == "queued"
    assert AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_REQUEST).count() == 1

    # The request enqueued its job; one batch of the worker builds it.
    call_command("worker", "--batch", "--no-startup-delay", "--no-periodic", stdout=StringIO())
    output.refresh_from_db()
    assert output.state == "ready", output.error
    names = {entry["name"] for entry in output.files}
    assert {"responses.csv", "responses.sav", "codebook.json", "codebook.html"} <= names
    assert output.summary["trajectories"] == 1
    assert output.expires_at > timezone.now() + dt.timedelta(days=6)

    listing = browser.get(reverse("research:outputs", args=[study.uuid])).content.decode()
    assert "responses.sav" in listing

    table = pd.read_csv(io.BytesIO(_download(browser, output, "responses.csv")))
    assert set(table["client_id"]) == {yes.study_key}  # the study key, in every file
    assert len(table) == 4  # two rounds, two parties
    assert set(table["round_date"].astype(str).str.len()) == {7}  # YYYY-MM
    everything = b"".join(
        (output_folder(output) / entry["name"]).read_bytes() for entry in output.files
    )
    for enrolled in three:
        client = enrolled.trajectory.client
        assert str(client.uuid).encode() not in everything
        assert client.display_name.encode() not in everything
        assert str(enrolled.trajectory.uuid).encode() not in everything
    assert withdrawn.study_key.encode() not in everything
    assert refused.study_key.encode() not in everything

    codebook = json.loads(_download(browser, output, "codebook.json"))
    sha = {entry["name"]: entry["sha256"] for entry in output.files}
    assert codebook["files"]["csv"]["sha256"] == sha["responses.csv"]
    downloads = AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_DOWNLOAD)
    assert [event.detail["file"] for event in downloads.order_by("pk")] == [
        "responses.csv",
        "codebook.json",
    ]
    # The worker's build is an event of its own: the system's, with every file's hash.
    build = AuditEvent.objects.get(action=Action.STUDY_OUTPUT_BUILD)
    assert build.actor is None
    assert build.client is None
    assert build.detail["state"] == "ready"
    assert build.detail["trajectories"] == 1
    assert {f["name"]: f["sha256"] for f in build.detail["files"]} == sha


def test_followup_and_phase_answers_share_the_clients_key(study, three, researcher, phase):
    yes = three[0]
    data = f"study_key,outcome,date,value\n{yes.study_key.upper()},recidivism,2026-03-14,1\n"
    upload, _report = followup_dry_run(study=study, by=researcher, data=data.encode())
    followup_apply(upload=upload, by=researcher)
    phase_response_submit(
        enrolled=yes,
        phase=phase,
        questionnaire="motivatie",
        answers={"mot_change": 5, "mot_goals": 4},
        mode="telephone",
        by=researcher,
    )
    output = _request(study, researcher, formats=["csv", "parquet", "sav"])
    assert output_build(output.uuid) == "ready"
    output.refresh_from_db()
    folder = output_folder(output)
    followups = pd.read_csv(folder / "followup_responses.csv")
    assert followups.to_dict("records") == [
        {"client_id": yes.study_key, "outcome": "recidivism", "date": "2026-03", "value": 1}
    ]
    phases = pd.read_parquet(folder / "phases_responses.parquet")
    assert list(phases["client_id"]) == [yes.study_key]
    assert phases.loc[0, "motivatie_mot_change"] == 5
    assert (folder / "phases_responses.sav").exists()
    assert (folder / "followup_codebook.json").exists()


def test_shifted_dates_move_every_file_of_a_client_by_the_same_days(study, three, researcher):
    yes = three[0]
    data = f"study_key,outcome,date,value\n{yes.study_key},rearrest,2026-03-14,1\n"
    upload, _report = followup_dry_run(study=study, by=researcher, data=data.encode())
    followup_apply(upload=upload, by=researcher)
    output = _request(study, researcher, dates="shift", formats=["parquet"])
    assert output_build(output.uuid) == "ready"
    folder = output_folder(output)
    shifted = pd.read_parquet(folder / "followup_responses.parquet").loc[0, "date"]
    responses = pd.read_parquet(folder / "responses.parquet")
    original_start = yes.trajectory.start_date
    start = pd.Timestamp(responses["start_date"].iloc[0]).date()
    assert shifted != dt.date(2026, 3, 14)
    # One shift per client: the days between the start and the outcome are kept.
    assert (pd.Timestamp(shifted).date() - start) == (dt.date(2026, 3, 14) - original_start)


def test_a_withdrawal_before_the_build_leaves_the_client_out(
    study, three, researcher, professional
):
    yes = three[0]
    other = enrol_client(study, professional, yes.trajectory.team, name="Dirk Ook")
    rounds_of_trust(other.trajectory, professional, [3])
    output = _request(study, researcher)
    consent_withdraw(enrolled=yes, by=professional)
    assert output_build(output.uuid) == "ready"
    table = pd.read_csv(output_folder(output) / "responses.csv")
    assert set(table["client_id"]) == {other.study_key}


def test_a_double_request_builds_once_and_a_second_build_changes_nothing(study, three, researcher):
    first = _request(study, researcher)
    again, created = output_request(
        study=study,
        by=researcher,
        kind="export",
        options={"layout": "long", "dates": "month", "formats": ["sav", "csv"]},
    )
    assert (again.pk, created) == (first.pk, False)
    assert output_build(first.uuid) == "ready"
    first.refresh_from_db()
    built = (first.finished_at, first.files)
    assert output_build(first.uuid) == "ready"
    first.refresh_from_db()
    assert (first.finished_at, first.files) == built
    # Once built, the same request is a new one.
    assert _request(study, researcher).pk != first.pk


def test_a_build_another_worker_runs_is_left_alone_until_it_goes_silent(study, three, researcher):
    output = _request(study, researcher)
    StudyOutput.objects.filter(pk=output.pk).update(state="running", started_at=timezone.now())
    assert output_build(output.uuid) == "running"
    assert outputs_to_build() == []
    silent = timezone.now() - dt.timedelta(hours=1)
    StudyOutput.objects.filter(pk=output.pk).update(started_at=silent)
    assert outputs_to_build() == [str(output.uuid)]
    assert output_build(output.uuid) == "ready"


def test_nothing_to_export_is_refused_with_a_message(study, researcher, professional, team):
    enrol_client(study, professional, team, consent=False)
    browser = _browser(researcher)
    page = browser.post(
        reverse("research:outputs", args=[study.uuid]), {**EXPORT, "kind": "export"}
    )
    assert page.status_code == 400
    assert "nothing to use yet" in page.content.decode()
    assert not StudyOutput.objects.exists()


@pytest.mark.parametrize(
    "posted",
    [
        {"kind": "export", "export-layout": "diagonal", "export-dates": "month"},
        {"kind": "export", "export-layout": "long", "export-dates": "month"},  # no format
        {"kind": "report", "report-seed": "-1"},
        {"kind": "report", "report-seed": "een"},
        {"kind": "zip"},
        {},
    ],
)
def test_a_bad_request_says_what_to_mend_and_stores_nothing(study, three, researcher, posted):
    page = _browser(researcher).post(reverse("research:outputs", args=[study.uuid]), posted)
    assert page.status_code == 400
    assert not StudyOutput.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_REQUEST).exists()


def test_a_failed_build_says_why_and_leaves_no_files(study, three, researcher, monkeypatch):
    def refuse(*args: Any) -> dict[str, Any]:
        raise OutputError("De data passen niet.")

    monkeypatch.setitem(outputs_module.BUILDERS, "export", refuse)
    output = _request(study, researcher)
    assert output_build(output.uuid) == "failed"
    output.refresh_from_db()
    assert output.error == "De data passen niet."
    failed = AuditEvent.objects.get(action=Action.STUDY_OUTPUT_BUILD)
    assert (failed.detail["state"], failed.detail["files"]) == ("failed", [])
    assert not output_folder(output).exists()
    assert list(output_folder(output).parent.iterdir()) == []

    def crash(study: Any, folder: Path, options: Any) -> dict[str, Any]:
        (folder / "half.csv").write_text("a,b\n")
        raise RuntimeError("disk gone")

    monkeypatch.setitem(outputs_module.BUILDERS, "export", crash)
    second = _request(study, researcher)
    with pytest.raises(RuntimeError):
        output_build(second.uuid)
    second.refresh_from_db()
    assert (second.state, second.error) == ("failed", "unexpected: RuntimeError")
    assert list(output_folder(second).parent.iterdir()) == []
    page = _browser(researcher).get(reverse("research:outputs", args=[study.uuid]))
    assert "disk gone" not in page.content.decode()
    assert "list of background jobs" in page.content.decode()


def test_files_expire_and_cannot_be_fetched_afterwards(study, three, researcher):
    output = _request(study, researcher)
    output_build(output.uuid)
    output.refresh_from_db()
    browser = _browser(researcher)
    assert _download(browser, output, "responses.csv")
    assert outputs_expire(timezone.now()) == 0
    assert outputs_expire(output.expires_at + dt.timedelta(seconds=1)) == 1
    expired = AuditEvent.objects.get(action=Action.STUDY_OUTPUT_EXPIRE)
    assert expired.actor is None
    assert "responses.csv" in expired.detail["files"]
    # A second sweep finds nothing more and records nothing more.
    assert outputs_expire(output.expires_at + dt.timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_EXPIRE).count() == 1
    output.refresh_from_db()
    assert (output.state, output.files) == ("expired", [])
    assert not output_folder(output).exists()
    url = reverse("research:output_download", args=[study.uuid, output.uuid, "responses.csv"])
    assert browser.get(url).status_code == 404


def test_past_its_expiry_a_file_cannot_be_fetched_even_before_the_sweep(study, three, researcher):
    """Expiry was enforced only by the worker's sweep: with the worker late or down, files
    stayed downloadable past their date."""
    output = _request(study, researcher)
    output_build(output.uuid)
    StudyOutput.objects.filter(pk=output.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    browser = _browser(researcher)
    url = reverse("research:output_download", args=[study.uuid, output.uuid, "responses.csv"])
    assert browser.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_DOWNLOAD).exists()
    assert output_folder(output).exists()  # not deleted yet: the sweep does that


@pytest.mark.parametrize("name", ["secret.txt", "..", "%2e%2e%2fresearch-outputs", "codebook.js"])
def test_only_a_listed_file_of_the_output_can_be_fetched(study, three, researcher, name):
    output = _request(study, researcher)
    output_build(output.uuid)
    (output_folder(output) / "secret.txt").write_text("not listed")
    url = reverse("research:output_download", args=[study.uuid, output.uuid, "x"])[:-1] + name
    assert _browser(researcher).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_DOWNLOAD).exists()


def test_another_studys_researcher_and_a_professional_are_refused(
    study, three, researcher, professional, organisation
):
    output = _request(study, researcher)
    output_build(output.uuid)
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=organisation, role="researcher")
    url = reverse("research:output_download", args=[study.uuid, output.uuid, "responses.csv"])
    assert _browser(stranger).get(url).status_code == 404
    assert _browser(stranger).get(reverse("research:outputs", args=[study.uuid])).status_code == 404
    assert _browser(professional).get(url).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_DOWNLOAD).exists()


def test_an_old_login_asks_for_password_and_code_first(study, three, researcher):
    output = _request(study, researcher)
    output_build(output.uuid)
    browser = _browser(researcher)
    session = browser.session
    session[FULL_AUTH_KEY] = int(time.time()) - 3600
    session.save()
    for url in (
        reverse("research:outputs", args=[study.uuid]),
        reverse("research:output_download", args=[study.uuid, output.uuid, "responses.csv"]),
    ):
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reauthenticate"))
    assert not AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_DOWNLOAD).exists()


def test_the_report_is_built_by_the_worker_as_page_and_pdf(study, three, researcher):
    page = _browser(researcher).post(
        reverse("research:outputs", args=[study.uuid]), {"kind": "report", "report-seed": "7"}
    )
    assert page.status_code == 302
    output = StudyOutput.objects.get(study=study, kind="report")
    # Asked from an English page: the report is English.
    assert output.options == {"seed": 7, "language": "en"}
    assert output_build(output.uuid) == "ready"
    output.refresh_from_db()
    assert [entry["name"] for entry in output.files] == ["report.html", "report.pdf"]
    assert output.summary == {"trajectories": 1, "pdf": True}
    browser = _browser(researcher)
    html = _download(browser, output, "report.html").decode()
    assert study.name in html
    listed = browser.get(reverse("research:outputs", args=[study.uuid])).content.decode()
    assert "seed: 7, language: english" in listed
    assert _download(browser, output, "report.pdf").startswith(b"%PDF")
    for enrolled in three:
        assert str(enrolled.trajectory.client.uuid) not in html
        assert enrolled.trajectory.client.display_name not in html


def test_a_report_asked_from_a_dutch_page_is_dutch(study, three, researcher):
    browser = Client(HTTP_ACCEPT_LANGUAGE="nl")
    browser.force_login(researcher)
    url = reverse("research:outputs", args=[study.uuid])
    assert browser.post(url, {"kind": "report", "report-seed": "1"}).status_code == 302
    output = StudyOutput.objects.get(study=study, kind="report")
    assert output.options == {"seed": 1, "language": "nl"}
    assert output_build(output.uuid) == "ready"
    html = _download(browser, output, "report.html").decode()
    assert "<html lang='nl'>" in html
    assert f"<h1>Onderzoeksrapport: {study.name}</h1>" in html
    assert "Study report" not in html
    # The list of outputs says which language it was built in.
    assert "taal: nederlands" in browser.get(url).content.decode()


@pytest.mark.parametrize(
    ("asked", "language"), [("en", "en"), ("en-gb", "en"), ("nl", "nl"), ("fr", "nl"), (None, "nl")]
)
def test_a_report_is_english_only_when_asked_in_english(study, three, researcher, asked, language):
    options = {"seed": 1} if asked is None else {"seed": 1, "language": asked}
    output, _created = output_request(study=study, by=researcher, kind="report", options=options)
    assert output.options == {"seed": 1, "language": language}


def test_a_report_asked_before_reports_had_a_language_is_built_in_dutch(study, three, researcher):
    output, _created = output_request(
        study=study, by=researcher, kind="report", options={"seed": 1}
    )
    # As the options of a report stored before this change.
    StudyOutput.objects.filter(pk=output.pk).update(options={"seed": 1})
    assert output_build(output.uuid) == "ready"
    html = _download(_browser(researcher), output, "report.html").decode()
    assert "<html lang='nl'>" in html


def test_a_study_whose_clients_answer_different_instruments_exports_them_all(
    study, professional, team, keep_the_test_connection
):
    """One client answers the standard monitor, another the easy-read one, whose items share
    ids but not statements: a set of files per instrument, each labelled from its own."""
    from tests.monitoring.helpers import make_round

    standard = enrol_client(study, professional, team, name="Dirk Gewoon")
    easy = enrol_client(study, professional, team, name="Eva Eenvoudig")
    first = make_round(standard.trajectory, professional, days_ago=100, client={"trust": 4})
    second = make_round(
        easy.trajectory, professional, days_ago=90, client={"trust": 2}, instrument_id="eenvoudig"
    )
    output = _request(study, study.researchers.first(), formats=["csv", "sav"])
    state = output_build(output.uuid)
    output.refresh_from_db()
    assert state == "ready", output.error
    assert output.summary["trajectories"] == 2
    assert output.summary["rows"] == 2
    folder = output_folder(output)
    for measurement_round, client in ((first, standard), (second, easy)):
        instrument = measurement_round.instrument
        prefix = f"{instrument.id}-{instrument.version}_"
        codebook = json.loads((folder / f"{prefix}codebook.json").read_text())
        items = {v["name"]: v for v in codebook["variables"] if v.get("instrument")}
        assert set(items) == {item.id for item in instrument.items}
        # The label is the item's own statement, not the other instrument's.
        assert instrument.item("c_direction_1").text["nl"] in items["c_direction_1"]["label"]
        table = pd.read_csv(folder / f"{prefix}responses.csv")
        assert list(table["client_id"]) == [client.study_key]
        assert set(table["instrument"]) == {instrument.id}
        answers, _meta = pyreadstat.read_sav(folder / f"{prefix}responses.sav")
        assert len(answers) == 1


def test_the_wide_layout_gives_each_party_their_own_scores(study, three, researcher):
    """The stored scores are per response; the wide layout took them for the round's and
    refused every study in which client and professional scored differently."""
    output = _request(study, researcher, layout="wide", formats=["csv", "sav"])
    assert output_build(output.uuid) == "ready", StudyOutput.objects.get(pk=output.pk).error
    table = pd.read_csv(output_folder(output) / "rounds.csv")
    assert len(table) == 2  # one row per round of the consenting client
    assert list(table["client_score_trust"]) == [4.0, 5.0]
    assert list(table["professional_score_trust"]) == [3.0, 3.0]
    assert "score_trust" not in table.columns
    answers, _meta = pyreadstat.read_sav(output_folder(output) / "rounds.sav")
    assert list(answers["client_score_trust"]) == [4.0, 5.0]
