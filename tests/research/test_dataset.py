"""A study's long table: consenting trajectories only, the product's answers and scores exactly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from django.db.models.signals import post_init
from django.utils import timezone

from alliantiemonitor.core.research.export import ExportOptions, export_research_data
from alliantiemonitor.core.scoring import score_answers
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.research.dataset import describe, study_frames, study_table
from alliantiemonitor.research.services import consent_record, consent_withdraw, trajectory_enrol
from alliantiemonitor.trajectories.services import outcome_record, trajectory_start
from tests.factories import ClientFactory, answer_round

pytestmark = pytest.mark.django_db


def _enrolled(study: Any, organisation: Any, professional: Any, name: str) -> Any:
    trajectory = trajectory_start(
        client=ClientFactory(organisation=organisation, display_name=name),
        professional=professional,
        legal_frame="Toezicht",
        start_date=timezone.localdate() - dt.timedelta(days=60),
    )
    return trajectory_enrol(study=study, trajectory=trajectory, by=professional)


def _two_rounds(trajectory: Any, professional: Any) -> list[Any]:
    rounds = []
    for value in (2, 4):
        measurement_round = round_start(trajectory=trajectory, by=professional)
        answer_round(measurement_round, "client", value=value)
        answer_round(measurement_round, "professional", professional=professional, value=value + 1)
        rounds.append(measurement_round)
    return rounds


@pytest.fixture
def three(study, organisation, professional):
    """Yes; withdrawn after a yes; never asked — each with two answered rounds."""
    yes = _enrolled(study, organisation, professional, "Anna Ja")
    withdrawn = _enrolled(study, organisation, professional, "Bert Later")
    silent = _enrolled(study, organisation, professional, "Cor Stil")
    for enrolled in (yes, withdrawn, silent):
        _two_rounds(enrolled.trajectory, professional)
    consent_record(enrolled=yes, given=True, mode="client_flow")
    consent_record(enrolled=withdrawn, given=True, mode="client_flow")
    consent_withdraw(enrolled=withdrawn, by=professional)
    return yes, withdrawn, silent


def test_only_the_consenting_client_is_in_the_table(study, three):
    yes, _withdrawn, _silent = three
    table = study_table(study)
    assert set(table["client_id"]) == {str(yes.trajectory.client.uuid)}
    assert len(table) == 4  # two rounds, two parties
    assert list(table["rater"]) == ["client", "professional"] * 2
    assert list(table["round_index"]) == [0, 0, 1, 1]  # from 0, as the generator


def test_answers_and_scores_are_the_stored_ones(study, three, instrument):
    yes = three[0]
    table = study_table(study).set_index(["round_index", "rater"])
    client_items = [item.id for item in instrument.items_for("client")]
    assert (table.loc[(0, "client"), client_items] == 2).all()
    assert (table.loc[(1, "client"), client_items] == 4).all()
    # The professional's row holds no client answers, and vice versa.
    assert table.loc[(0, "professional"), client_items].isna().all()
    expected = score_answers(instrument, dict.fromkeys(client_items, 4), "client")
    for characteristic, value in expected.items():
        assert table.loc[(1, "client"), f"score_{characteristic}"] == pytest.approx(value)
    assert yes.trajectory.client.display_name not in table.to_csv()


def test_a_withdrawal_after_describe_leaves_the_client_out_of_the_next_pass(
    study, three, professional
):
    yes = three[0]
    data = describe(study)
    consent_withdraw(enrolled=yes, by=professional)
    assert list(study_frames(study, data)) == []


def test_outcomes_of_the_trajectory_are_in_every_row(study, three, professional):
    yes = three[0]
    outcome_record(
        trajectory=yes.trajectory,
        kind="no_show",
        date=timezone.localdate(),
        by=professional,
    )
    table = study_table(study)
    assert set(table["no_shows"]) == {1}
    assert not table["formal_warning"].any()


def test_frames_come_in_batches_and_keep_a_round_together(study, organisation, professional, three):
    for name in ("Dirk Een", "Eva Twee"):
        enrolled = _enrolled(study, organisation, professional, name)
        _two_rounds(enrolled.trajectory, professional)
        consent_record(enrolled=enrolled, given=True, mode="client_flow")
    frames = list(study_frames(study, batch=1))
    assert len(frames) == 3
    assert all(len(frame) == 4 for frame in frames)


def test_the_table_goes_through_the_export_unchanged_in_shape(study, three, tmp_path):
    data = describe(study)
    assert [i.id for i in data.instruments] == ["standaard"]
    result = export_research_data(
        study_frames(study, data),
        secret=study.secret.encode("ascii"),
        out=tmp_path / "export",
        options=ExportOptions(formats=("csv",)),
        instrument=data.instruments[0],
        column_kinds=data.score_kinds,
    )
    exported = pd.read_csv(result.files["csv"])
    assert len(exported) == 4
    assert str(three[0].trajectory.client.uuid) not in exported.to_csv()


def test_describe_reads_the_pins_not_every_round(study, three):
    """A study of a million rounds once took about 2 GB here: one model instance per round."""
    made: list[Any] = []

    def count(sender: Any, instance: Any, **kwargs: Any) -> None:
        made.append(instance)

    post_init.connect(count, sender=MeasurementRound)
    try:
        data = describe(study)
    finally:
        post_init.disconnect(count, sender=MeasurementRound)
    assert [i.id for i in data.instruments] == ["standaard"]
    assert len(made) <= len(data.instruments)
