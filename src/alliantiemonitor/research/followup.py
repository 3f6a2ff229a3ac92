"""Follow-up outcomes from a CSV file, matched on study keys: dry run, then apply.

The file (docs/research/followup.md) has one row per outcome: ``study_key``, ``outcome`` (a
:class:`~.constants.FollowUpKind`), ``date`` and ``value``, and optionally ``trajectory`` (the
enrolled trajectory's public id) for a client with more than one trajectory in the study.

Rules:

* A row matches only a *consenting* enrolled trajectory of the study
  (:func:`~.services.consenting_trajectories`). An unknown key and a key without a standing
  consent are one status, ``unmatched``, so the report never tells who refused or withdrew;
  for the same reason a key is ambiguous only when it has several consenting trajectories.
* Study keys compare without case and surrounding spaces.
* An outcome is one value per trajectory, kind and date; the same one again is ``unchanged``,
  another value ``changed`` (applying replaces it). So importing a file twice changes nothing.
* A file that cannot be read (empty, too large, not text, not UTF-8, a column missing) raises
  :class:`~.exceptions.FollowUpFileError` and nothing is stored. A bad row is reported
  (``invalid``, with its column) and skipped; the other rows still count.
* The dry run stores the file (encrypted) with its report; the confirmation applies exactly
  that file, checked again against the data as they are then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid as uuid_module
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.csvfile import check_header, csv_records, csv_text, parse_date
from alliantiemonitor.research.access import manages_study
from alliantiemonitor.research.constants import (
    FOLLOWUP_BINARY,
    FOLLOWUP_DRY_RUN_HOURS,
    FOLLOWUP_MAX_BYTES,
    FOLLOWUP_MAX_ROWS,
    FollowUpKind,
    RowStatus,
)
from alliantiemonitor.research.exceptions import (
    FollowUpAlreadyApplied,
    FollowUpExpired,
    FollowUpFileError,
    NotAllowed,
)
from alliantiemonitor.research.keys import normalise_study_key
from alliantiemonitor.research.models import FollowUpImport, FollowUpOutcome, Study
from alliantiemonitor.research.services import consenting_trajectories

#: The columns every file has, and the one it may have.
REQUIRED_COLUMNS = ("study_key", "outcome", "date", "value")
OPTIONAL_COLUMNS = ("trajectory",)
FRAME_COLUMNS = ("study_key", "outcome", "date", "value")

_YES = {"1", "yes", "ja", "true", "waar", "y", "j"}
_NO = {"0", "no", "nee", "false", "onwaar", "n"}
#: A count above this is taken for a typing error (days in custody over four years: < 1,500).
_MAX_COUNT = 100_000


def _key(value: str) -> str:
    """A study key as it is compared: as :func:`normalise_study_key` reads it (else as typed)."""
    return normalise_study_key(value) or value.strip().casefold()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Problem:
    column: str
    message: str


@dataclass(frozen=True)
class RowReport:
    """What the dry run says of one row. ``line`` is the file's line (the header is 1)."""

    line: int
    study_key: str
    outcome: str
    date: str
    value: str
    status: str
    problems: tuple[Problem, ...] = ()
    #: For a duplicate: the line of the first row it repeats.
    first_line: int | None = None
    #: For an ambiguous row: the consenting trajectories of the key, as (public id, enrolment
    #: date), so that the file can name one in its ``trajectory`` column.
    choices: tuple[tuple[str, dt.date], ...] = ()


@dataclass
class _Row:
    line: int
    raw: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    kind: str = ""
    date: dt.date | None = None
    value: int | None = None
    trajectory: uuid_module.UUID | None = None


