"""The answers to a study phase's questionnaires: the write path, and the frame exports read.

A phase names plain questionnaires (``kind: questionnaire`` instrument files) by id. An
enrolled trajectory with standing research consent answers each of them once per phase:
online by the client, or typed in by one of the study's researchers during a telephone
interview (or from paper). Nothing here shows or stores a name; audit details carry the
study key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.core.instrument import QUESTIONNAIRE, Instrument
from alliantiemonitor.core.questionnaire import (
    QuestionnaireAnswerError,
    clean_questionnaire_answers,
    score_questionnaire_frame,
)
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.organisations.constants import Role
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.research.constants import STAFF_RESPONSE_MODES, ResponseMode
from alliantiemonitor.research.exceptions import (
    InvalidAnswers,
    InvalidStudyInput,
    NoResearchConsent,
    NotAllowed,
    QuestionnaireNotInPhase,
    StudyNotActive,
)
from alliantiemonitor.research.models import (
    EnrolledTrajectory,
    PhaseResponse,
    Study,
    StudyPhase,
)

#: The columns of :func:`phase_responses_frame` before the item and score columns.
FRAME_COLUMNS = (
    "study_key",
    "phase",
    "phase_kind",
    "questionnaire",
    "version",
    "mode",
    "submitted_month",
)


def questionnaire_get(questionnaire_id: str, version: str | None = None) -> Instrument:
    """The plain questionnaire ``questionnaire_id`` (latest version unless given).

    Raises ``KeyError`` for an id that names no questionnaire (a monitor variant neither).
    """
    return get_registry().get(questionnaire_id, version, kind=QUESTIONNAIRE)


def questionnaire_ids() -> list[str]:
    """The ids of every plain questionnaire the installation knows, sorted."""
    return get_registry().ids(kind=QUESTIONNAIRE)


def _is_study_researcher(user: Any, study: Study) -> bool:
    return (
        bool(getattr(user, "is_active", False))
        and study.researchers.filter(pk=user.pk).exists()
        and Membership.objects.active().for_user(user).with_role(Role.RESEARCHER).exists()
    )


def _answers_message(error: QuestionnaireAnswerError) -> str:
    return _("Some answers are not valid; nothing was saved: %(problems)s") % {
        "problems": "; ".join(str(problem) for problem in error.problems)
    }


@transaction.atomic
def phase_response_submit(
    *,
    enrolled: EnrolledTrajectory,
    phase: StudyPhase,
    questionnaire: str,
    answers: Mapping[str, object],
    mode: str,
    by: Any = None,
) -> tuple[PhaseResponse, bool]:
    """Store the answers of ``enrolled`` to ``questionnaire`` in ``phase``, once.

    ``mode`` is ``online`` for the client (``by`` is ``None``), or ``telephone`` / ``paper``
    for a researcher of the study (``by``) who types the answers in. ``answers`` maps item
    ids to scale values (or their text; empty or absent is "not answered"). Returns the
    response and whether it was created: a second submission, also two at the same moment,
    returns the stored one and changes nothing.

    Raises ``InvalidStudyInput`` (a mode that does not fit who submits, a phase of another
    study), ``QuestionnaireNotInPhase``, ``NotAllowed`` (not a researcher of the study),
    ``StudyNotActive``, ``NoResearchConsent`` (no standing consent, or the client's data
    were erased) and ``InvalidAnswers`` (an unknown item or a value off the scale, named in
    the message). Nothing is written then.
    """
    if mode not in ResponseMode.values or (by is None) != (mode == ResponseMode.ONLINE):
        raise InvalidStudyInput(field="mode")
    if by is not None and mode not in STAFF_RESPONSE_MODES:
        raise InvalidStudyInput(field="mode")
    if phase.study_id != enrolled.study_id:
        raise InvalidStudyInput(field="phase")
    if questionnaire not in (phase.instruments or []):
        raise QuestionnaireNotInPhase
    try:
        instrument = questionnaire_get(questionnaire)
    except KeyError as exc:
        raise QuestionnaireNotInPhase from exc
    # The enrolment's row lock serialises two submissions of the same trajectory; the
    # unique constraint below catches what a database without row locks lets through.
    locked = (
        EnrolledTrajectory.objects.select_for_update(of=("self",))
        .select_related("study")
        .get(pk=enrolled.pk)
    )
    # The phase's row lock orders this after (or before) a change of the phase: an answer
    # never lands on a questionnaire that study_phase_edit has just taken out of it.
    phase = StudyPhase.objects.select_for_update().get(pk=phase.pk)
    if questionnaire not in (phase.instruments or []):
        raise QuestionnaireNotInPhase
    study = locked.study
    if by is not None and not _is_study_researcher(by, study):
        raise NotAllowed
    if not study.is_active:
        raise StudyNotActive
    existing = PhaseResponse.objects.filter(
        enrolled=locked, phase=phase, questionnaire=questionnaire
    ).first()
    if existing is not None:
        return existing, False
    consenting = (
        EnrolledTrajectory.objects.filter(pk=locked.pk, trajectory__isnull=False)
        .consenting()
        .exists()
    )
    if not consenting:
        raise NoResearchConsent
    try:
        cleaned = clean_questionnaire_answers(instrument, answers)
    except QuestionnaireAnswerError as error:
        raise InvalidAnswers(_answers_message(error)) from error
    try:
        with transaction.atomic():
            response = PhaseResponse.objects.create(
                enrolled=locked,
                phase=phase,
                questionnaire=instrument.id,
                questionnaire_version=instrument.version,
                answers=cleaned,
                mode=mode,
                entered_by=by,
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        # Submitted at the same moment by another request: that one counts.
        return PhaseResponse.objects.get(
            enrolled=locked, phase=phase, questionnaire=questionnaire
        ), False
    audit_record(
        actor=by,
        actor_kind=ActorKind.CLIENT if by is None else ActorKind.USER,
        action=Action.PHASE_RESPONSE_SUBMIT,
        obj=response,
        detail={
            "study": study.uuid,
            "study_key": locked.study_key,
            "phase": phase.order,
            "questionnaire": instrument.ref,
            "mode": mode,
        },
    )
    return response, True


# --------------------------------------------------------------------------- reading


def phase_responses_frame(study: Study) -> pd.DataFrame:
    """Every phase response of ``study``'s consenting trajectories, one row per response.

    Columns: ``study_key``, ``phase`` (its order number), ``phase_kind``, ``questionnaire``,
    ``version``, ``mode``, ``submitted_month`` (``YYYY-MM``: no day, no time), then per
    questionnaire (by id) one column per item, ``<questionnaire>.<item id>`` (nullable
    integers), and one per scale, ``<questionnaire>.<scale key>`` (the mean item score after
    reverse keying, missing when fewer than two thirds of its items were answered). Only
    trajectories whose client's consent stands are included: a withdrawal takes every
    response out. No name, no user and no exact time leaves this function.
    """
    consenting = EnrolledTrajectory.objects.filter(
        study=study, trajectory__isnull=False
    ).consenting()
    responses = (
        PhaseResponse.objects.filter(enrolled__in=consenting.values("pk"), phase__study=study)
        .select_related("enrolled", "phase")
        .order_by("enrolled__study_key", "phase__order", "questionnaire", "pk")
    )
    base: list[dict[str, object]] = []
    answers: list[dict[str, object]] = []
    for response in responses:
        base.append(
            {
                "study_key": response.enrolled.study_key,
                "phase": response.phase.order,
                "phase_kind": response.phase.kind,
                "questionnaire": response.questionnaire,
                "version": response.questionnaire_version,
                "mode": response.mode,
                "submitted_month": response.submitted_at.strftime("%Y-%m"),
            }
        )
        answers.append(dict(response.answers))
    frame = pd.DataFrame(base, columns=list(FRAME_COLUMNS))
    parts = [frame]
    for questionnaire_id in sorted(set(frame["questionnaire"])):
        rows = (frame["questionnaire"] == questionnaire_id).to_numpy()
        parts.append(_questionnaire_columns(questionnaire_id, frame, answers, rows))
    return pd.concat(parts, axis=1) if len(parts) > 1 else frame


def _questionnaire_columns(
    questionnaire_id: str,
    frame: pd.DataFrame,
    answers: list[dict[str, object]],
    rows: Any,
) -> pd.DataFrame:
    """The item and scale columns of one questionnaire (empty on other questionnaires' rows)."""
    positions = [i for i, take in enumerate(rows) if take]
    versions = frame["version"].iloc[positions]
    items: list[str] = []
    scales: list[str] = []
    instruments: dict[str, Instrument | None] = {}
    for version in dict.fromkeys(versions):
        try:
            instrument = questionnaire_get(questionnaire_id, version)
        except KeyError:
            # A version whose file is gone: its answers are kept, its scores cannot be made.
            instruments[version] = None
            continue
        instruments[version] = instrument
        items.extend(i.id for i in instrument.items if i.id not in items)
        scales.extend(c.key for c in instrument.characteristics if c.key not in scales)
    for position in positions:
        items.extend(key for key in answers[position] if key not in items)
    item_frame = pd.DataFrame(
        [answers[p] if rows[p] else {} for p in range(len(frame))],
        columns=items,
        index=frame.index,
        dtype="Int64",
    )
    score_frame = pd.DataFrame(index=frame.index, columns=scales, dtype=float)
    for version, instrument in instruments.items():
        if instrument is None:
            continue
        mask = rows & (frame["version"] == version).to_numpy()
        scored = score_questionnaire_frame(instrument, item_frame.loc[mask].astype(float))
        score_frame.loc[mask, list(scored.columns)] = scored.to_numpy()
    item_frame.columns = [f"{questionnaire_id}.{item}" for item in items]
    score_frame.columns = [f"{questionnaire_id}.{scale}" for scale in scales]
    return pd.concat([item_frame, score_frame], axis=1)
