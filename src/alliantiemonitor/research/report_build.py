"""A study's report as files: the analyses of ``alliantiemonitor analyse report`` on its data.

The data are :func:`~alliantiemonitor.research.dataset.study_table` (consenting trajectories
only); the sections, the stamp and the page are the core's
(:mod:`alliantiemonitor.core.research.report_document`), so a report built here and one built
by the command on an export of the same table hold the same numbers. The stamp's data hash is
:func:`~alliantiemonitor.core.research.stamp.table_sha256` of the table analysed.

The survival section's per-trajectory table (time to recidivism) is built from the study's
follow-up outcomes (:mod:`alliantiemonitor.research.report_survival`) and stamped by its hash
as well; without follow-up outcomes the section says so.

The table holds public ids (uuids) to join on; the report shows none of them and no names,
only counts and estimates (``tests/research/test_report_build.py`` checks this).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.data import AnalysisInputError
from alliantiemonitor.core.research.report import Study as ReportStudy
from alliantiemonitor.core.research.report import prepare_study
from alliantiemonitor.core.research.report_document import (
    report_document,
    reproducibility,
    unestimable_document,
)
from alliantiemonitor.core.research.report_html import render_report
from alliantiemonitor.core.research.report_pdf import PdfUnavailable, html_to_pdf
from alliantiemonitor.core.research.report_text import DEFAULT_LANGUAGE
from alliantiemonitor.core.research.stamp import table_sha256
from alliantiemonitor.instruments import registry as instrument_registry
from alliantiemonitor.research.dataset import study_table
from alliantiemonitor.research.models import Study
from alliantiemonitor.research.report_survival import survival_inputs

logger = logging.getLogger(__name__)

REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
#: What the stamp calls the data: no file went in, the study's table did.
DATA_INPUT = "study table (consenting trajectories; SHA-256 of it as CSV)"
#: What the stamp calls the survival section's table, when there is one.
TRAJECTORIES_INPUT = "time to recidivism per trajectory, from the follow-up outcomes"
#: The study table's columns a report can be grouped by (``analyse report --group``):
#: reliability per group and measurement invariance across the groups. Each holds a few
#: groups that are about the same questionnaire; the rater is not here, as every analysis
#: already runs per rater, nor are identifiers, which would make groups of one.
GROUP_COLUMNS = ("domain", "mode", "after_handover")


def _instrument_rows(table: pd.DataFrame) -> tuple[Instrument | None, pd.DataFrame]:
    """The instrument most responses were given on, and those responses.

    Responses on another instrument (or version) have other items: one report analyses one
    instrument, as the command does.
    """
    if table.empty:
        return None, table
    pairs = table[["instrument", "instrument_version"]].astype(str).agg("@".join, axis=1)
    counts = pairs.value_counts()
    # Most responses first; a tie goes to the first reference in order, so the choice is stable.
    chosen = sorted(counts.index, key=lambda ref: (-counts[ref], ref))[0]
    instrument_id, _, version = chosen.partition("@")
    try:
        instrument = instrument_registry.get_registry().get(instrument_id, version=version)
    except KeyError as exc:
        raise AnalysisInputError([f"the instrument {chosen} is not installed"]) from exc
    rows = table[(pairs == chosen).to_numpy()].reset_index(drop=True)
    return instrument, rows


def study_report(
    study: Study, *, seed: int = 1, language: str = "en", group: str | None = None
) -> dict[str, Any]:
    """The study's report as plain data (what ``analyse report --format json`` gives).

    ``language`` is that of the survival section's note and reason (built here, from the
    follow-up outcomes); everything else in the data stays English, as in the JSON.
    ``group`` (one of :data:`GROUP_COLUMNS`, or ``None``) adds reliability per group and
    measurement invariance across the groups, as ``--group`` does; ``ValueError`` otherwise.
    """
    if group is not None and group not in GROUP_COLUMNS:
        raise ValueError(f"a report is grouped by {', '.join(GROUP_COLUMNS)}, not {group!r}")
    table = study_table(study)
    instrument: Instrument | None = None
    rows = table
    prepared: ReportStudy | None = None
    trajectories: pd.DataFrame | None = None
    reason = "the study has no submitted responses of consenting clients"
    try:
        instrument, rows = _instrument_rows(table)
        if instrument is not None:
            survival = survival_inputs(study, rows)
            trajectories = None if survival.reason else survival.table
            prepared = prepare_study(
                rows,
                instrument=instrument,
                seed=seed,
                group=group,
                trajectories=trajectories,
                trajectories_reason=survival.reason_in(language),
                trajectories_note=survival.note_in(language),
            )
    except AnalysisInputError as exc:
        reason = "the data could not be analysed: " + "; ".join(exc.problems)
    inputs = [{"role": "data", "file": DATA_INPUT, "sha256": table_sha256(rows)}]
    if trajectories is not None:
        inputs.append(
            {
                "role": "trajectories",
                "file": TRAJECTORIES_INPUT,
                "sha256": table_sha256(trajectories),
            }
        )
    stamp = reproducibility(
        inputs=inputs,
        instrument=instrument,
        seed=seed,
        group=group,
        study_name=study.name,
    )
    title = f"Study report: {study.name}"
    if prepared is None:
        return unestimable_document(reason, stamp, title=title)
    return report_document(prepared, stamp, title=title)


def build_report(
    study: Study,
    folder: Path,
    *,
    seed: int = 1,
    language: str = DEFAULT_LANGUAGE,
    group: str | None = None,
) -> list[str]:
    """Write the study's report into ``folder`` (existing, empty); return the names written.

    The page is in ``language`` (``nl``, the product's, or ``en``); ``group`` as in
    :func:`study_report`.

    ``report.html`` always; ``report.pdf`` as well when WeasyPrint can be loaded (otherwise the
    reason is logged and only the HTML page is returned). A section the data are too few for
    says why it could not be estimated; so does every section of a study without data.
    """
    report = study_report(study, seed=seed, language=language, group=group)
    page = render_report(report, language=language)
    (folder / REPORT_HTML).write_text(page, encoding="utf-8")
    try:
        pdf = html_to_pdf(page)
    except PdfUnavailable as exc:
        logger.warning("Study report without PDF: %s", exc)
        return [REPORT_HTML]
    (folder / REPORT_PDF).write_bytes(pdf)
    return [REPORT_HTML, REPORT_PDF]
