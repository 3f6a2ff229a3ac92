"""Answers to a phase questionnaire: stored once, only with consent, checked, audited; the frame."""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import pytest
from django.db import connection, connections
from django.utils import timezone

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.research.exceptions import (
    InvalidAnswers,
    InvalidStudyInput,
    NoResearchConsent,
    NotAllowed,
    QuestionnaireNotInPhase,
    StudyNotActive,
)
from alliantiemonitor.research.models import PhaseResponse
from alliantiemonitor.research.phase_responses import (
    FRAME_COLUMNS,
    phase_response_submit,
    phase_responses_frame,
)
from alliantiemonitor.research.services import (
    consent_record,
    consent_withdraw,
    study_create,
    study_phase_add,
    study_status_set,
    trajectory_enrol,
)
from tests.factories import ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MOTIVATION = {
    "mot_change": 5,
    "mot_goals": 4,
    "mot_helps": 4,
    "mot_no_effort": 1,
    "mot_must": 2,
    "mot_avoid": None,
}


def submit(enrolled: Any, phase: Any, by: Any, **changes: Any) -> tuple[PhaseResponse, bool]:
    fields: dict[str, Any] = {
        "enrolled": enrolled,
        "phase": phase,
        "questionnaire": "motivatie",
        "answers": MOTIVATION,
        "mode": "telephone",
        "by": by,
    }
    fields.update(changes)
    return phase_response_submit(**fields)


def submits() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.PHASE_RESPONSE_SUBMIT))


def test_a_researcher_types_in_answers_by_telephone(consenting, phase, researcher):
    response, created = submit(consenting, phase, researcher, answers={"mot_change": "5"})
    assert created
    response.refresh_from_db()
    assert (response.mode, response.entered_by, response.questionnaire) == (
        "telephone",
        researcher,
        "motivatie",
    )
    assert response.questionnaire_version == "1.0.0"
    # Every item is stored; the unanswered ones as null.
    assert response.answers["mot_change"] == 5
    assert response.answers["mot_goals"] is None
    assert len(response.answers) == 6
    [event] = submits()
    assert event.actor == researcher
    assert event.detail["study_key"] == consenting.study_key
    assert event.detail["mode"] == "telephone"
    assert event.detail["questionnaire"] == "motivatie@1.0.0"
    assert "mot_change" not in str(event.detail)  # no answers in the audit log


def test_the_client_answers_online(consenting, phase):
    response, created = submit(consenting, phase, None, mode="online")
    assert created
    assert response.entered_by is None
    assert response.mode == "online"
    assert submits()[0].actor_kind == "client"


def test_a_double_submit_changes_nothing(consenting, phase, researcher):
    first, created = submit(consenting, phase, researcher)
    again, created_again = submit(
        consenting, phase, researcher, answers={**MOTIVATION, "mot_change": 1}
    )
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert PhaseResponse.objects.get().answers["mot_change"] == 5
    assert len(submits()) == 1
    # The other questionnaire of the same phase is a response of its own.
    _, other = submit(consenting, phase, researcher, questionnaire="bruikbaarheid", answers={})
    assert other
    assert PhaseResponse.objects.count() == 2


@pytest.mark.parametrize("state", ["open", "refused", "withdrawn"])
def test_only_a_trajectory_with_standing_consent_is_recorded(
    enrolled, phase, researcher, professional, state
):
    if state == "refused":
        consent_record(enrolled=enrolled, given=False, mode="client_flow")
    if state == "withdrawn":
        consent_record(enrolled=enrolled, given=True, mode="client_flow")
        consent_withdraw(enrolled=enrolled, by=professional)
    with pytest.raises(NoResearchConsent):
        submit(enrolled, phase, researcher)
    assert not PhaseResponse.objects.exists()
    assert not submits()


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({"mot_change": 6}, "mot_change: 6 is not an answer on the scale 1–5"),
        ({"mot_change": "veel"}, "mot_change: 'veel' is not an answer on the scale 1–5"),
        ({"mot_unknown": 3}, "mot_unknown: motivatie@1.0.0 has no item with this id"),
    ],
)
def test_an_invalid_answer_is_named_and_nothing_is_saved(
    consenting, phase, researcher, answers, fragment
):
    with pytest.raises(InvalidAnswers) as caught:
        submit(consenting, phase, researcher, answers=answers)
    assert fragment in str(caught.value.message)
    assert not PhaseResponse.objects.exists()
    assert not submits()


