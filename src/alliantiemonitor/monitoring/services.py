"""Writing signals: recompute them from the rounds, acknowledge them, set the thresholds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import InvalidInput, clean_mapping, clean_text
from alliantiemonitor.core.change import MIN_REFERENCE_N, estimate_reference
from alliantiemonitor.core.instrument import as_rater
from alliantiemonitor.core.scoring import AnswerError, answers_to_frame, score_frame
from alliantiemonitor.core.signals import SignalSettings, detect_signals
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.monitoring.constants import (
    ACKNOWLEDGEMENT_NOTE_MAX,
    THRESHOLD_COUNTS,
    THRESHOLD_FLOAT_MAX,
    THRESHOLD_INT_MAX,
    SignalKind,
)
from alliantiemonitor.monitoring.exceptions import (
    InvalidNote,
    InvalidThresholds,
    NotAssigned,
    SignalAlreadyAcknowledged,
    SignalNotOpen,
)
from alliantiemonitor.monitoring.models import (
    ReferenceEstimate,
    Signal,
    SignalThresholds,
    organisation_signal_settings,
)
from alliantiemonitor.monitoring.signals_input import SignalInput, signal_input
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.access import trajectories_for
from alliantiemonitor.trajectories.models import Trajectory

#: Trajectories whose input is built and judged at once: bounded memory, few queries.
CHUNK_SIZE = 500

#: ``(kind, characteristic, rater)``; empty strings where the rules give none.
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Raised:
    """A signal the rules raise now: since which round, and their detail."""

    round_id: int
    detail: str


@dataclass
class RecomputeResult:
    opened: int = 0
    kept: int = 0
    resolved: int = 0

    def add(self, other: RecomputeResult) -> None:
        self.opened += other.opened
        self.kept += other.kept
        self.resolved += other.resolved


def signals_recompute(
    *,
    trajectory: Trajectory | None = None,
    organisation: Organisation | None = None,
    today: dt.date | None = None,
) -> RecomputeResult:
    """Bring the stored signals in line with what the rules raise now; idempotent.

    For one ``trajectory``, one ``organisation``'s trajectories, or (neither given) every
    organisation's. The rules run with the organisation's thresholds on the rounds that count
    (see :mod:`~alliantiemonitor.monitoring.signals_input`). A signal holds when its rule
    holds at the latest round that counts. One that holds and is not open yet is opened; one
    that is open already stays, acknowledgement included (its detail follows the rules); an
    open signal that no longer holds is resolved. Ended trajectories have no open signals.

    Each trajectory is written in its own transaction with its row locked, so that a worker
    and a submit that recompute the same trajectory at once queue up instead of colliding, and
    a run over many trajectories holds no long transaction.
    """
    today = today or timezone.localdate()
    result = RecomputeResult()
    if trajectory is not None:
        organisations: Iterable[Organisation] = [trajectory.organisation]
    elif organisation is not None:
        organisations = [organisation]
    else:
        organisations = Organisation.objects.order_by("pk")
    for org in organisations:
        settings = organisation_signal_settings(org)
        trajectories = Trajectory.objects.for_organisation(org)
        if trajectory is not None:
            trajectories = trajectories.filter(pk=trajectory.pk)
        active = list(trajectories.active().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(active), CHUNK_SIZE):
            chunk = active[start : start + CHUNK_SIZE]
            current = _current_signals(signal_input(chunk), settings, today)
            for trajectory_id in chunk:
                result.add(_apply(trajectory_id, current.get(trajectory_id, {})))
        ended = (
            trajectories.ended()
            .filter(signals__resolved_at__isnull=True)
            .distinct()
            .values_list("pk", flat=True)
        )
        for trajectory_id in ended:
            result.add(_apply(trajectory_id, {}))
    return result


def _text(value: Any) -> str:
    """A rules' column value as stored: ``None``/NaN become the empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _current_signals(
    data: SignalInput, settings: SignalSettings, today: dt.date
) -> dict[int, dict[Key, Raised]]:
    """The signals whose rule holds now, each with the round at which its current run began.

    The rules report a signal at the first round of every run of rounds in which it holds, and
    the last round of that run. It holds now when that run reaches the trajectory's latest
    round that counts; a run that ended earlier (the scores recovered, a handover's judged
    rounds passed, the client answered again) is history, so its signal is resolved. "Not
    discussed" is judged against ``today`` for each round, so any round it reports holds now.
    """
    if data.frame.empty:
        return {}
    raised = detect_signals(data.frame, settings=settings, today=today)
    current: dict[int, dict[Key, Raised]] = defaultdict(dict)
    for row in raised.itertuples(index=False):
        trajectory_id, index = int(row.trajectory_id), int(row.round_index)
        kind = _text(row.kind)
        holds_now = int(row.last_round_index) >= data.latest.get(trajectory_id, 0)
        if kind != SignalKind.NOT_DISCUSSED and not holds_now:
            continue
        key = (kind, _text(row.characteristic), _text(row.rater))
        # Rows come in round order: the latest run (or undiscussed round) wins.
        current[trajectory_id][key] = Raised(
            data.rounds[(trajectory_id, index)], _text(row.detail)[:200]
        )
    return current


