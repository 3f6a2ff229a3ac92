"""A study's report as files: the core's numbers on the study's own table, HTML and PDF."""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader

from alliantiemonitor.core.research.data import mapping_from_instrument, prepare
from alliantiemonitor.core.research.reliability import reliability
from alliantiemonitor.core.research.stamp import table_sha256
from alliantiemonitor.research.dataset import describe, study_table
from alliantiemonitor.research.report_build import build_report
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
    return re.sub(r"<td>run at \(UTC\)</td><td>[^<]*</td>", "", page)


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


def test_the_report_holds_the_core_numbers_of_the_study_table(filled_study, tmp_path):
    folder = _folder(tmp_path, "report")
    assert build_report(filled_study, folder) == ["report.html", "report.pdf"]
    page = _page(folder)
    table = study_table(filled_study)
    (instrument,) = describe(filled_study).instruments
    client_rows = table[table["rater"].eq("client").to_numpy()]
    scales = mapping_from_instrument(instrument, "client")
    results = reliability(prepare(client_rows, scales))
    assert results
    for result in results:
        assert result.alpha is not None
        assert np.isfinite(result.alpha)
        row = (
            f"<td>client</td><td>{result.scale}</td><td>all</td><td>{result.n}</td>"
            f"<td>{result.k}</td><td>{result.alpha:.3f}</td>"
        )
        assert row in page, row
    assert table_sha256(table) in page
    assert f"Study report: {filled_study.name}" in page
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
    assert build_report(study, folder) == ["report.html", "report.pdf"]
    page = _page(folder)
    assert page.count("(not estimable)") == 8
    assert page.count("Not estimable: the study has no submitted responses of consenting") == 8
    _pages, text = _pdf_text(folder)
    assert study.name in text


def test_a_study_with_too_little_data_still_gives_a_report(study, professional, team, tmp_path):
    enrolled = enrol_client(study, professional, team)
    _rounds(enrolled, professional, np.random.default_rng(1), 1)
    folder = _folder(tmp_path, "report")
    assert build_report(study, folder) == ["report.html", "report.pdf"]
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
