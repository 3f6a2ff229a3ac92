"""A study's report as files: the core's numbers on the study's own table, HTML and PDF."""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from pypdf import PdfReader

from alliantiemonitor.core.research.data import mapping_from_instrument, prepare
from alliantiemonitor.core.research.reliability import reliability
from alliantiemonitor.core.research.report import prepare_study, survival_frame
from alliantiemonitor.core.research.stamp import table_sha256
from alliantiemonitor.core.research.survival import kaplan_meier
from alliantiemonitor.research.dataset import describe, study_table
from alliantiemonitor.research.followup import followup_apply, followup_dry_run
from alliantiemonitor.research.report_build import build_report, study_report
from alliantiemonitor.research.report_survival import (
    DAYS_PER_MONTH,
    NO_FOLLOWUP,
    survival_inputs,
)
from alliantiemonitor.research.services import consent_withdraw
from tests.monitoring.helpers import fill
from tests.research.conftest import enrol_client

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
CLIENTS = ("Anna Ja", "Bert Bos", "Cor Dijk", "Dien Eik", "Eva Fok", "Fred Gans", "Gea Hof")


def _answers(instrument: Any, rater: str, rng: np.random.Generator) -> dict[str, int]:
    """Answers around a person's level, so scales hold together as real ones do."""
    low, high = instrument.scale.minimum, instrument.scale.maximum
    level = rng.integers(low, high + 1)
    return {
        item.id: int(np.clip(level + rng.integers(-1, 2), low, high))
        for item in instrument.items_for(rater)
    }


def _rounds(enrolled: Any, professional: Any, rng: np.random.Generator, count: int) -> None:
    from alliantiemonitor.measurements.services import round_start

    for _ in range(count):
        measurement_round = round_start(trajectory=enrolled.trajectory, by=professional)
        instrument = measurement_round.instrument
        fill(measurement_round, "client", professional, _answers(instrument, "client", rng))
        fill(
            measurement_round,
            "professional",
            professional,
            _answers(instrument, "professional", rng),
        )


@pytest.fixture
def filled_study(study: Any, professional: Any, team: Any) -> Any:
    """Seven consenting clients with two to four answered rounds each."""
    rng = np.random.default_rng(5)
    for index, name in enumerate(CLIENTS):
        enrolled = enrol_client(study, professional, team, name=name)
        _rounds(enrolled, professional, rng, 2 + index % 3)
    return study


def _page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def _pdf_text(folder: Path) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO((folder / "report.pdf").read_bytes()))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _without_run_time(page: str) -> str:
    return re.sub(r"<td>(run at|uitgevoerd op) \(UTC\)</td><td>[^<]*</td>", "", page)


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def test_the_report_holds_the_core_numbers_of_the_study_table(filled_study, tmp_path):
    # Built in Dutch, the product's language, unless asked otherwise.
    folder = _folder(tmp_path, "report")
    assert build_report(filled_study, folder) == ["report.html", "report.pdf"]
    page = _page(folder)
    assert "<html lang='nl'>" in page
    table = study_table(filled_study)
    (instrument,) = describe(filled_study).instruments
    client_rows = table[table["rater"].eq("client").to_numpy()]
    scales = mapping_from_instrument(instrument, "client")
    results = reliability(prepare(client_rows, scales))
    assert results
    for result in results:
        assert result.alpha is not None
        assert np.isfinite(result.alpha)
        name = html.escape(instrument.characteristic(result.scale).name["nl"], quote=True)
        row = (
            f"<td>cliënt</td><td>{name}</td><td>alle</td><td>{result.n}</td>"
            f"<td>{result.k}</td><td>{result.alpha:.3f}</td>"
        )
        assert row in page, row
    assert table_sha256(table) in page
    assert f"Onderzoeksrapport: {html.escape(filled_study.name, quote=True)}" in page
    assert f"{instrument.id} {instrument.version}" in page
    pages, text = _pdf_text(folder)
    assert pages >= 2
    assert filled_study.name in text


def test_the_report_shows_no_name_and_no_public_id(filled_study, professional, tmp_path):
    folder = _folder(tmp_path, "report")
    build_report(filled_study, folder)
    table = study_table(filled_study)
    assert UUID.search(table.to_csv())  # the table has them to join on ...
    page = _page(folder)
    _pages, text = _pdf_text(folder)
    for document in (page, text):
        assert not UUID.search(document)  # ... the report has none
        for name in (*CLIENTS, professional.first_name, professional.last_name):
            assert name not in document