def test_what_does_not_fit_the_phase_is_refused(consenting, phase, researcher, study):
    with pytest.raises(QuestionnaireNotInPhase):
        submit(consenting, phase, researcher, questionnaire="levensgebieden")
    with pytest.raises(QuestionnaireNotInPhase):
        submit(consenting, phase, researcher, questionnaire="standaard")
    other = study_create(by=researcher, name="Ander onderzoek", information_text="Uitleg.")
    other_phase = study_phase_add(
        study=other, by=researcher, kind="other", name="X", instruments=["motivatie"], timing_days=0
    )
    with pytest.raises(InvalidStudyInput):
        submit(consenting, other_phase, researcher)
    assert not PhaseResponse.objects.exists()


@pytest.mark.parametrize(
    ("mode", "who"),
    [("online", "researcher"), ("telephone", None), ("paper", None), ("email", "researcher")],
)
def test_the_mode_must_fit_who_submits(consenting, phase, researcher, mode, who):
    by = researcher if who == "researcher" else None
    with pytest.raises(InvalidStudyInput):
        submit(consenting, phase, by, mode=mode)
    assert not PhaseResponse.objects.exists()


def test_only_a_researcher_of_the_study_types_in_answers(
    consenting, phase, professional, organisation
):
    other_researcher = UserFactory(username="onderzoeker.ander")
    MembershipFactory(user=other_researcher, organisation=organisation, role="researcher")
    for by in (professional, other_researcher):
        with pytest.raises(NotAllowed):
            submit(consenting, phase, by)
    assert not PhaseResponse.objects.exists()


def test_a_closed_study_records_nothing(consenting, phase, researcher, study):
    study_status_set(study=study, by=researcher, status="closed")
    with pytest.raises(StudyNotActive):
        submit(consenting, phase, researcher)


# --------------------------------------------------------------------------- the frame


def test_the_frame_holds_consenting_trajectories_only(
    study, consenting, phase, researcher, professional, organisation, team
):
    from alliantiemonitor.trajectories.services import trajectory_start

    second_client = ClientFactory(organisation=organisation, display_name="Z.Q.")
    second = trajectory_enrol(
        study=study,
        trajectory=trajectory_start(
            client=second_client,
            professional=professional,
            legal_frame="Toezicht",
            start_date=timezone.localdate(),
            team=team,
        ),
        by=professional,
    )
    consent_record(enrolled=second, given=True, mode="client_flow")
    submit(consenting, phase, researcher)
    submit(
        consenting, phase, researcher, questionnaire="bruikbaarheid", answers={"nut_too_long": 1}
    )
    submit(second, phase, None, mode="online", answers={"mot_must": 4, "mot_avoid": 5})

    frame = phase_responses_frame(study)
    assert list(frame.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    assert len(frame) == 3
    assert set(frame["study_key"]) == {consenting.study_key, second.study_key}
    assert frame["submitted_month"].str.fullmatch(r"\d{4}-\d{2}").all()
    text = frame.to_csv()
    assert "K.V." not in text
    assert "Z.Q." not in text
    assert researcher.username not in text

    mine = frame[(frame["study_key"] == consenting.study_key)]
    motivation = mine[mine["questionnaire"] == "motivatie"].iloc[0]
    assert motivation["mode"] == "telephone"
    assert motivation["phase"] == 1
    assert motivation["motivatie.mot_change"] == 5
    assert pd.isna(motivation["motivatie.mot_avoid"])
    # own_reasons: 5, 4, 4 and 6 - 1 = 5 -> 4.5; outside_pressure: one of two answered -> none.
    assert motivation["motivatie.own_reasons"] == pytest.approx(4.5)
    assert pd.isna(motivation["motivatie.outside_pressure"])
    assert pd.isna(motivation["bruikbaarheid.nut_too_long"])  # another questionnaire's column
    usefulness = mine[mine["questionnaire"] == "bruikbaarheid"].iloc[0]
    assert usefulness["bruikbaarheid.nut_too_long"] == 1
    theirs = frame[frame["study_key"] == second.study_key].iloc[0]
    assert theirs["motivatie.outside_pressure"] == pytest.approx(4.5)

    # A withdrawal takes every response of that trajectory out.
    consent_withdraw(enrolled=consenting, by=professional)
    after = phase_responses_frame(study)
    assert list(after["study_key"]) == [second.study_key]


def test_the_frame_of_a_study_without_responses_is_empty(study):
    frame = phase_responses_frame(study)
    assert frame.empty
    assert list(frame.columns) == list(FRAME_COLUMNS)


# --------------------------------------------------------------------------- at the same time


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_leave_one(consenting, phase, researcher):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    outcomes: list[bool] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            outcomes.append(submit(consenting, phase, researcher)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    assert PhaseResponse.objects.count() == 1
    assert len(submits()) == 1
