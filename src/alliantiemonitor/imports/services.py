"""The caseload import: a CSV file of trajectories, checked (dry run), then imported.

The file (docs/import.md) has one row per trajectory, named by its id in the organisation's
case-management system (``external_id``). Rules:

* Reading is :mod:`alliantiemonitor.common.csvfile`; a file that cannot be read at all raises
  :class:`~.exceptions.ImportFileError` and nothing is stored.
* Every problem is reported with its row (the file's line) and column; a row with a problem
  is ``invalid``. The import runs only when no row is: all or nothing.
* An external id the organisation does not know yet is a new client with a new trajectory.
  A known one is compared with the monitor: another professional is a hand-over, an end date
  ends the trajectory (with its rounds); nothing else is changed by an import (a different
  name, language, team or start date is reported as a note and kept). So importing the same
  file twice changes nothing the second time.
* The writes go through the services of the apps (``client_create``, ``trajectory_start``,
  ``trajectory_hand_over``, ``trajectory_close``), which audit each of them; the dry run and
  the import are audited as well, with the file's SHA-256 and the counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.csvfile import check_header, csv_records, csv_text, parse_date
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.input import clean_text
from alliantiemonitor.imports.constants import (
    CASELOAD_DRY_RUN_MINUTES,
    CASELOAD_MAX_BYTES,
    CASELOAD_MAX_ROWS,
    COLUMNS,
    REQUIRED_COLUMNS,
    Problem,
    RowStatus,
)
from alliantiemonitor.imports.exceptions import (
    ImportAlreadyApplied,
    ImportExpired,
    ImportFileError,
    ImportHasProblems,
    NotAnOrganisationAdmin,
)
from alliantiemonitor.imports.models import CaseloadImport
from alliantiemonitor.measurements.services import trajectory_close
from alliantiemonitor.organisations.constants import Domain
from alliantiemonitor.organisations.models import Membership, Organisation, Team
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.trajectories.constants import END_KINDS, ClientLanguage, OutcomeKind
from alliantiemonitor.trajectories.models import Assignment, Trajectory
from alliantiemonitor.trajectories.services import (
    clean_display_name,
    client_create,
    trajectory_hand_over,
    trajectory_start,
)

User = get_user_model()


@dataclass(frozen=True)
class Finding:
    """A problem (``kind`` a :class:`Problem` value) or a note (``kind`` empty) of a row."""

    column: str
    kind: str
    message: str


@dataclass(frozen=True)
class RowReport:
    """What the dry run says of one row. ``line`` is the file's line (the header is 1)."""

    line: int
    external_id: str
    display_name: str
    status: str
    problems: tuple[Finding, ...] = ()
    #: What the import changes in a known trajectory, in words.
    changes: tuple[str, ...] = ()
    #: Differences that the import keeps as they are in the monitor.
    notes: tuple[Finding, ...] = ()


@dataclass
class _Row:
    line: int
    raw: dict[str, str]
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    display_name: str = ""
    language: str = ""
    team: Team | None = None
    professional: Any = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    end_reason: str = ""
    trajectory: Trajectory | None = None
    hand_over: bool = False
    close: bool = False

    def problem(self, column: str, kind: str, message: str) -> None:
        self.problems.append(Finding(column, kind, message))


@dataclass(frozen=True)
class CaseloadReport:
    """The report of a caseload file against an organisation's data as they are now."""

    rows: tuple[RowReport, ...]
    _work: tuple[_Row, ...] = field(default=(), repr=False)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status: found.get(status, 0) for status in RowStatus.values}

    @property
    def has_problems(self) -> bool:
        return any(row.problems for row in self.rows)


# --------------------------------------------------------------------------- reading


def _column_of(name: str) -> str | None:
    name = name.replace(" ", "_").replace("-", "_")
    return next((column for column, names in COLUMNS.items() if name in names), None)