def test_a_client_without_consent_changes_nothing(filled_study, professional, team, tmp_path):
    before = _folder(tmp_path, "before")
    build_report(filled_study, before)
    refused = enrol_client(filled_study, professional, team, name="Hans Nee", consent=False)
    _rounds(refused, professional, np.random.default_rng(9), 4)
    after = _folder(tmp_path, "after")
    build_report(filled_study, after)
    assert _without_run_time(_page(after)) == _without_run_time(_page(before))


def test_an_empty_study_says_every_section_is_not_estimable(study, tmp_path):
    folder = _folder(tmp_path, "report")
    assert build_report(study, folder, language="en") == ["report.html", "report.pdf"]
    page = _page(folder)
    assert page.count("(not estimable)") == 8
    assert page.count("Not estimable: the study has no submitted responses of consenting") == 8
    _pages, text = _pdf_text(folder)
    assert study.name in text


def test_a_study_with_too_little_data_still_gives_a_report(study, professional, team, tmp_path):
    enrolled = enrol_client(study, professional, team)
    _rounds(enrolled, professional, np.random.default_rng(1), 1)
    folder = _folder(tmp_path, "report")
    assert build_report(study, folder, language="en") == ["report.html", "report.pdf"]
    page = _page(folder)
    # One response per rater: every item is constant, and each section says so.
    assert page.count("(not estimable)") == 8
    assert "Not estimable: the data could not be analysed: client: " in page
    assert "is constant" in page


def test_without_weasyprint_only_the_page_is_written(study, tmp_path, monkeypatch, caplog):
    # The system's Pango missing fails the import the same way (OSError instead of ImportError).
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    folder = _folder(tmp_path, "report")
    with caplog.at_level(logging.WARNING, logger="alliantiemonitor.research.report_build"):
        assert build_report(study, folder) == ["report.html"]
    assert sorted(p.name for p in folder.iterdir()) == ["report.html"]
    assert "WeasyPrint cannot be loaded" in caplog.text


# --------------------------------------------------------------------------- survival


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _end(enrolled: Any, professional: Any, days_ago: int) -> None:
    from alliantiemonitor.measurements.services import trajectory_close

    trajectory_close(
        trajectory=enrolled.trajectory,
        end_date=_days_ago(days_ago),
        reason_kind="regular_completion",
        by=professional,
    )


