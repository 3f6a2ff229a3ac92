"""Scores per characteristic are stored when a response is submitted or corrected."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from alliantiemonitor.core.scoring import score_answers
from alliantiemonitor.measurements.models import Response, ResponseScore
from alliantiemonitor.measurements.services import (
    response_correct,
    response_save_answers,
    response_submit,
)
from tests.factories import answer_round, full_answers

pytestmark = pytest.mark.django_db


def varied_answers(instrument, rater):
    """Different values per item (1..5 cycling), so reverse keying and means matter."""
    return {item.id: 1 + i % 5 for i, item in enumerate(instrument.items_for(rater))}


@pytest.mark.parametrize("rater", ["client", "professional"])
def test_submit_stores_the_scores_the_core_computes(measurement_round, professional, rater):
    instrument = measurement_round.instrument
    answers = varied_answers(instrument, rater)
    respondent = professional if rater == "professional" else None
    mode = "professional_self" if rater == "professional" else "own_device"
    response_save_answers(
        round=measurement_round, rater=rater, answers=answers, mode=mode, respondent=respondent
    )
    response = response_submit(round=measurement_round, rater=rater, respondent=respondent)

    expected = score_answers(instrument, answers, rater)
    assert response.score_map() == expected
    stored = ResponseScore.objects.filter(response=response)
    assert stored.count() == len(expected)
    assert {s.rater for s in stored} == {rater}


def test_a_draft_has_no_stored_scores(measurement_round, instrument):
    draft = response_save_answers(
        round=measurement_round,
        rater="client",
        answers=full_answers(instrument, "client", 4),
        mode="own_device",
    )
    assert draft.score_map() == {}


def test_too_few_answers_store_an_empty_score(measurement_round, instrument):
    items = instrument.items_of("trust", "client")
    answers = full_answers(instrument, "client", 4)
    for item in items:
        answers[item.id] = None
    response_save_answers(
        round=measurement_round, rater="client", answers=answers, mode="own_device"
    )
    response = response_submit(round=measurement_round, rater="client")
    scores = response.score_map()
    assert scores["trust"] is None
    assert scores["direction"] == pytest.approx(
        score_answers(instrument, answers, "client")["direction"]
    )


def test_a_correction_stores_new_scores_and_the_old_version_keeps_its_own(
    measurement_round, professional, instrument
):
    original = answer_round(measurement_round, "professional", professional=professional, value=4)
    before = original.score_map()
    trust_items = [item.id for item in instrument.items_of("trust", "professional")]
    corrected = response_correct(
        response=original,
        answers=dict.fromkeys(trust_items, 1),
        reason="Verkeerd aangeklikt",
        by=professional,
    )
    original.refresh_from_db()
    assert original.score_map() == before
    expected = score_answers(instrument, corrected.answers, "professional")
    assert corrected.score_map() == expected
    assert corrected.score_map()["trust"] != before["trust"]
    current = ResponseScore.objects.current().filter(response__round=measurement_round)
    assert set(current.values_list("response_id", flat=True)) == {corrected.pk}


def test_the_backfill_migration_scores_responses_submitted_before_scores_were_stored(
    measurement_round, professional
):
    response = answer_round(measurement_round, "professional", professional=professional)
    expected = response.score_map()
    ResponseScore.objects.all().delete()
    assert Response.objects.get(pk=response.pk).score_map() == {}

    migration = importlib.import_module(
        "alliantiemonitor.measurements.migrations.0006_backfill_response_scores"
    )
    migration.backfill(django_apps, None)
    migration.backfill(django_apps, None)  # a second run adds nothing

    assert Response.objects.get(pk=response.pk).score_map() == expected
    assert ResponseScore.objects.count() == len(expected)