def _read(data: bytes) -> list[_Row]:
    text = csv_text(data, max_bytes=CASELOAD_MAX_BYTES, refuse=ImportFileError)
    header, records = csv_records(text, max_rows=CASELOAD_MAX_ROWS, refuse=ImportFileError)
    columns = [_column_of(name) for name in header]
    unknown = [name for name, column in zip(header, columns, strict=True) if column is None]
    if unknown:
        raise ImportFileError(
            _("The file has a column this import does not know: %(columns)s.")
            % {"columns": ", ".join(f"“{name[:40]}”" for name in unknown[:10])}
        )
    check_header(columns, records, required=REQUIRED_COLUMNS, refuse=ImportFileError)
    rows = []
    for line, values in records:
        raw = dict.fromkeys(COLUMNS, "")
        raw.update(
            {
                column: value.strip()
                for column, value in zip(columns, values, strict=False)
                if column is not None
            }
        )
        row = _Row(line=line, raw=raw)
        if len(values) != len(header):
            row.problem(
                "",
                Problem.BAD_VALUE,
                _("%(found)d values where the header has %(columns)d columns")
                % {"found": len(values), "columns": len(header)},
            )
        rows.append(row)
    return rows


def _languages() -> dict[str, str]:
    """A client language by its code, its English name and its Dutch name (any case)."""
    names: dict[str, str] = {}
    for code, label in ClientLanguage.choices:
        names[code] = code
        for language in ("en", "nl"):
            with translation.override(language):
                names[str(label).casefold()] = code
    return names


def _professionals(organisation: Organisation) -> dict[str, list[Any]]:
    """The organisation's active professionals by username and by e-mail address (any case)."""
    found: dict[str, list[Any]] = {}
    memberships = (
        Membership.objects.active()
        .for_organisation(organisation)
        .professionals()
        .filter(user__is_active=True)
        .select_related("user")
    )
    for membership in memberships:
        user = membership.user
        for name in {user.username.casefold(), (user.email or "").casefold()} - {""}:
            if user not in found.setdefault(name, []):
                found[name].append(user)
    return found