def _check(row: _Row, today: dt.date) -> None:
    raw = row.raw
    if not raw["study_key"]:
        row.problems.append(Problem("study_key", _("empty")))
    elif len(raw["study_key"]) > 64:
        row.problems.append(Problem("study_key", _("too long for a study key")))
    kind = raw["outcome"].strip().lower()
    if kind in FollowUpKind.values:
        row.kind = kind
    else:
        row.problems.append(
            Problem(
                "outcome",
                _("unknown outcome “%(value)s”; use one of: %(kinds)s")
                % {"value": raw["outcome"][:40], "kinds": ", ".join(FollowUpKind.values)},
            )
        )
    row.date = parse_date(raw["date"])
    if row.date is None:
        row.problems.append(Problem("date", _("not a date; write YYYY-MM-DD (or DD-MM-YYYY)")))
    elif row.date > today:
        row.problems.append(Problem("date", _("lies in the future")))
    value = raw["value"].strip().lower()
    if row.kind in FOLLOWUP_BINARY:
        row.value = 1 if value in _YES else 0 if value in _NO else None
        if row.value is None:
            row.problems.append(Problem("value", _("write 1 (yes) or 0 (no)")))
    elif row.kind:
        row.value = int(value) if value.isdigit() and int(value) <= _MAX_COUNT else None
        if row.value is None:
            row.problems.append(
                Problem("value", _("write a whole number from 0 to %(max)d") % {"max": _MAX_COUNT})
            )
    if raw.get("trajectory"):
        try:
            row.trajectory = uuid_module.UUID(raw["trajectory"])
        except ValueError:
            row.problems.append(
                Problem("trajectory", _("not a trajectory id; leave it empty or copy the id"))
            )


def read_followup_file(data: bytes) -> list[_Row]:
    """The rows of a follow-up file, each checked; ``FollowUpFileError`` if unreadable."""
    text = csv_text(data, max_bytes=FOLLOWUP_MAX_BYTES, refuse=FollowUpFileError)
    header, records = csv_records(text, max_rows=FOLLOWUP_MAX_ROWS, refuse=FollowUpFileError)
    check_header(header, records, required=REQUIRED_COLUMNS, refuse=FollowUpFileError)
    today = timezone.localdate()
    wanted = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    rows = []
    for line, values in records:
        raw = {
            name: value.strip()
            for name, value in zip(header, values, strict=False)
            if name in wanted
        }
        row = _Row(line=line, raw={name: raw.get(name, "") for name in wanted})
        if len(values) != len(header):
            row.problems.append(
                Problem(
                    "",
                    _("%(found)d values where the header has %(columns)d columns")
                    % {"found": len(values), "columns": len(header)},
                )
            )
        _check(row, today)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- the dry run


@dataclass(frozen=True)
class DryRun:
    """The report of a follow-up file against a study's data as they are now."""

    rows: tuple[RowReport, ...]
    #: Per row, the enrolled trajectory (pk) and outcome it sets: only for new and changed.
    writes: tuple[tuple[int, str, dt.date, int], ...]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status: found.get(status, 0) for status in RowStatus.values}


@dataclass(frozen=True)
class _Candidate:
    pk: int
    uuid: uuid_module.UUID
    enrolled_on: dt.date


def _candidates(study: Study) -> dict[str, list[_Candidate]]:
    found: dict[str, list[_Candidate]] = {}
    rows = consenting_trajectories(study).values_list("pk", "study_key", "uuid", "enrolled_at")
    for pk, key, public, enrolled_at in rows:
        found.setdefault(_key(key), []).append(
            _Candidate(pk, public, timezone.localdate(enrolled_at))
        )
    return found


def _options(row: _Row, candidates: dict[str, list[_Candidate]]) -> list[_Candidate]:
    """The consenting trajectories ``row`` may be about: of its key, and the one it names."""
    options = candidates.get(_key(row.raw["study_key"]), [])
    if row.trajectory is not None:
        options = [option for option in options if option.uuid == row.trajectory]
    return options


