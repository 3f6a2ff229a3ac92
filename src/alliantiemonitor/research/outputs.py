"""Exports and reports of a study: asked for on the study's page, built by the worker.

:func:`output_request` records what a researcher asked for (audited); the worker's job calls
:func:`output_build`, which may run twice (a worker that died is replaced) and builds each
request once. The files go into a folder of their own under the private data folder
(``ALLIANTIEMONITOR_DATA_DIR/research-outputs``, owner-only): first into ``<id>.partial``,
renamed when complete, so a download never sees half a file. :func:`outputs_expire` deletes
them after :data:`OUTPUT_KEEP_DAYS` days.

Everything starts from :func:`~alliantiemonitor.research.services.consenting_trajectories`
(through :mod:`.dataset`, :mod:`.followup` and :mod:`.phase_responses`), read when the build
starts: a client who withdrew before that is not in the files.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.core.research.data import AnalysisInputError
from alliantiemonitor.core.research.export import (
    CLIENT_COLUMN,
    ExportOptions,
    export_research_data,
    file_sha256,
    frame_chunks,
)
from alliantiemonitor.core.research.export_columns import ColumnKind, ExportInputError
from alliantiemonitor.core.research.pseudonym import SecretError
from alliantiemonitor.core.research.report_text import DEFAULT_LANGUAGE, LANGUAGES
from alliantiemonitor.research.constants import (
    OUTPUT_KEEP_DAYS,
    OUTPUT_STALE_MINUTES,
    OutputKind,
    OutputState,
)
from alliantiemonitor.research.dataset import StudyData, describe, study_frames
from alliantiemonitor.research.followup import followup_frame
from alliantiemonitor.research.keys import study_secret
from alliantiemonitor.research.models import Study, StudyOutput
from alliantiemonitor.research.phase_responses import phase_responses_frame
from alliantiemonitor.research.report_build import GROUP_COLUMNS, REPORT_PDF, build_report
from alliantiemonitor.research.services import consenting_trajectories

logger = logging.getLogger(__name__)

#: The formats, layouts and date handlings a researcher can choose on the page.
EXPORT_FORMATS = ("csv", "parquet", "sav")
EXPORT_LAYOUTS = ("long", "wide")
EXPORT_DATES = ("month", "shift")
#: What a build that failed on its input says (the error itself is in the row for the admin).
UNEXPECTED = "unexpected"


class OutputError(DomainError):
    """A request that cannot be built, with the reason for the researcher."""


def outputs_root() -> Path:
    """The private folder of all exports and reports (created owner-only)."""
    root = Path(settings.DATA_DIR) / "research-outputs"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def output_folder(output: StudyOutput) -> Path:
    return outputs_root() / str(output.uuid)


def _partial_folder(output: StudyOutput) -> Path:
    return outputs_root() / f"{output.uuid}.partial"


# --------------------------------------------------------------------------- asking


def _export_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The export options as stored; :class:`OutputError` when one is not offered."""
    formats = tuple(f for f in EXPORT_FORMATS if f in set(options.get("formats", ())))
    layout = options.get("layout", "long")
    dates = options.get("dates", "month")
    if not formats or layout not in EXPORT_LAYOUTS or dates not in EXPORT_DATES:
        raise OutputError(_("Choose a layout, a way to handle dates and at least one format."))
    return {"formats": list(formats), "layout": layout, "dates": dates}


def _report_options(options: Mapping[str, Any]) -> dict[str, Any]:
    seed = options.get("seed", 1)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31:
        raise OutputError(_("The seed is a whole number from 0 up."))
    # The language of the page it was asked from ("en-gb" counts as English); else Dutch.
    language = str(options.get("language") or DEFAULT_LANGUAGE).split("-")[0].lower()
    clean: dict[str, Any] = {
        "seed": seed,
        "language": language if language in LANGUAGES else DEFAULT_LANGUAGE,
    }
    group = options.get("group") or None
    if group is not None:
        if group not in GROUP_COLUMNS:
            raise OutputError(_("Choose a grouping from the list."))
        # Only when chosen: a report without a group keeps the options it always had.
        clean["group"] = group
    return clean