def _audit_detail(signal: Signal) -> dict[str, Any]:
    return {"kind": signal.kind, "characteristic": signal.characteristic, "rater": signal.rater}


@transaction.atomic
def _apply(trajectory_id: int, current: Mapping[Key, Raised]) -> RecomputeResult:
    """Open, keep and resolve one trajectory's signals so that the open ones are ``current``."""
    Trajectory.objects.select_for_update().filter(pk=trajectory_id).first()
    result = RecomputeResult()
    now = timezone.now()
    open_signals = {s.key: s for s in Signal.objects.filter(trajectory_id=trajectory_id).open()}
    for key, signal in open_signals.items():
        if key in current:
            result.kept += 1
            if signal.detail != current[key].detail:
                signal.detail = current[key].detail
                signal.save(update_fields=["detail", "updated_at"])
            continue
        signal.resolved_at = now
        signal.save(update_fields=["resolved_at", "updated_at"])
        audit_record(
            actor=None, action=Action.SIGNAL_RESOLVE, obj=signal, detail=_audit_detail(signal)
        )
        result.resolved += 1
    for key, raised in current.items():
        if key in open_signals:
            continue
        kind, characteristic, rater = key
        signal = Signal.objects.create(
            trajectory_id=trajectory_id,
            kind=kind,
            characteristic=characteristic,
            rater=rater,
            round_id=raised.round_id,
            detail=raised.detail,
            raised_at=now,
        )
        audit_record(
            actor=None, action=Action.SIGNAL_RAISE, obj=signal, detail=_audit_detail(signal)
        )
        result.opened += 1
    return result


@transaction.atomic
def signal_acknowledge(*, signal: Signal, by: Any, note: str) -> Signal:
    """Record that the professional ``by`` has seen ``signal``, with a short ``note``.

    The other open signals of the same kind in the trajectory that are not acknowledged yet
    are marked seen with it: one change in the scores raises several rows of the rules (both
    views pooled, one view, one characteristic), and the professional reads them as one.
    The signals stay open (and visible, calmly) while the rules raise them. Raises
    :class:`NotAssigned` for anyone but the trajectory's professional, :class:`InvalidNote` for
    an empty or too long note, :class:`SignalNotOpen` for a resolved signal and
    :class:`SignalAlreadyAcknowledged` for a second acknowledgement (a double submit).
    """
    note = clean_text(
        note,
        field=_("Note"),
        max_length=ACKNOWLEDGEMENT_NOTE_MAX,
        required=True,
        multiline=True,
        refuse=InvalidNote,
    )
    signal = Signal.objects.select_for_update().select_related("trajectory").get(pk=signal.pk)
    if not trajectories_for(by).filter(pk=signal.trajectory_id).exists():
        raise NotAssigned()
    if not signal.is_open:
        raise SignalNotOpen()
    if signal.is_acknowledged:
        raise SignalAlreadyAcknowledged()
    siblings = (
        Signal.objects.open()
        .select_for_update()
        .filter(trajectory_id=signal.trajectory_id, kind=signal.kind, acknowledged_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    for each in siblings:
        each.acknowledged_at = now
        each.acknowledged_by = by
        each.acknowledgement_note = note
        each.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_by",
                "acknowledgement_note",
                "updated_at",
            ]
        )
        # The note is free text about a client: it stays on the signal, not in the audit log.
        audit_record(
            actor=by, action=Action.SIGNAL_ACKNOWLEDGE, obj=each, detail=_audit_detail(each)
        )
    signal.refresh_from_db()
    return signal


def _check_thresholds(values: Mapping[str, Any]) -> dict[str, Any]:
    fields = {field.name: field for field in dataclasses.fields(SignalSettings)}
    problems = [name for name in values if name not in fields]
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name in problems:
            continue
        default = fields[name].default
        # Only the numbers are thresholds: the mappings and lists (noise SDs, loadings,
        # characteristics) have no default here and cannot be set from a number.
        if (
            isinstance(default, bool)
            or not isinstance(default, int | float)
            or isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < 0
        ):
            problems.append(name)
            continue
        # Values the rules cannot run with would break every later recompute.
        if not math.isfinite(value):
            problems.append(name)
            continue
        if isinstance(default, int):
            low = 1 if name in THRESHOLD_COUNTS else 0
            if not low <= value <= THRESHOLD_INT_MAX:
                problems.append(name)
                continue
        elif value > THRESHOLD_FLOAT_MAX:
            problems.append(name)
            continue
        clean[name] = int(value) if isinstance(default, int) else float(value)
    if not problems:
        try:
            dataclasses.replace(SignalSettings(), **clean)
        except (TypeError, ValueError):
            problems = sorted(clean)
    if problems:
        raise InvalidThresholds(problems=sorted(problems))
    return clean