def _when(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _required(row: _Row, column: str) -> str:
    value = row.raw[column]
    if not value:
        row.problem(column, Problem.MISSING, _("empty; this column needs a value"))
    return value


def _date(row: _Row, column: str, *, required: bool) -> dt.date | None:
    value = _required(row, column) if required else row.raw[column]
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        row.problem(column, Problem.BAD_DATE, _("not a date; write YYYY-MM-DD (or DD-MM-YYYY)"))
    return day


def _check_values(
    row: _Row,
    organisation: Organisation,
    *,
    languages: dict[str, str],
    teams: dict[str, Team],
    professionals: dict[str, list[Any]],
    today: dt.date,
) -> None:
    raw = row.raw
    try:
        clean_text(raw["external_id"], field="external_id", max_length=64)
    except DomainError:
        row.problem("external_id", Problem.BAD_VALUE, _("at most 64 characters, on one line"))
    _required(row, "external_id")
    if raw["display_name"]:
        try:
            row.display_name = clean_display_name(raw["display_name"])
        except DomainError as error:
            row.problem("display_name", Problem.BAD_VALUE, str(error.message))
    else:
        _required(row, "display_name")
    language = raw["language"].casefold() or ClientLanguage.DUTCH
    row.language = languages.get(language, "")
    if not row.language:
        row.problem(
            "language",
            Problem.BAD_LANGUAGE,
            _("unknown language “%(value)s”; use one of: %(codes)s")
            % {"value": raw["language"][:40], "codes": ", ".join(ClientLanguage.values)},
        )
    domain = _required(row, "domain").casefold()
    if domain and domain != organisation.domain:
        message = (
            _("the organisation works in “%(domain)s”")
            if domain in Domain.values
            else _("unknown domain; this organisation's is “%(domain)s”")
        )
        row.problem("domain", Problem.BAD_DOMAIN, message % {"domain": organisation.domain})
    if raw["team"]:
        row.team = teams.get(raw["team"].casefold())
        if row.team is None:
            row.problem(
                "team",
                Problem.UNKNOWN_TEAM,
                _("no team of this name in the organisation"),
            )
    name = _required(row, "professional")
    if name:
        found = professionals.get(name.casefold(), [])
        if len(found) == 1:
            row.professional = found[0]
        else:
            row.problem(
                "professional",
                Problem.UNKNOWN_PROFESSIONAL,
                _("no active professional of the organisation has this e-mail address or username")
                if not found
                else _("more than one professional has this e-mail address; use the username"),
            )
    row.start_date = _date(row, "start_date", required=True)
    row.end_date = _date(row, "end_date", required=False)
    if row.end_date is not None:
        if row.end_date > today:
            row.problem("end_date", Problem.BAD_DATE, _("lies in the future"))
        elif row.start_date is not None and row.end_date < row.start_date:
            row.problem("end_date", Problem.BAD_DATE, _("lies before the start date"))
    reason = raw["end_reason"].casefold()
    if reason and row.end_date is None and not raw["end_date"]:
        row.problem("end_reason", Problem.BAD_VALUE, _("only with an end date"))
    elif raw["end_date"] and not reason:
        row.problem("end_reason", Problem.MISSING, _("empty; an end date needs a reason"))
    elif reason:
        if reason in END_KINDS:
            row.end_reason = reason
        else:
            row.problem(
                "end_reason",
                Problem.BAD_VALUE,
                _("unknown reason; use one of: %(kinds)s")
                % {"kinds": ", ".join(sorted(END_KINDS))},
            )


def _latest_professional(trajectory: Trajectory) -> Any:
    latest = trajectory.latest_first  # type: ignore[attr-defined]
    return latest[0].professional if latest else None


def _compare(row: _Row, trajectory: Trajectory) -> None:
    """What importing ``row`` changes in ``trajectory``; a problem where it cannot."""
    row.trajectory = trajectory
    client = trajectory.client
    kept = _("differs from the monitor (“%(value)s”), which keeps its own")
    if row.display_name and row.display_name != client.display_name:
        row.notes.append(Finding("display_name", "", kept % {"value": client.display_name}))
    if row.language and row.language != client.preferred_language:
        row.notes.append(Finding("language", "", kept % {"value": client.preferred_language}))
    if (row.team is not None or not row.raw["team"]) and row.team != trajectory.team:
        team = trajectory.team.name if trajectory.team else "–"
        row.notes.append(Finding("team", "", kept % {"value": team}))
    if row.start_date is not None and row.start_date != trajectory.start_date:
        start = _when(trajectory.start_date)
        row.notes.append(Finding("start_date", "", kept % {"value": start}))
    professional = _latest_professional(trajectory)
    if not trajectory.is_active:
        assert trajectory.end_date is not None
        if row.end_date is not None and row.end_date != trajectory.end_date:
            row.problem(
                "end_date",
                Problem.CONFLICT,
                _("the trajectory ended on %(date)s in the monitor; an import does not change that")
                % {"date": _when(trajectory.end_date)},
            )
        elif row.end_date is None and not row.problems:
            row.notes.append(
                Finding(
                    "end_date",
                    "",
                    _("the trajectory ended on %(date)s in the monitor")
                    % {"date": _when(trajectory.end_date)},
                )
            )
        if row.professional is not None and row.professional != professional:
            row.problem(
                "professional",
                Problem.CONFLICT,
                _("the trajectory has ended; it cannot be handed over"),
            )
        return
    if row.end_date is not None and row.end_date < trajectory.start_date:
        row.problem(
            "end_date",
            Problem.BAD_DATE,
            _("lies before the start date in the monitor (%(date)s)")
            % {"date": _when(trajectory.start_date)},
        )
    if row.problems:
        return
    if row.professional is not None and row.professional != professional:
        row.hand_over = True
        row.changes.append(
            _("hand over to %(professional)s") % {"professional": row.raw["professional"]}
        )
    if row.end_date is not None:
        row.close = True
        row.changes.append(
            _("end on %(date)s (%(reason)s)")
            % {"date": _when(row.end_date), "reason": OutcomeKind(row.end_reason).label}
        )


def _status(row: _Row) -> str:
    if row.problems:
        return RowStatus.INVALID
    if row.trajectory is None:
        return RowStatus.NEW
    return RowStatus.UPDATED if row.changes else RowStatus.UNCHANGED


def caseload_check(organisation: Organisation, data: bytes) -> CaseloadReport:
    """Read ``data`` and say per row what importing it into ``organisation`` would do.

    Writes nothing. Raises :class:`ImportFileError` for a file that cannot be read at all.
    """
    rows = _read(data)
    teams = {team.name.casefold(): team for team in Team.objects.for_organisation(organisation)}
    context = {
        "languages": _languages(),
        "teams": teams,
        "professionals": _professionals(organisation),
        "today": timezone.localdate(),
    }
    first_line: dict[str, int] = {}
    for row in rows:
        _check_values(row, organisation, **context)
        external_id = row.raw["external_id"]
        if external_id in first_line:
            row.problem(
                "external_id",
                Problem.DUPLICATE,
                _("the same external id as line %(line)d") % {"line": first_line[external_id]},
            )
        elif external_id:
            first_line[external_id] = row.line
    known = (
        Trajectory.objects.for_organisation(organisation)
        .filter(external_id__in=list(first_line))
        .select_related("client", "team")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.order_by("-start", "-pk").select_related(
                    "professional"
                ),
                to_attr="latest_first",
            )
        )
    )
    existing = {trajectory.external_id: trajectory for trajectory in known}
    for row in rows:
        trajectory = existing.get(row.raw["external_id"])
        if trajectory is not None and first_line.get(row.raw["external_id"]) == row.line:
            _compare(row, trajectory)
    reports = tuple(
        RowReport(
            line=row.line,
            external_id=row.raw["external_id"][:64],
            display_name=row.raw["display_name"][:80],
            status=_status(row),
            problems=tuple(row.problems),
            changes=tuple(row.changes),
            notes=tuple(row.notes),
        )
        for row in rows
    )
    return CaseloadReport(rows=reports, _work=tuple(rows))


