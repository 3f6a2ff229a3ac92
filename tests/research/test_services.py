"""Studies, enrolment and consent through the services: the rules and the history."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliantiemonitor.research.constants import ConsentState
from alliantiemonitor.research.exceptions import (
    AlreadyEnrolled,
    InvalidStudyInput,
    NotAllowed,
    NotEnrolled,
    NothingToWithdraw,
    StatusChangeNotAllowed,
    StudyNotActive,
    TrajectoryNotActive,
)
from alliantiemonitor.research.keys import normalise_study_key, study_key
from alliantiemonitor.research.models import EnrolledTrajectory, ResearchConsent, Study
from alliantiemonitor.research.services import (
    consent_record,
    consent_state,
    consent_withdraw,
    consenting_trajectories,
    study_counts,
    study_create,
    study_enrol,
    study_enrolment_agree,
    study_information_update,
    study_phase_add,
    study_phase_edit,
    study_status_set,
    trajectory_enrol,
)
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory, TeamFactory
from tests.research.conftest import STUDY_INFORMATION

pytestmark = pytest.mark.django_db


def _trajectory(organisation: Any, professional: Any, name: str, team: Any = None) -> Any:
    return trajectory_start(
        client=ClientFactory(organisation=organisation, display_name=name),
        professional=professional,
        legal_frame="Toezicht",
        start_date=timezone.localdate() - dt.timedelta(days=5),
        team=team,
    )


# --------------------------------------------------------------------------- study keys


def test_study_key_is_the_keyed_hash_of_the_spec(study, client_record):
    # Recomputed here from the documented rule (the export's client_id pseudonym), not through
    # the module: HMAC-SHA256 of "client_id", a NUL byte and the uuid; the first 60 bits in
    # Crockford's base 32, lower case.
    message = b"client_id\x00" + str(client_record.uuid).encode()
    digest = hmac.new(study.secret.encode(), message, hashlib.sha256).digest()
    bits = int.from_bytes(digest[:8], "big") >> 4
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    expected = "".join(alphabet[(bits >> (5 * (11 - i))) & 31] for i in range(12))
    assert study_key(study, client_record) == expected
    assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{12}", expected)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7ey4h7wsw6b3", "7ey4h7wsw6b3"),
        (" 7EY4-H7WS W6B3 ", "7ey4h7wsw6b3"),
        ("7eyah7wsw6bo", "7eyah7wsw6b0"),  # o is read as zero
        ("iey4h7wsw6bL", "1ey4h7wsw6b1"),  # i and l as one
        ("7ey4h7wsw6b", None),  # too short
        ("7ey4h7wsw6bu", None),  # u is not in the alphabet
        ("", None),
    ],
)
def test_a_typed_study_key_is_normalised_or_refused(typed, stored):
    assert normalise_study_key(typed) == stored


def test_study_key_is_stable_per_study_and_differs_across_studies(study, researcher, client_record):
    other = study_create(by=researcher, name="Tweede studie", information_text="Uitleg.")
    again = Study.objects.get(pk=study.pk)  # read back: the secret survives encryption
    assert study_key(again, client_record) == study_key(study, client_record)
    assert study_key(other, client_record) != study_key(study, client_record)
    assert other.secret != study.secret
    assert len(study.secret) == 64


def test_study_key_holds_no_name(enrolled, client_record):
    assert client_record.display_name.replace(".", "") not in enrolled.study_key
    assert enrolled.study_key == study_key(enrolled.study, client_record)


def test_two_trajectories_of_one_client_share_the_study_key(
    study, trajectory, professional, client_record
):
    second = trajectory_start(
        client=client_record,
        professional=professional,
        legal_frame="Begeleiding",
        start_date=timezone.localdate(),
        team=trajectory.team,
    )
    a = trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    b = trajectory_enrol(study=study, trajectory=second, by=professional)
    assert a.study_key == b.study_key


# --------------------------------------------------------------------------- studies


def test_study_create_makes_a_draft_with_its_creator_as_researcher(draft_study, researcher):
    assert draft_study.status == "draft"
    assert list(draft_study.researchers.all()) == [researcher]
    assert draft_study.information_version == 1
    assert draft_study.information_text == STUDY_INFORMATION


def test_only_a_researcher_creates_a_study(professional):
    with pytest.raises(NotAllowed):
        study_create(by=professional, name="X", information_text="Y")
    assert not Study.objects.exists()


@pytest.mark.parametrize(("name", "text"), [("", "Uitleg"), ("  ", "Uitleg"), ("Naam", " ")])
def test_a_study_needs_a_name_and_information(researcher, name, text):
    with pytest.raises(InvalidStudyInput):
        study_create(by=researcher, name=name, information_text=text)
    assert not Study.objects.exists()


def test_status_goes_draft_active_closed_only(draft_study, researcher):
    with pytest.raises(StatusChangeNotAllowed):
        study_status_set(study=draft_study, by=researcher, status="closed")
    study_status_set(study=draft_study, by=researcher, status="active")
    with pytest.raises(StatusChangeNotAllowed):
        study_status_set(study=draft_study, by=researcher, status="draft")
    study_status_set(study=draft_study, by=researcher, status="closed")
    with pytest.raises(StatusChangeNotAllowed):
        study_status_set(study=draft_study, by=researcher, status="active")
    assert Study.objects.get(pk=draft_study.pk).status == "closed"


def test_new_information_raises_the_version(draft_study, researcher):
    study_information_update(study=draft_study, by=researcher, information_text="Nieuwe uitleg.")
    study_information_update(study=draft_study, by=researcher, information_text="Nieuwe uitleg.")
    assert Study.objects.get(pk=draft_study.pk).information_version == 2


def test_phases_are_numbered_in_order_and_checked(draft_study, researcher):
    first = study_phase_add(
        study=draft_study,
        by=researcher,
        kind="nulmeting",
        name="Nulmeting",
        instruments=["levensgebieden"],
        timing_days=0,
    )
    second = study_phase_add(
        study=draft_study,
        by=researcher,
        kind="eindmeting",
        name="Eind",
        instruments=[],
        timing_days=365,
        mode_notes="Vragenlijst plus interview",
    )
    assert (first.order, second.order) == (1, 2)
    for bad in (
        {"kind": "nope"},
        {"instruments": ["no-such-instrument"]},
        # A phase asks plain questionnaires; the monitor runs in the measurement rounds.
        {"instruments": ["standaard"]},
        {"timing_days": -1},
        {"name": " "},
    ):
        fields = {"kind": "other", "name": "X", "instruments": [], "timing_days": 1, **bad}
        with pytest.raises(InvalidStudyInput):
            study_phase_add(study=draft_study, by=researcher, **fields)
    assert draft_study.phases.count() == 2
    edited = study_phase_edit(
        phase=second,
        by=researcher,
        kind="eindmeting",
        name="Eindmeting",
        instruments=["levensgebieden"],
        timing_days=360,
    )
    assert (edited.order, edited.name, edited.timing_days) == (2, "Eindmeting", 360)


# --------------------------------------------------------------------------- enrolment


def test_an_organisation_takes_part_only_once_its_admin_agrees(
    draft_study, researcher, organisation, org_admin, trajectory, professional
):
    study_status_set(study=draft_study, by=researcher, status="active")
    enrolment = study_enrol(study=draft_study, by=researcher, organisation=organisation)
    assert not enrolment.is_agreed
    with pytest.raises(NotEnrolled):
        trajectory_enrol(study=draft_study, trajectory=trajectory, by=professional)
    with pytest.raises(NotAllowed):
        study_enrolment_agree(enrolment=enrolment, by=researcher)
    study_enrolment_agree(enrolment=enrolment, by=org_admin)
    assert trajectory_enrol(study=draft_study, trajectory=trajectory, by=professional)


def test_a_researcher_asks_only_organisations_where_they_are_researcher(
    draft_study, researcher, other_organisation
):
    with pytest.raises(NotAllowed):
        study_enrol(study=draft_study, by=researcher, organisation=other_organisation)
    assert not draft_study.enrolments.exists()


def test_an_organisation_is_asked_once(study, researcher, organisation):
    with pytest.raises(AlreadyEnrolled):
        study_enrol(study=study, by=researcher, organisation=organisation)


def test_a_team_of_another_organisation_is_refused(
    draft_study, researcher, organisation, other_organisation
):
    with pytest.raises(InvalidStudyInput):
        study_enrol(
            study=draft_study,
            by=researcher,
            organisation=organisation,
            team=TeamFactory(organisation=other_organisation, name="Team Zuid"),
        )


def test_a_team_enrolment_takes_in_only_that_teams_trajectories(
    draft_study, researcher, organisation, org_admin, team, professional
):
    study_status_set(study=draft_study, by=researcher, status="active")
    study_enrolment_agree(
        enrolment=study_enrol(
            study=draft_study, by=researcher, organisation=organisation, team=team
        ),
        by=org_admin,
    )
    in_team = _trajectory(organisation, professional, "A.B.", team=team)
    other_team = _trajectory(
        organisation, professional, "C.D.", team=TeamFactory(organisation=organisation, name="Oost")
    )
    no_team = _trajectory(organisation, professional, "E.F.")
    assert trajectory_enrol(study=draft_study, trajectory=in_team, by=professional)
    for refused in (other_team, no_team):
        with pytest.raises(NotEnrolled):
            trajectory_enrol(study=draft_study, trajectory=refused, by=professional)


def test_only_active_trajectories_of_active_studies_are_enrolled(
    study, trajectory, professional, researcher
):
    from alliantiemonitor.trajectories.services import trajectory_end

    ended = _trajectory(trajectory.organisation, professional, "G.H.", team=trajectory.team)
    trajectory_end(
        trajectory=ended,
        by=professional,
        reason_kind="regular_completion",
        end_date=timezone.localdate(),
    )
    with pytest.raises(TrajectoryNotActive):
        trajectory_enrol(study=study, trajectory=ended, by=professional)
    trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    with pytest.raises(AlreadyEnrolled):
        trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    study_status_set(study=study, by=researcher, status="closed")
    fresh = _trajectory(trajectory.organisation, professional, "I.J.", team=trajectory.team)
    with pytest.raises(StudyNotActive):
        trajectory_enrol(study=study, trajectory=fresh, by=professional)
    assert EnrolledTrajectory.objects.count() == 1


def test_an_enrolled_trajectory_cannot_be_enrolled_twice_even_in_a_race(enrolled):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolledTrajectory.objects.create(
            study=enrolled.study,
            enrolment=enrolled.enrolment,
            trajectory=enrolled.trajectory,
            study_key=enrolled.study_key,
        )


# --------------------------------------------------------------------------- consent


def test_a_withdrawal_records_whether_the_client_or_a_professional_made_it(enrolled, professional):
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    by_client = consent_withdraw(enrolled=enrolled, by=None)
    assert (by_client.withdrawn_by, by_client.withdrawn_by_client) == (None, True)
    with pytest.raises(NothingToWithdraw):
        consent_withdraw(enrolled=enrolled, by=None)
    consent_record(enrolled=enrolled, given=True, mode="telephone", by=professional)
    by_staff = consent_withdraw(enrolled=enrolled, by=professional)
    assert (by_staff.withdrawn_by, by_staff.withdrawn_by_client) == (professional, False)
    # A client's withdrawal without a date cannot be stored.
    with pytest.raises(IntegrityError), transaction.atomic():
        ResearchConsent.objects.filter(pk=by_staff.pk).update(
            withdrawn_at=None, withdrawn_by=None, withdrawn_by_client=True
        )


def test_consent_history_is_kept_and_the_newest_decides(enrolled, professional):
    assert consent_state(enrolled) == ConsentState.OPEN
    consent_record(enrolled=enrolled, given=False, mode="professional_on_paper", by=professional)
    assert consent_state(enrolled) == ConsentState.REFUSED
    yes = consent_record(enrolled=enrolled, given=True, mode="client_flow")
    assert consent_state(enrolled) == ConsentState.GIVEN
    assert (yes.by_client, yes.recorded_by, yes.information_version) == (True, None, 1)
    consent_withdraw(enrolled=enrolled, by=professional)
    assert consent_state(enrolled) == ConsentState.WITHDRAWN
    with pytest.raises(NothingToWithdraw):
        consent_withdraw(enrolled=enrolled, by=professional)
    again = consent_record(enrolled=enrolled, given=True, mode="telephone", by=professional)
    assert consent_state(enrolled) == ConsentState.GIVEN
    rows = list(ResearchConsent.objects.filter(enrolled=enrolled).order_by("recorded_at", "pk"))
    assert [(r.given, r.withdrawn_at is not None) for r in rows] == [
        (False, False),
        (True, True),
        (True, False),
    ]
    assert rows[1].withdrawn_by == professional
    assert rows[2] == again
    assert (again.recorded_by, again.by_client) == (professional, False)


def test_consent_records_the_information_version_shown(enrolled, researcher):
    study_information_update(study=enrolled.study, by=researcher, information_text="Versie twee.")
    consent = consent_record(enrolled=enrolled, given=True, mode="client_flow")
    assert consent.information_version == 2


@pytest.mark.parametrize(
    ("mode", "by_professional"),
    [("client_flow", True), ("telephone", False), ("professional_on_paper", False), ("fax", True)],
)
def test_the_mode_must_fit_who_records(enrolled, professional, mode, by_professional):
    with pytest.raises(InvalidStudyInput):
        consent_record(
            enrolled=enrolled, given=True, mode=mode, by=professional if by_professional else None
        )
    assert not ResearchConsent.objects.exists()


def test_nothing_to_withdraw_without_a_yes(enrolled, professional):
    with pytest.raises(NothingToWithdraw):
        consent_withdraw(enrolled=enrolled, by=professional)
    consent_record(enrolled=enrolled, given=False, mode="client_flow")
    with pytest.raises(NothingToWithdraw):
        consent_withdraw(enrolled=enrolled, by=professional)


def test_a_closed_study_records_no_answer_but_a_withdrawal(enrolled, researcher, professional):
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    study_status_set(study=enrolled.study, by=researcher, status="closed")
    with pytest.raises(StudyNotActive):
        consent_record(enrolled=enrolled, given=True, mode="client_flow")
    consent_withdraw(enrolled=enrolled, by=professional)
    assert consent_state(enrolled) == ConsentState.WITHDRAWN


def test_consenting_trajectories_are_exactly_the_standing_yeses(
    study, organisation, team, professional
):
    states = {
        "yes": [True],
        "no": [False],
        "yes-then-no": [True, False],
        "no-then-yes": [False, True],
        "withdrawn": [True, "withdraw"],
        "open": [],
    }
    keys = {}
    for label, steps in states.items():
        row = trajectory_enrol(
            study=study,
            trajectory=_trajectory(organisation, professional, label, team),
            by=professional,
        )
        for step in steps:
            if step == "withdraw":
                consent_withdraw(enrolled=row, by=professional)
            else:
                consent_record(enrolled=row, given=step, mode="client_flow")
        keys[label] = row.study_key
    found = {row.study_key for row in consenting_trajectories(study)}
    assert found == {keys["yes"], keys["no-then-yes"]}
    counts = study_counts(study)
    assert (counts.enrolled, counts.given, counts.refused, counts.withdrawn, counts.open) == (
        6,
        2,
        2,
        1,
        1,
    )


def test_consenting_trajectories_keep_to_their_study(enrolled, researcher, organisation, org_admin):
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    other = study_create(by=researcher, name="Ander", information_text="Uitleg.")
    study_status_set(study=other, by=researcher, status="active")
    assert list(consenting_trajectories(other)) == []
    assert list(consenting_trajectories(enrolled.study)) == [enrolled]


# --------------------------------------------------------------------------- retention


def test_erasing_the_client_keeps_the_consent_history_under_the_study_key_only(
    enrolled, professional, org_admin
):
    from alliantiemonitor.trajectories.services import erase_client_data

    Study.objects.filter(pk=enrolled.study_id).update(keep_after_erasure_months=12)
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    key = enrolled.study_key
    client = enrolled.trajectory.client
    with transaction.atomic():
        erase_client_data(client, actor=None, reason="retention")
    row = EnrolledTrajectory.objects.get(pk=enrolled.pk)
    assert row.trajectory is None
    assert row.study_key == key
    assert ResearchConsent.objects.filter(enrolled=row).count() == 1
    # No way back to a person, and nothing left for an export to read.
    assert list(consenting_trajectories(enrolled.study)) == []
    assert row.audit_context() == (enrolled.enrolment.organisation, None)