def _import(study: Any, researcher: Any, rows: list[tuple[Any, str, int, int]]) -> None:
    """Import follow-up rows (enrolled trajectory, outcome, days ago, value) and apply them."""
    lines = ["study_key,outcome,date,value"]
    lines += [f"{e.study_key},{kind},{_days_ago(ago)},{value}" for e, kind, ago, value in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    upload, report = followup_dry_run(study=study, by=researcher, data=data)
    assert report.counts.get("new") == len(rows), report.counts
    followup_apply(upload=upload, by=researcher)


def _section(report: dict[str, Any], name: str) -> dict[str, Any]:
    (section,) = [s for s in report["sections"] if s["name"] == name]
    return section


def _key(enrolled: Any) -> str:
    return str(enrolled.trajectory.uuid)


def test_the_time_to_recidivism_per_trajectory_by_hand(study, professional, team, researcher):
    rng = np.random.default_rng(3)
    event, before, censored, no_row, open_ = (
        enrol_client(study, professional, team, name=name) for name in CLIENTS[:5]
    )
    for enrolled in (event, before, censored, no_row, open_):
        _rounds(enrolled, professional, rng, 1)
    _end(event, professional, 300)
    _end(before, professional, 200)
    _end(censored, professional, 250)
    _end(no_row, professional, 100)
    _import(
        study,
        researcher,
        [
            # During supervision: not recidivism after it.
            (event, "recidivism", 320, 1),
            (event, "recidivism", 270, 0),
            # An arrest is not the event; the first recidivism or reconviction after it is.
            (event, "rearrest", 240, 1),
            (event, "recidivism", 209, 1),
            (event, "reconviction", 150, 1),
            # Only outcomes before the end: censored at the end itself.
            (before, "recidivism", 250, 0),
            (before, "custody_days", 210, 4),
            # No event: censored at the latest date of any kind.
            (censored, "recidivism", 100, 0),
            (censored, "custody_days", 50, 0),
            # Not ended: not known.
            (open_, "recidivism", 30, 1),
        ],
    )

    inputs = survival_inputs(study, study_table(study))
    table = inputs.table.set_index("trajectory_id")
    assert list(inputs.table.columns) == [
        "trajectory_id",
        "recidivism_months",
        "recidivism_observed",
    ]
    assert sorted(table.index) == sorted([_key(event), _key(before), _key(censored)])
    expected = {
        _key(event): (91 / 30.4375, 1),
        _key(before): (0.0, 0),
        _key(censored): (200 / 30.4375, 0),
    }
    for trajectory_id, (months, observed) in expected.items():
        assert table.loc[trajectory_id, "recidivism_months"] == pytest.approx(months)
        assert table.loc[trajectory_id, "recidivism_observed"] == observed
    assert DAYS_PER_MONTH == 30.4375
    assert (inputs.trajectories, inputs.not_ended, inputs.no_followup) == (5, 1, 1)
    assert inputs.reason is None
    assert "3 of 5 trajectories in the data" in inputs.note
    assert "2 trajectories left out (time not known): 1 not ended, 1 without any" in inputs.note


def test_a_withdrawn_clients_follow_up_is_not_in_the_table(study, professional, team, researcher):
    rng = np.random.default_rng(4)
    stays, withdraws = (enrol_client(study, professional, team, name=n) for n in CLIENTS[:2])
    for enrolled in (stays, withdraws):
        _rounds(enrolled, professional, rng, 1)
        _end(enrolled, professional, 200)
    _import(
        study,
        researcher,
        [(stays, "recidivism", 100, 1), (withdraws, "reconviction", 150, 1)],
    )
    table = study_table(study)  # still with the client who is about to withdraw
    assert len(survival_inputs(study, table).table) == 2

    consent_withdraw(enrolled=withdraws, by=professional)
    inputs = survival_inputs(study, table)
    assert inputs.table["trajectory_id"].tolist() == [_key(stays)]
    assert inputs.no_followup == 1  # their outcomes are gone, whatever the data say
    assert _key(withdraws) not in survival_inputs(study, study_table(study)).table.values


def test_without_follow_up_the_survival_section_says_so_for_the_web(filled_study, tmp_path):
    survival = _section(study_report(filled_study), "survival")
    assert survival["status"] == "not_estimable"
    assert survival["reason"] == NO_FOLLOWUP
    folder = _folder(tmp_path, "report")
    build_report(filled_study, folder, language="en")
    page = _page(folder)
    assert "no follow-up outcomes imported for this study" in page
    assert "--trajectories" not in page


def test_the_survival_section_runs_on_the_follow_up_outcomes(
    filled_study, professional, researcher, tmp_path
):
    enrolled = list(filled_study.enrolled_trajectories.order_by("pk"))
    assert len(enrolled) == 7
    for index, one in enumerate(enrolled):
        _end(one, professional, 330 - 10 * index)
    # Events after 60 to 240 days for four; three censored, one of them at its end.
    _import(
        filled_study,
        researcher,
        [
            (enrolled[0], "recidivism", 270, 1),
            (enrolled[1], "reconviction", 200, 1),
            (enrolled[2], "recidivism", 100, 0),
            (enrolled[3], "recidivism", 60, 1),
            (enrolled[4], "custody_days", 20, 0),
            (enrolled[5], "recidivism", 300, 0),
            (enrolled[6], "recidivism", 40, 1),
        ],
    )
    report = study_report(filled_study)
    survival = _section(report, "survival")
    assert survival["status"] == "ok", survival["reason"]
    km, _cox = survival["results"]
    assert "7 of 7 trajectories in the data; none left out" in km["source"]
    (dutch, _cox) = _section(study_report(filled_study, language="nl"), "survival")["results"]
    assert dutch["source"].startswith("Tijd tot recidive uit de vervolguitkomsten")
    assert "7 van 7 trajecten in de gegevens; geen weggelaten" in dutch["source"]

    rows = study_table(filled_study)
    (instrument,) = describe(filled_study).instruments
    inputs = survival_inputs(filled_study, rows)
    assert inputs.table["recidivism_observed"].sum() == 4
    frame = survival_frame(prepare_study(rows, instrument=instrument, trajectories=inputs.table))
    expected = kaplan_meier(
        frame, duration="recidivism_months", event="recidivism_observed", group="alliance_level"
    ).to_dict()
    assert {k: v for k, v in km.items() if k not in ("grouping", "source")} == expected
    assert km["status"] == "ok"
    assert sum(curve["n"] for curve in km["curves"]) == 7
    assert sum(curve["events"] for curve in km["curves"]) == 4
    # The stamp names the table, by its hash; the page shows the note and the curves.
    assert table_sha256(inputs.table) in [i["sha256"] for i in report["reproducibility"]["inputs"]]
    folder = _folder(tmp_path, "report")
    build_report(filled_study, folder, language="en")
    page = _page(folder)
    assert "Kaplan–Meier per alliance tertile" in page
    assert "Time to recidivism from the study&#x27;s follow-up outcomes" in page
    assert not UUID.search(page)


def test_a_report_grouped_on_the_page_is_built_with_its_group_and_audited(
    filled_study: Any, researcher: Any, settings: Any, tmp_path: Path
) -> None:
    from django.test import Client
    from django.urls import reverse

    from alliantiemonitor.audit.constants import Action
    from alliantiemonitor.audit.models import AuditEvent
    from alliantiemonitor.research.models import StudyOutput
    from alliantiemonitor.research.outputs import output_build, output_folder

    settings.DATA_DIR = tmp_path / "data"
    browser = Client(HTTP_ACCEPT_LANGUAGE="nl")
    browser.force_login(researcher)
    url = reverse("research:outputs", args=[filled_study.uuid])
    form = browser.get(url).content.decode()
    assert 'name="report-group"' in form
    assert '<option value="domain">Domein</option>' in form
    posted = {"kind": "report", "report-seed": "3", "report-group": "domain"}
    assert browser.post(url, posted).status_code == 302
    output = StudyOutput.objects.get(study=filled_study, kind="report")
    assert output.options == {"seed": 3, "language": "nl", "group": "domain"}
    (event,) = AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_REQUEST)
    assert event.detail["options"]["group"] == "domain"
    assert output_build(output.uuid) == "ready"
    page = _page(output_folder(output))
    # Reliability per domain, invariance across the domains, and the group in the stamp.
    assert "<h3>Meetinvariantie naar domein (cliënt)</h3>" in page  # not "naar None"
    # One domain in this study: invariance says why it cannot compare, in Dutch.
    assert "heeft 1 groep(en) onder de volledige rijen" in page
    assert "<td>reclassering</td>" in page
    assert "<tr><td>groep</td><td>domein</td></tr>" in page
    assert "Not estimable" not in page
    assert "groepen: domein" in browser.get(url).content.decode()