# --------------------------------------------------------------------------- dry run, import


def _check_admin(by: Any, organisation: Organisation) -> None:
    if not policy.organisations(by, Perm.CASELOAD_IMPORT).filter(pk=organisation.pk).exists():
        raise NotAnOrganisationAdmin()


def _expired(now: dt.datetime) -> dt.datetime:
    return now - timedelta(minutes=CASELOAD_DRY_RUN_MINUTES)


@transaction.atomic
def caseload_dry_run(
    *, organisation: Organisation, by: Any, data: bytes, file_name: str = ""
) -> tuple[CaseloadImport, CaseloadReport]:
    """Check a caseload file for ``organisation`` and keep it, waiting for the confirmation.

    Raises :class:`NotAnOrganisationAdmin` for anyone but an administrator of the
    organisation, :class:`ImportFileError` for a file that cannot be read (then nothing is
    stored). The file is kept encrypted for :data:`CASELOAD_DRY_RUN_MINUTES` (then
    :func:`caseload_uploads_expire` clears it). Audited with the counts.
    """
    _check_admin(by, organisation)
    report = caseload_check(organisation, data)
    now = timezone.now()
    CaseloadImport.objects.filter(organisation=organisation, uploaded_at__lt=_expired(now)).exclude(
        content=""
    ).update(content="")
    upload = CaseloadImport.objects.create(
        organisation=organisation,
        file_name=_file_name(file_name),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data.decode("utf-8-sig"),
        dry_run_counts=report.counts,
        uploaded_by=by,
    )
    audit_record(
        actor=by,
        action=Action.CASELOAD_IMPORT_DRY_RUN,
        obj=upload,
        detail={"sha256": upload.sha256, "counts": report.counts},
    )
    return upload, report