@transaction.atomic
def output_request(
    *, study: Study, by: Any, kind: str, options: Mapping[str, Any]
) -> tuple[StudyOutput, bool]:
    """Ask the worker for an export or report of ``study``; ``(output, created)``.

    The same request while an equal one still waits or runs gives that one back (a double
    click builds once). The caller has checked that ``by`` may manage the study. A report's
    ``language`` option (``nl`` or ``en``; anything else is Dutch) is that of its page; its
    ``group`` option, when given, one of
    :data:`~alliantiemonitor.research.report_build.GROUP_COLUMNS` (else :class:`OutputError`).
    """
    locked = Study.objects.select_for_update().get(pk=study.pk)
    if kind == OutputKind.EXPORT:
        clean = _export_options(options)
    elif kind == OutputKind.REPORT:
        clean = _report_options(options)
    else:
        raise OutputError(_("Unknown kind of output."))
    if not consenting_trajectories(locked).exists():
        raise OutputError(
            _("No client in this study consents (any longer): there is nothing to use yet.")
        )
    pending = StudyOutput.objects.filter(
        study=locked,
        kind=kind,
        options=clean,
        state__in=(OutputState.QUEUED, OutputState.RUNNING),
    ).first()
    if pending is not None:
        return pending, False
    output = StudyOutput.objects.create(study=locked, kind=kind, options=clean, requested_by=by)
    audit_record(
        actor=by,
        action=Action.STUDY_OUTPUT_REQUEST,
        obj=output,
        detail={"study": locked.uuid, "output": output.uuid, "kind": kind, "options": clean},
    )
    return output, True


# --------------------------------------------------------------------------- building


def _claim(output_id: Any, now: dt.datetime) -> StudyOutput | None:
    """Mark the output as running if it is this worker's to build; else ``None``."""
    with transaction.atomic():
        output = (
            StudyOutput.objects.select_for_update()
            .select_related("study")
            .filter(uuid=output_id)
            .first()
        )
        if output is None:
            return None
        stale = now - dt.timedelta(minutes=OUTPUT_STALE_MINUTES)
        if output.state == OutputState.RUNNING and (output.started_at or now) > stale:
            return None  # another worker is on it
        if output.state not in (OutputState.QUEUED, OutputState.RUNNING):
            return None  # done, failed or expired: nothing to do
        output.state = OutputState.RUNNING
        output.started_at = now
        output.save(update_fields=["state", "started_at"])
        return output


def output_build(output_id: Any, *, now: dt.datetime | None = None) -> str:
    """Build the requested export or report with public id ``output_id``; return its state.

    Safe to call twice and from two workers: only a queued output (or one whose build gave no
    sign of life for :data:`OUTPUT_STALE_MINUTES`) is built.
    """
    now = now or timezone.now()
    output = _claim(output_id, now)
    if output is None:
        found = StudyOutput.objects.filter(uuid=output_id).values_list("state", flat=True)
        return next(iter(found), "missing")
    partial = _partial_folder(output)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    builder = BUILDERS[output.kind]
    try:
        summary = builder(output.study, partial, output.options)
    except (OutputError, ExportInputError, AnalysisInputError, SecretError) as error:
        shutil.rmtree(partial, ignore_errors=True)
        message = str(error.message) if isinstance(error, DomainError) else str(error)
        _finish(output, state=OutputState.FAILED, error=message)
        return OutputState.FAILED
    except Exception as error:
        shutil.rmtree(partial, ignore_errors=True)
        _finish(output, state=OutputState.FAILED, error=f"{UNEXPECTED}: {type(error).__name__}")
        raise
    files = [
        {"name": path.name, "size": path.stat().st_size, "sha256": file_sha256(path)}
        for path in sorted(partial.iterdir())
        if path.is_file()
    ]
    final = output_folder(output)
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    _finish(output, state=OutputState.READY, files=files, summary=summary)
    return OutputState.READY


def _finish(
    output: StudyOutput,
    *,
    state: str,
    error: str = "",
    files: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
) -> None:
    now = timezone.now()
    with transaction.atomic():
        locked = StudyOutput.objects.select_for_update().get(pk=output.pk)
        locked.state = state
        locked.finished_at = now
        locked.error = error
        locked.files = files or []
        locked.summary = summary or {}
        locked.expires_at = now + dt.timedelta(days=OUTPUT_KEEP_DAYS) if files else None
        locked.save(
            update_fields=["state", "finished_at", "error", "files", "summary", "expires_at"]
        )
        audit_record(
            actor=None,
            action=Action.STUDY_OUTPUT_BUILD,
            obj=locked,
            detail={
                "study": locked.study.uuid,
                "output": locked.uuid,
                "kind": locked.kind,
                "state": state,
                "trajectories": (summary or {}).get("trajectories"),
                "files": [{"name": f["name"], "sha256": f["sha256"]} for f in files or []],
            },
        )


def _client_ids(study: Study) -> dict[str, str]:
    """Study key → the client's public id, for the tables that carry study keys."""
    rows = consenting_trajectories(study).values_list("study_key", "trajectory__client__uuid")
    return {key: str(client) for key, client in rows}