@pytest.mark.parametrize("group", ["rater", "client_id", "mode; drop", "Domain"])
def test_a_grouping_not_offered_is_refused_and_nothing_is_queued(
    filled_study: Any, researcher: Any, group: str
) -> None:
    from django.test import Client
    from django.urls import reverse

    from alliantiemonitor.audit.constants import Action
    from alliantiemonitor.audit.models import AuditEvent
    from alliantiemonitor.research.models import StudyOutput
    from alliantiemonitor.research.outputs import OutputError, output_request

    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(researcher)
    url = reverse("research:outputs", args=[filled_study.uuid])
    page = browser.post(url, {"kind": "report", "report-seed": "1", "report-group": group})
    assert page.status_code == 400
    assert "Choose a grouping from the list." in page.content.decode()
    # The service refuses it as well, whoever calls it.
    with pytest.raises(OutputError):
        output_request(
            study=filled_study, by=researcher, kind="report", options={"seed": 1, "group": group}
        )
    assert not StudyOutput.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.STUDY_OUTPUT_REQUEST).exists()


def test_the_study_report_offers_only_its_own_groupings() -> None:
    from alliantiemonitor.research.dataset import FRONT_COLUMNS
    from alliantiemonitor.research.forms import GROUP_LABELS
    from alliantiemonitor.research.report_build import GROUP_COLUMNS

    assert tuple(GROUP_LABELS) == GROUP_COLUMNS
    assert set(GROUP_COLUMNS) <= set(FRONT_COLUMNS)
    with pytest.raises(ValueError, match="grouped by"):
        study_report(None, group="rater")  # type: ignore[arg-type]