def _report(
    row: _Row,
    status: str,
    first_line: int | None = None,
    choices: Sequence[_Candidate] = (),
) -> RowReport:
    return RowReport(
        line=row.line,
        study_key=row.raw["study_key"][:64],
        outcome=row.raw["outcome"][:40],
        date=row.raw["date"][:40],
        value=row.raw["value"][:40],
        status=status,
        problems=tuple(row.problems),
        first_line=first_line,
        choices=tuple((str(option.uuid), option.enrolled_on) for option in choices),
    )


def followup_check(study: Study, data: bytes) -> DryRun:
    """Read ``data`` and say per row what importing it into ``study`` would do.

    Writes nothing. Raises ``FollowUpFileError`` for a file that cannot be read at all.
    """
    rows = read_followup_file(data)
    candidates = _candidates(study)
    matched: list[tuple[_Row, int]] = []
    reports: dict[int, RowReport] = {}
    seen: dict[tuple[Any, str, dt.date], int] = {}
    for row in rows:
        if row.problems:
            reports[row.line] = _report(row, RowStatus.INVALID)
            continue
        options = _options(row, candidates)
        assert row.date is not None
        # A matched row is the trajectory it sets; another, what it says.
        identity_of = (
            options[0].pk if len(options) == 1 else (_key(row.raw["study_key"]), row.trajectory)
        )
        identity = (identity_of, row.kind, row.date)
        if identity in seen:
            reports[row.line] = _report(row, RowStatus.DUPLICATE, seen[identity])
            continue
        seen[identity] = row.line
        if len(options) == 1:
            matched.append((row, options[0].pk))
        elif options:
            reports[row.line] = _report(row, RowStatus.AMBIGUOUS, choices=options)
        else:
            reports[row.line] = _report(row, RowStatus.UNMATCHED)
    stored = {
        (enrolled, kind, date): value
        for enrolled, kind, date, value in FollowUpOutcome.objects.filter(
            enrolled__in={target for _row, target in matched}
        ).values_list("enrolled", "kind", "date", "value")
    }
    writes = []
    for row, target in matched:
        assert row.date is not None
        assert row.value is not None
        before = stored.get((target, row.kind, row.date))
        if before == row.value:
            reports[row.line] = _report(row, RowStatus.UNCHANGED)
            continue
        status = RowStatus.NEW if before is None else RowStatus.CHANGED
        reports[row.line] = _report(row, status)
        writes.append((target, row.kind, row.date, row.value))
    return DryRun(rows=tuple(reports[row.line] for row in rows), writes=tuple(writes))


@transaction.atomic
def followup_dry_run(
    *, study: Study, by: Any, data: bytes, file_name: str = ""
) -> tuple[FollowUpImport, DryRun]:
    """Check a follow-up file for ``study`` and keep it, waiting for the confirmation.

    Raises ``NotAllowed`` for anyone but a researcher of the study, ``FollowUpFileError`` for
    a file that cannot be read (then nothing is stored). Audited with the counts per status.
    """
    if not manages_study(by, study):
        raise NotAllowed
    report = followup_check(study, data)
    upload = FollowUpImport.objects.create(
        study=study,
        file_name=(file_name or "")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data.decode("utf-8-sig"),
        dry_run_counts=report.counts,
        uploaded_by=by,
    )
    audit_record(
        actor=by,
        action=Action.FOLLOWUP_DRY_RUN,
        obj=upload,
        detail={"study": study.uuid, "sha256": upload.sha256, "counts": report.counts},
    )
    return upload, report