def caseload_uploads_expire(*, now: dt.datetime) -> int:
    """Clear the kept file of every dry run that can no longer be confirmed; return how many.

    The worker's ``caseload_imports.expire`` job: a file holds pseudonyms, so it is kept no
    longer than the confirmation needs it. Idempotent.
    """
    return (
        CaseloadImport.objects.filter(uploaded_at__lt=_expired(now))
        .exclude(content="")
        .update(content="")
    )


def caseload_uploads_clear(*, organisation: Organisation) -> int:
    """Clear the kept file of every dry run of ``organisation`` not yet imported; return how
    many.

    Called when a client of the organisation is erased: a waiting file may name the client, and
    confirming it would bring the client back. Its confirmation then says the file is no longer
    there (:class:`ImportExpired`); the admin uploads it again and sees a fresh dry run.
    """
    return (
        CaseloadImport.objects.filter(organisation=organisation, applied_at__isnull=True)
        .exclude(content="")
        .update(content="")
    )


def _file_name(value: Any) -> str:
    """The uploaded file's name as it can be shown and stored: printable, at most 255 long."""
    if not isinstance(value, str):
        return ""
    return "".join(c for c in value if c.isprintable())[:255]


def _write(row: _Row, organisation: Organisation, by: Any) -> None:
    assert row.start_date is not None
    trajectory = row.trajectory
    if trajectory is None:
        client = client_create(
            organisation=organisation,
            display_name=row.display_name,
            by=by,
            preferred_language=row.language,
        )
        trajectory = trajectory_start(
            client=client,
            professional=row.professional,
            legal_frame="",
            start_date=row.start_date,
            team=row.team,
            by=by,
            external_id=row.raw["external_id"],
        )
    elif row.hand_over:
        trajectory_hand_over(trajectory=trajectory, to_professional=row.professional, by=by)
    if row.end_date is not None and (row.trajectory is None or row.close):
        trajectory_close(
            trajectory=trajectory, end_date=row.end_date, reason_kind=row.end_reason, by=by
        )


@transaction.atomic
def caseload_apply(*, upload: CaseloadImport, by: Any) -> CaseloadReport:
    """Import a checked file: create the new trajectories and update the changed ones.

    The file is checked again against the data as they are now; if any row has a problem
    then, nothing is imported (:class:`ImportHasProblems`). Raises
    :class:`NotAnOrganisationAdmin`, :class:`ImportAlreadyApplied` (a second confirmation:
    nothing changes) and :class:`ImportExpired`. All rows or none: any refusal of a service
    undoes the whole import. Returns what was done; audited with the counts.
    """
    # The organisation's row first, then the file's: one import per organisation at a time
    # (two files naming the same new external id cannot both create it), and the same order
    # as a client's erasure (organisation, client, then the waiting files it clears), so
    # that the two never wait for each other in a circle.
    organisation = Organisation.objects.select_for_update().get(
        pk=CaseloadImport.objects.values_list("organisation_id", flat=True).get(pk=upload.pk)
    )
    locked = CaseloadImport.objects.select_for_update().get(pk=upload.pk)
    locked.organisation = organisation
    _check_admin(by, organisation)
    if locked.is_applied:
        raise ImportAlreadyApplied()
    now = timezone.now()
    if locked.uploaded_at < _expired(now) or not locked.content:
        raise ImportExpired()
    report = caseload_check(organisation, locked.content.encode("utf-8"))
    if report.has_problems:
        raise ImportHasProblems()
    for row in report._work:
        _write(row, organisation, by)
    locked.applied_counts = report.counts
    locked.applied_by = by
    locked.applied_at = now
    locked.content = ""
    locked.save(update_fields=["applied_counts", "applied_by", "applied_at", "content"])
    audit_record(
        actor=by,
        action=Action.CASELOAD_IMPORT,
        obj=locked,
        detail={"sha256": locked.sha256, "counts": report.counts},
    )
    upload.applied_at = now
    return report
