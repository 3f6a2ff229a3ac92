"""A study's data as the long table the research core reads: one row per submitted response.

Only :func:`~alliantiemonitor.research.services.consenting_trajectories` feeds it, so a client
without consent, or who withdrew it, is never in a frame; the consent is read again at the start
of every pass, so an export that starts after a withdrawal leaves the client out.

The columns are those of :meth:`alliantiemonitor.core.synth.SynthDataset.to_long` where the
product knows the same thing, so the analyses and the export treat product and synthetic data
alike. Identifiers are the public ids (uuids): ``client_id`` is the client's uuid, which the
export turns into the client's study key. Nothing here is pseudonymised yet; the frames are for
:func:`alliantiemonitor.core.research.export.export_research_data` and must not leave the server
as they are.

The rows of one round are adjacent (client first), trajectories come in study-key order, and the
frames are built a batch of trajectories at a time, so a study of any size streams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.measurements.models import MeasurementRound, Response, ResponseScore
from alliantiemonitor.research.models import Study
from alliantiemonitor.research.services import consenting_trajectories
from alliantiemonitor.trajectories.constants import END_KINDS, OutcomeKind
from alliantiemonitor.trajectories.models import OutcomeEvent

#: Trajectories per frame: a few thousand rows, a few megabytes.
DEFAULT_BATCH_TRAJECTORIES = 500
SCORE_PREFIX = "score_"
RATER_ORDER = {"client": 0, "professional": 1}

#: The columns before the items, in order.
FRONT_COLUMNS: tuple[str, ...] = (
    "response_id",
    "trajectory_id",
    "client_id",
    "professional_id",
    "domain",
    "round_index",
    "round_date",
    "after_handover",
    "rater",
    "mode",
    "instrument",
    "instrument_version",
    "submitted",
    "start_date",
    "end_date",
    "end_kind",
    "no_shows",
    "formal_warning",
    "new_arrest",
)


@dataclass(frozen=True)
class StudyData:
    """What a pass over a study's data needs to know before it starts."""

    instruments: tuple[Instrument, ...]
    item_columns: tuple[str, ...]
    score_columns: tuple[str, ...]
    trajectories: int

    @property
    def columns(self) -> tuple[str, ...]:
        return (*FRONT_COLUMNS, *self.item_columns, *self.score_columns)

    @property
    def score_kinds(self) -> dict[str, str]:
        """Export kinds of the columns the export cannot tell by name."""
        return dict.fromkeys(self.score_columns, "number")


def _consenting_ids(study: Study) -> list[int]:
    return list(consenting_trajectories(study).values_list("trajectory_id", flat=True))


def _rounds(trajectory_ids: Sequence[int] | QuerySet[Any, Any]) -> Any:
    return MeasurementRound.objects.filter(trajectory_id__in=trajectory_ids)


def describe(study: Study) -> StudyData:
    """The instruments, item and score columns of the study's consenting data."""
    # The consenting trajectories as a subquery, and only the distinct pins out of the
    # database: the rounds as model instances and a list of every trajectory's id in the query
    # took about 2 GB for a study of a million rounds.
    consenting = consenting_trajectories(study).values("trajectory_id")
    pinned = (
        _rounds(consenting)
        .filter(responses__submitted_at__isnull=False, responses__is_current=True)
        .order_by("instrument_id", "instrument_version")
        .values_list("instrument_id", "instrument_version")
        .distinct()
    )
    # An unsaved round with the pin resolves it as every round does (MeasurementRound.instrument).
    instruments = tuple(
        MeasurementRound(instrument_id=instrument_id, instrument_version=version).instrument
        for instrument_id, version in sorted(pinned)
    )
    items: dict[str, None] = {}
    for instrument in instruments:
        for item in instrument.items:
            items.setdefault(item.id)
    characteristics = (
        ResponseScore.objects.filter(
            response__round__trajectory_id__in=consenting, response__is_current=True
        )
        .values_list("characteristic", flat=True)
        .distinct()
        .order_by("characteristic")
    )
    return StudyData(
        instruments=instruments,
        item_columns=tuple(items),
        score_columns=tuple(f"{SCORE_PREFIX}{c}" for c in characteristics),
        trajectories=consenting.count(),
    )