def _keyed_by_client(frame: pd.DataFrame, clients: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with its ``study_key`` column as ``client_id`` (the export hashes it back).

    ``clients`` is :func:`_client_ids` of the study. The study key is the export's pseudonym
    of the client id (:mod:`.keys`), so the files of one export share one key per client.
    """
    keyed = frame.assign(**{CLIENT_COLUMN: frame["study_key"].map(clients)})
    keyed = keyed[keyed[CLIENT_COLUMN].notna()].drop(columns=["study_key"])
    return keyed[[CLIENT_COLUMN, *[c for c in keyed.columns if c != CLIENT_COLUMN]]]


def _lift(part: Path, folder: Path, prefix: str = "") -> None:
    """Move the files of the export folder ``part`` into ``folder`` (named ``<prefix>_<file>``)."""
    for path in sorted(part.iterdir()):
        path.rename(folder / (f"{prefix}_{path.name}" if prefix else path.name))
    part.rmdir()


def _export_part(
    frame: pd.DataFrame,
    *,
    study: Study,
    folder: Path,
    prefix: str,
    options: ExportOptions,
    kinds: Mapping[str, ColumnKind],
) -> int:
    """Export one extra table (follow-up outcomes, phase answers) as ``<prefix>_<file>``."""
    if frame.empty:
        return 0
    part = folder / prefix
    result = export_research_data(
        frame_chunks(frame),
        secret=study_secret(study),
        out=part,
        options=options,
        column_kinds=kinds,
        source=prefix,
    )
    _lift(part, folder, prefix)
    return int(result.codebook["rows"]["output"])


def _responses_part(
    study: Study,
    data: StudyData,
    instrument: Instrument | None,
    *,
    folder: Path,
    prefix: str,
    options: ExportOptions,
) -> int:
    """Export the study's responses on ``instrument`` (all of them when the study has one)."""
    kinds: dict[str, ColumnKind] = dict(data.score_kinds)  # type: ignore[arg-type]
    frames = study_frames(study, data)
    if instrument is not None and len(data.instruments) > 1:
        # Another instrument's items may share an item id but not the statement: each
        # instrument (and version) gets its own files, with only its own items.
        own = [item.id for item in instrument.items]
        data = replace(data, item_columns=tuple(c for c in data.item_columns if c in own))
        frames = _rows_on(frames, instrument, data.columns)
    known_items = {item.id for item in instrument.items} if instrument else set()
    kinds.update({c: "integer" for c in data.item_columns if c not in known_items})
    part = folder / (prefix or "responses")
    result = export_research_data(
        frames,
        secret=study_secret(study),
        out=part,
        options=options,
        instrument=instrument,
        column_kinds=kinds,
        source="alliantiemonitor",
    )
    _lift(part, folder, prefix)
    return int(result.codebook["rows"]["output"])


def _rows_on(
    frames: Iterator[pd.DataFrame], instrument: Instrument, columns: Sequence[str]
) -> Iterator[pd.DataFrame]:
    for frame in frames:
        on = (frame["instrument"] == instrument.id) & (
            frame["instrument_version"] == instrument.version
        )
        if on.any():
            yield frame.loc[on, list(columns)].reset_index(drop=True)


def build_export(study: Study, folder: Path, options: Mapping[str, Any]) -> dict[str, Any]:
    """Write the study's pseudonymised export into ``folder``; return counts for the page.

    The responses (long or wide), with ``codebook.json`` and ``codebook.html``; when the
    study's clients answered more than one instrument (or version), one set per instrument,
    prefixed ``<instrument>-<version>_``. Then, when the study has them, the follow-up
    outcomes (``followup_…``) and the phase questionnaires (``phases_…``), each with its own
    codebook, pseudonymised with the same secret so that a client has the same ``client_id``
    in every file.
    """
    data = describe(study)
    if not data.trajectories:
        raise OutputError(_("No client in this study consents (any longer): nothing to export."))
    export_options = ExportOptions(
        layout=options["layout"],
        dates=options["dates"],
        formats=tuple(options["formats"]),
        # Each party's scores are their own: in the wide layout, one column per rater.
        response_columns=data.score_columns,
    )
    if len(data.instruments) > 1:
        rows = sum(
            _responses_part(
                study,
                data,
                instrument,
                folder=folder,
                prefix=f"{instrument.id}-{instrument.version}",
                options=export_options,
            )
            for instrument in data.instruments
        )
    else:
        instrument = data.instruments[0] if data.instruments else None
        rows = _responses_part(
            study, data, instrument, folder=folder, prefix="", options=export_options
        )
    # The extra tables are long (one row per outcome, per questionnaire answered).
    long_options = ExportOptions(
        layout="long", dates=options["dates"], formats=export_options.formats
    )
    clients = _client_ids(study)
    followups = _export_part(
        _keyed_by_client(followup_frame(study), clients),
        study=study,
        folder=folder,
        prefix="followup",
        options=long_options,
        kinds={"outcome": "category", "value": "integer"},
    )
    phases = phase_responses_frame(study)
    if options["dates"] == "shift":
        # A calendar month cannot be shifted; with shifted dates it stays out.
        phases = phases.drop(columns=["submitted_month"])
    phases = phases.rename(columns=lambda name: name.replace(".", "_"))
    phase_kinds: dict[str, ColumnKind] = {
        column: "number" for column in phases.columns if column not in PHASE_FRONT
    }
    phase_kinds.update(
        {
            name: kind
            for name, kind in PHASE_FRONT.items()
            if name in phases.columns and name != "study_key"
        }
    )
    phase_rows = _export_part(
        _keyed_by_client(phases, clients),
        study=study,
        folder=folder,
        prefix="phases",
        options=long_options,
        kinds=phase_kinds,
    )
    return {
        "trajectories": data.trajectories,
        "rows": rows,
        "followup_rows": followups,
        "phase_rows": phase_rows,
    }


#: The columns of :func:`phase_responses_frame` before the answers, and their export kinds.
PHASE_FRONT: dict[str, ColumnKind] = {
    "study_key": "identifier",
    "phase": "integer",
    "phase_kind": "category",
    "questionnaire": "category",
    "version": "category",
    "mode": "category",
    "submitted_month": "category",
}


def build_study_report(study: Study, folder: Path, options: Mapping[str, Any]) -> dict[str, Any]:
    """Write the study report (HTML, and PDF when the server can) into ``folder``."""
    # A report asked for before reports had a language was a Dutch one.
    language = options.get("language", DEFAULT_LANGUAGE)
    names = build_report(
        study, folder, seed=int(options["seed"]), language=language, group=options.get("group")
    )
    return {"trajectories": describe(study).trajectories, "pdf": REPORT_PDF in names}


BUILDERS: dict[str, Callable[[Study, Path, Mapping[str, Any]], dict[str, Any]]] = {
    OutputKind.EXPORT: build_export,
    OutputKind.REPORT: build_study_report,
}


# --------------------------------------------------------------------------- the worker's sweep


def outputs_to_build(now: dt.datetime | None = None) -> list[str]:
    """Queued outputs older than a minute and runs that went silent: for the periodic sweep.

    A request is normally built straight away by the job its creation enqueues; the sweep
    picks up one whose job was lost.
    """
    now = now or timezone.now()
    waiting = StudyOutput.objects.filter(
        state=OutputState.QUEUED, requested_at__lte=now - dt.timedelta(minutes=1)
    )
    silent = StudyOutput.objects.filter(
        state=OutputState.RUNNING,
        started_at__lte=now - dt.timedelta(minutes=OUTPUT_STALE_MINUTES),
    )
    return [
        str(u) for u in (waiting | silent).order_by("requested_at").values_list("uuid", flat=True)
    ]


def outputs_expire(now: dt.datetime | None = None) -> int:
    """Delete the files of the outputs past their date; return how many expired."""
    now = now or timezone.now()
    expired = 0
    due = StudyOutput.objects.filter(state=OutputState.READY, expires_at__lte=now)
    for output in due.select_related("study"):
        shutil.rmtree(output_folder(output), ignore_errors=True)
        with transaction.atomic():
            changed = StudyOutput.objects.filter(pk=output.pk, state=OutputState.READY).update(
                state=OutputState.EXPIRED, files=[]
            )
            if changed:
                audit_record(
                    actor=None,
                    action=Action.STUDY_OUTPUT_EXPIRE,
                    obj=output,
                    detail={
                        "study": output.study.uuid,
                        "output": output.uuid,
                        "files": [f.get("name") for f in output.files],
                    },
                )
        expired += changed
    return expired


# --------------------------------------------------------------------------- fetching


def output_file(output: StudyOutput, name: str, *, by: Any) -> tuple[Path, dict[str, Any]]:
    """The path of the listed file ``name`` of a ready output, audited as a download.

    :class:`OutputError` when the output is not (or no longer) ready or has no such file.
    """
    entry = output.file_named(name) if output.is_ready else None
    path = output_folder(output) / name
    if entry is None or not path.is_file() or path.parent != output_folder(output):
        raise OutputError(_("This file is not (or no longer) there."))
    audit_record(
        actor=by,
        action=Action.STUDY_OUTPUT_DOWNLOAD,
        obj=output,
        detail={
            "study": output.study.uuid,
            "output": output.uuid,
            "file": name,
            "sha256": entry.get("sha256"),
        },
    )
    return path, entry
