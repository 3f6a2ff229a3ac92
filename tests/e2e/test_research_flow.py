"""A study from start to report in a real browser: each person's pages checked with axe.

The researcher creates and starts a study and asks the organisation to take part; its admin
agrees; the professional enrols a trajectory; the client, on a phone, says yes to the study
and fills in the monitor; the professional's side follows; the researcher asks for an export
and a report, the worker builds both, and the files are downloaded.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command

from alliantiemonitor.measurements.services import invitation_create, round_start
from alliantiemonitor.research.models import EnrolledTrajectory, Study, StudyOutput
from tests.e2e.conftest import log_in
from tests.e2e.test_monitor_flow import answer, check
from tests.factories import answer_round

pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-periodic", stdout=StringIO())


def _download(page, name: str, into: Path) -> Path:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("link", name=name).first.click()
    target = into / name
    info.value.save_as(target)
    return target


def test_from_a_new_study_to_the_export_and_the_report(
    new_page, live_server, settings, tmp_path, researcher, org_admin, professional, trajectory
):
    settings.DATA_DIR = tmp_path / "data"
    base = live_server.url

    # The researcher creates the study, starts it and asks the organisation to take part.
    research = new_page()
    log_in(research, live_server, researcher)
    research.goto(f"{base}/onderzoek/nieuw/")
    check(research)
    research.get_by_label("Name of the study").fill("Alliantie in toezicht")
    research.get_by_label("Information for clients").fill(
        "We onderzoeken hoe de samenwerking loopt. Je antwoorden krijgen een code in plaats "
        "van je naam. Nee zeggen verandert niets aan je begeleiding."
    )
    research.get_by_role("button", name="Create the study").click()
    research.wait_for_url("**/onderzoek/*-*/")
    study = Study.objects.get(name="Alliantie in toezicht")
    research.get_by_role("button", name="Start the study").click()
    research.wait_for_load_state("load")
    check(research)
    research.get_by_role("link", name="Ask an organisation or team to take part").click()
    research.wait_for_url("**/deelname/")
    research.get_by_label("Organisation", exact=True).select_option(
        label=trajectory.organisation.name
    )
    research.get_by_role("button", name="Ask to take part").click()
    research.wait_for_url(f"**/onderzoek/{study.uuid}/")

    # The organisation's admin agrees.
    admin = new_page()
    log_in(admin, live_server, org_admin)
    admin.goto(f"{base}/onderzoek/deelname/")
    check(admin)
    admin.get_by_role("button", name="Agree").click()
    admin.wait_for_load_state("load")
    check(admin)

    # The professional enrols the client's trajectory from its page.
    pro = new_page()
    log_in(pro, live_server, professional)
    pro.goto(f"{base}/clienten/{trajectory.uuid}/")
    pro.get_by_role("button", name="Enrol this trajectory").click()
    pro.wait_for_load_state("load")
    check(pro)
    enrolled = EnrolledTrajectory.objects.get(study=study, trajectory=trajectory)

    # The client opens the round's link on a phone: first the study's question, then the monitor.
    trajectory.client.preferred_language = "en"
    trajectory.client.save()
    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    client = new_page(phone=True)
    client.goto(f"{base}/m/{secret}/")
    client.wait_for_load_state("load")
    assert "Nee zeggen verandert niets" in client.locator("main").inner_text()
    check(client)
    client.get_by_role("button", name="Yes, you may use my answers").click()
    client.wait_for_load_state("load")
    with client.expect_navigation(wait_until="load"):
        client.get_by_role("link", name="Start", exact=True).click()
    statements = client.locator("fieldset.am-statement").count()
    answer(client, range(statements), 3)
    client.get_by_role("button", name="Send").first.click()
    client.get_by_role("button", name="Send my answers").click()
    client.wait_for_url("**/m/klaar/")
    answer_round(measurement_round, "professional", professional=professional, value=4)

    # The researcher asks for a wide SPSS export and for the report; the worker builds both.
    research.goto(f"{base}/onderzoek/{study.uuid}/")
    research.get_by_role(
        "link", name="Export the pseudonymised data or build the study report"
    ).click()
    research.wait_for_url("**/uitvoer/")
    check(research)
    research.get_by_label("Wide: one row per round", exact=False).check()
    research.get_by_label("CSV (any program)").uncheck()
    research.get_by_role("button", name="Build the export").click()
    research.wait_for_url("**/uitvoer/")
    assert "Waiting for the worker" in research.locator("main").inner_text()
    research.get_by_label("Seed of the trajectory classes").fill("3")
    research.get_by_role("button", name="Build the report").click()
    research.wait_for_url("**/uitvoer/")
    _run_worker()
    assert set(StudyOutput.objects.values_list("state", flat=True)) == {"ready"}
    research.reload()
    check(research)

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    sav, meta = pyreadstat.read_sav(str(_download(research, "rounds.sav", downloads)))
    assert list(sav["client_id"]) == [enrolled.study_key]  # one round, one row
    assert meta.column_names_to_labels  # variable labels came along
    codebook = json.loads(_download(research, "codebook.json", downloads).read_text())
    assert codebook["options"]["layout"] == "wide"
    pdf = _download(research, "report.pdf", downloads).read_bytes()
    assert pdf.startswith(b"%PDF")
    html = _download(research, "report.html", downloads).read_text()
    assert "Alliantie in toezicht" in html
    for text in (html, sav.to_csv(), pd.Series(codebook).to_string()):
        assert str(trajectory.client.uuid) not in text
        assert trajectory.client.display_name not in text