@transaction.atomic
def signal_thresholds_update(
    *, organisation: Organisation, values: Mapping[str, Any], by: Any
) -> SignalThresholds:
    """Set ``organisation``'s signal thresholds; a value equal to the default is not stored.

    Raises :class:`InvalidThresholds` for an unknown name or a negative or non-numeric value,
    or when ``values`` is not a mapping of names to values. The signals follow at the next
    recompute. Callers check permission first (the view asks the policy).
    """
    try:
        values = clean_mapping(values, field=_("Signal thresholds"))
    except InvalidInput as exc:
        raise InvalidThresholds(exc.message, problems=[]) from None
    clean = _check_thresholds(values)
    defaults = SignalSettings()
    stored = {name: v for name, v in clean.items() if v != getattr(defaults, name)}
    thresholds, _created = SignalThresholds.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    changed = sorted(
        name
        for name in set(stored) | set(thresholds.values)
        if stored.get(name) != thresholds.values.get(name)
    )
    thresholds.values = stored
    thresholds.save()
    audit_record(
        actor=by,
        action=Action.SIGNAL_THRESHOLDS_UPDATE,
        obj=thresholds,
        detail={"changed": changed},
    )
    return thresholds


#: ``(instrument id, instrument version, rater, characteristic)`` of one reference estimate.
EstimateKey = tuple[str, str, str, str]


def references_estimate(
    *, organisation: Organisation | None = None, min_n: int = MIN_REFERENCE_N
) -> int:
    """Store each organisation's own reference values; idempotent. Returns the rows stored.

    For one ``organisation`` or (none given) every one. Per instrument version and rater, the
    answers of the organisation's current submitted responses go through
    :func:`~alliantiemonitor.core.change.estimate_reference`; what it gives replaces the stored
    rows, and the rows of characteristics that no longer qualify (fewer than ``min_n`` scored
    responses, or no usable values) are deleted, so that the instrument's values count again.
    """
    if organisation is not None:
        organisations: Iterable[Organisation] = [organisation]
    else:
        organisations = Organisation.objects.order_by("pk")
    return sum(_references_estimate_one(org, min_n=min_n) for org in organisations)


@transaction.atomic
def _references_estimate_one(organisation: Organisation, *, min_n: int) -> int:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    responses = (
        Response.objects.filter(
            round__trajectory__organisation=organisation,
            is_current=True,
            submitted_at__isnull=False,
        )
        .order_by("pk")
        .values_list("round__instrument_id", "round__instrument_version", "rater", "answers")
    )
    for instrument_id, version, rater, answers in responses.iterator():
        groups[(instrument_id, version, rater)].append(answers)

    wanted: dict[EstimateKey, tuple[float, float, int]] = {}
    registry = get_registry()
    for (instrument_id, version, rater_name), records in groups.items():
        if len(records) < min_n:
            continue
        try:
            instrument = registry.get(instrument_id, version=version)
        except KeyError:  # a version that is no longer installed: keep nothing for it
            continue
        rater = as_rater(rater_name)
        frame = answers_to_frame(records, [item.id for item in instrument.items_for(rater)])
        try:
            estimate = estimate_reference(instrument, frame, rater, min_n=min_n)
        except AnswerError:  # stored answers the instrument no longer accepts
            continue
        if not estimate:
            continue
        scored = score_frame(instrument, frame, rater).count()  # per characteristic
        for key, values in estimate.items():
            wanted[(instrument_id, version, rater_name, key)] = (
                values.sd,
                values.reliability,
                int(scored[key]),
            )

    now = timezone.now()
    existing = {
        (row.instrument_id, row.instrument_version, row.rater, row.characteristic): row
        for row in ReferenceEstimate.objects.filter(organisation=organisation)
    }
    removed = [row.pk for key, row in existing.items() if key not in wanted]
    ReferenceEstimate.objects.filter(pk__in=removed).delete()
    changed = 0
    for key, (sd, reliability, n) in wanted.items():
        row = existing.get(key)
        if row is not None and (row.sd, row.reliability, row.n) == (sd, reliability, n):
            continue
        instrument_id, version, rater_name, characteristic = key
        ReferenceEstimate.objects.update_or_create(
            organisation=organisation,
            instrument_id=instrument_id,
            instrument_version=version,
            rater=rater_name,
            characteristic=characteristic,
            defaults={"sd": sd, "reliability": reliability, "n": n, "computed_at": now},
        )
        changed += 1
    if changed or removed:
        audit_record(
            actor=None,
            action=Action.REFERENCE_ESTIMATE,
            organisation=organisation,
            detail={"stored": len(wanted), "changed": changed, "removed": len(removed)},
        )
    return len(wanted)
