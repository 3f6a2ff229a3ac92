"""The study report as one stamped document: its sections and what went in.

The command line (``alliantiemonitor analyse report``) and the research app build the same
document here: :func:`report_document` runs the sections of :mod:`.report` on a checked
:class:`~alliantiemonitor.core.research.report.Study` and puts the ``reproducibility`` block in
front (and the instrument's characteristic names, which the page shows in its language);
:func:`unestimable_document` is the same document when the data could not be analysed at
all, every section saying why. Rendering is :mod:`.report_html` (and :mod:`.report_pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.data import MissingPolicy
from alliantiemonitor.core.research.jsonsafe import NOT_ESTIMABLE
from alliantiemonitor.core.research.report import SECTIONS, Study, section_status, study_sections
from alliantiemonitor.core.research.stamp import software_versions

DEFAULT_TITLE = "Study report"

MISSING_DESCRIPTIONS: dict[str, str] = {
    "listwise": "listwise: per scale, only rows that answered every item (as SPSS); every "
    "model uses the rows complete on its own columns",
    "pairwise": "pairwise: each covariance over the rows that answered both items (as "
    "pingouin); every model uses the rows complete on its own columns",
}


def reproducibility(
    *,
    inputs: Sequence[Mapping[str, str]],
    instrument: Instrument | None,
    seed: int,
    mapping_name: str | None = None,
    group: str | None = None,
    missing: MissingPolicy = "listwise",
    study_name: str | None = None,
) -> dict[str, Any]:
    """The stamp: inputs (role, file, SHA-256), software, instrument, the run's choices, time."""
    block: dict[str, Any] = {} if study_name is None else {"study": study_name}
    block.update(
        {
            "inputs": [dict(item) for item in inputs],
            "software": software_versions(),
            "instrument": (
                {"id": instrument.id, "version": instrument.version} if instrument else None
            ),
            "mapping": mapping_name,
            "seed": seed,
            "group": group,
            "missing": missing,
            "missing_description": MISSING_DESCRIPTIONS[missing],
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return block


def _document(
    title: str,
    stamp: dict[str, Any],
    sections: list[dict[str, Any]],
    instrument: Instrument | None = None,
) -> dict[str, Any]:
    document = {
        "title": title,
        "reproducibility": stamp,
        "status": section_status(sections),
        "sections": sections,
    }
    if instrument is not None:
        # The page calls each characteristic by its name in the page's language.
        document["characteristic_names"] = {c.key: dict(c.name) for c in instrument.characteristics}
    return document


def report_document(
    study: Study, stamp: dict[str, Any], *, title: str = DEFAULT_TITLE
) -> dict[str, Any]:
    """Run every section on ``study``; the report as plain, JSON-safe data."""
    return _document(title, stamp, study_sections(study), study.instrument)


def unestimable_document(
    reason: str, stamp: dict[str, Any], *, title: str = DEFAULT_TITLE
) -> dict[str, Any]:
    """The report of data that cannot be analysed: every section not estimable, for ``reason``."""
    sections = [
        {"name": name, "status": NOT_ESTIMABLE, "reason": reason, "results": []}
        for name, _function in SECTIONS
    ]
    return _document(title, stamp, sections)