@transaction.atomic
def followup_apply(*, upload: FollowUpImport, by: Any) -> DryRun:
    """Apply a checked file: add the new outcomes and replace the changed ones.

    The file is checked again against the data as they are now (a consent withdrawn since
    the dry run leaves that client's rows out). Raises ``NotAllowed``,
    ``FollowUpAlreadyApplied`` (a second confirmation: nothing changes), ``FollowUpExpired``.
    Returns what was done; audited with the counts per status.
    """
    locked = (
        FollowUpImport.objects.select_for_update(of=("self",))
        .select_related("study")
        .get(pk=upload.pk)
    )
    if not manages_study(by, locked.study):
        raise NotAllowed
    # One import per study at a time: two files setting the same outcome cannot both add it.
    Study.objects.select_for_update().get(pk=locked.study_id)
    if locked.is_applied:
        raise FollowUpAlreadyApplied
    if locked.uploaded_at < timezone.now() - timedelta(hours=FOLLOWUP_DRY_RUN_HOURS):
        raise FollowUpExpired
    report = followup_check(locked.study, locked.content.encode("utf-8"))
    now = timezone.now()
    for enrolled, kind, date, value in report.writes:
        FollowUpOutcome.objects.update_or_create(
            enrolled_id=enrolled,
            kind=kind,
            date=date,
            defaults={"value": value, "source": locked, "imported_by": by, "imported_at": now},
        )
    locked.applied_counts = report.counts
    locked.applied_by = by
    locked.applied_at = now
    locked.content = ""
    locked.save(update_fields=["applied_counts", "applied_by", "applied_at", "content"])
    audit_record(
        actor=by,
        action=Action.FOLLOWUP_IMPORT,
        obj=locked,
        detail={"study": locked.study.uuid, "sha256": locked.sha256, "counts": report.counts},
    )
    upload.applied_at = now
    return report


def followup_uploads_expire(*, now: dt.datetime) -> int:
    """Clear the kept file of every dry run that can no longer be confirmed; return how many.

    The worker's ``research.followup_expire`` job: a follow-up file lists outcomes (recidivism,
    dropout) of enrolled clients by their pseudonym, so it is kept no longer than its
    confirmation needs it (``FOLLOWUP_DRY_RUN_HOURS``); applying it clears it at once.
    Idempotent.
    """
    return (
        FollowUpImport.objects.filter(
            applied_at__isnull=True,
            uploaded_at__lt=now - timedelta(hours=FOLLOWUP_DRY_RUN_HOURS),
        )
        .exclude(content="")
        .update(content="")
    )


# --------------------------------------------------------------------------- reading back


def followup_frame(study: Study, *, trajectory_ids: bool = False) -> pd.DataFrame:
    """The stored follow-up outcomes of the study's consenting trajectories, for the export.

    One row per outcome: ``study_key``, ``outcome`` (a :class:`FollowUpKind` value), ``date``
    (datetime64) and ``value`` (int64), ordered by study key, outcome and date. A client who
    withdrew (or never gave) consent is not in it.

    With ``trajectory_ids`` a last column ``trajectory_id`` holds the enrolled trajectory's
    public id as text (as ``study_table`` has it): a study key is the client's, so a client
    with two trajectories in the study has one key for both. Not for the export (the export's
    tables are keyed by study key only).
    """
    fields = ["enrolled__study_key", "kind", "date", "value"]
    columns = list(FRAME_COLUMNS)
    if trajectory_ids:
        fields.append("enrolled__trajectory__uuid")
        columns.append("trajectory_id")
    rows = (
        FollowUpOutcome.objects.filter(enrolled__in=consenting_trajectories(study).values("pk"))
        .order_by("enrolled__study_key", "kind", "date", "enrolled_id")
        .values_list(*fields)
    )
    frame = pd.DataFrame.from_records(list(_iterate(rows)), columns=columns)
    if trajectory_ids:
        frame["trajectory_id"] = frame["trajectory_id"].map(str).astype(object)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["value"] = frame["value"].astype("int64")
    frame["study_key"] = frame["study_key"].astype(object)
    frame["outcome"] = frame["outcome"].astype(object)
    return frame


def _iterate(rows: Any) -> Iterator[Sequence[Any]]:
    yield from rows.iterator(chunk_size=5_000)


def followup_imports(study: Study) -> Any:
    """The study's follow-up imports, newest first (dry runs and applied ones)."""
    return FollowUpImport.objects.filter(study=study).select_related("uploaded_by", "applied_by")