def _outcomes(trajectory_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per trajectory: how it ended, and counts of the events research links to the alliance."""
    result: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"end_kind": None, "no_shows": 0, "formal_warning": False, "new_arrest": False}
    )
    events = OutcomeEvent.objects.filter(trajectory_id__in=trajectory_ids).order_by("date", "pk")
    for trajectory_id, kind in events.values_list("trajectory_id", "kind"):
        row = result[trajectory_id]
        if kind in END_KINDS:
            row["end_kind"] = kind
        elif kind == OutcomeKind.NO_SHOW:
            row["no_shows"] += 1
        elif kind == OutcomeKind.FORMAL_WARNING:
            row["formal_warning"] = True
        elif kind == OutcomeKind.NEW_ARREST_OR_SUSPICION:
            row["new_arrest"] = True
    return result


def _batch_frame(trajectory_ids: Sequence[int], data: StudyData) -> pd.DataFrame:
    rounds = list(
        _rounds(trajectory_ids)
        .order_by("trajectory_id", "opened_at", "pk")
        .values_list(
            "pk",
            "trajectory_id",
            "trajectory__uuid",
            "trajectory__client__uuid",
            "trajectory__start_date",
            "trajectory__end_date",
            "professional__uuid",
            "domain",
            "opened_at",
            "after_handover",
        )
    )
    # Numbered from 0 within the trajectory, as the generator numbers them.
    index: dict[int, int] = {}
    counter: dict[int, int] = defaultdict(int)
    for row in rounds:
        index[row[0]] = counter[row[1]]
        counter[row[1]] += 1
    by_round = {row[0]: row for row in rounds}
    responses = list(
        Response.objects.filter(
            round_id__in=by_round, is_current=True, submitted_at__isnull=False
        ).values_list(
            "pk",
            "uuid",
            "round_id",
            "rater",
            "mode",
            "answers",
            "round__instrument_id",
            "round__instrument_version",
        )
    )
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    for response_id, characteristic, value in ResponseScore.objects.filter(
        response_id__in=[r[0] for r in responses]
    ).values_list("response_id", "characteristic", "value"):
        scores[response_id][f"{SCORE_PREFIX}{characteristic}"] = value
    outcomes = _outcomes(trajectory_ids)
    responses.sort(key=lambda r: (by_round[r[2]][1], index[r[2]], RATER_ORDER.get(r[3], 9)))
    rows: list[dict[str, Any]] = []
    for pk, uuid, round_id, rater, mode, answers, instrument_id, version in responses:
        (
            _round_pk,
            trajectory_pk,
            trajectory_uuid,
            client_uuid,
            start_date,
            end_date,
            professional_uuid,
            domain,
            opened_at,
            after_handover,
        ) = by_round[round_id]
        row: dict[str, Any] = {
            "response_id": str(uuid),
            "trajectory_id": str(trajectory_uuid),
            "client_id": str(client_uuid),
            "professional_id": str(professional_uuid) if professional_uuid else None,
            "domain": domain,
            "round_index": index[round_id],
            "round_date": opened_at.date(),
            "after_handover": after_handover,
            "rater": rater,
            "mode": mode,
            "instrument": instrument_id,
            "instrument_version": version,
            "submitted": True,
            "start_date": start_date,
            "end_date": end_date,
            **outcomes[trajectory_pk],
        }
        for item in data.item_columns:
            row[item] = (answers or {}).get(item)
        row.update({column: scores[pk].get(column) for column in data.score_columns})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(data.columns))
    for column in (*data.item_columns, "round_index", "no_shows"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in data.score_columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in ("round_date", "start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def study_frames(
    study: Study, data: StudyData | None = None, *, batch: int = DEFAULT_BATCH_TRAJECTORIES
) -> Iterator[pd.DataFrame]:
    """The study's long table, a batch of consenting trajectories per frame.

    Pass the :class:`StudyData` from :func:`describe` when the caller needs it first (an
    export writes its codebook from it); every frame then has exactly its columns.
    """
    data = data or describe(study)
    ids = _consenting_ids(study)
    for start in range(0, len(ids), batch):
        frame = _batch_frame(ids[start : start + batch], data)
        if len(frame):
            yield frame


def study_table(study: Study) -> pd.DataFrame:
    """The whole long table at once (for analyses of a study that fits in memory)."""
    data = describe(study)
    frames = list(study_frames(study, data))
    if not frames:
        return pd.DataFrame(columns=list(data.columns))
    return pd.concat(frames, ignore_index=True)
