"""Rounds and responses loaded with deferred fields (as the deletion collector loads them)."""

from __future__ import annotations

import pytest
from django.db.models import RestrictedError

from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import response_correct
from tests.factories import answer_round

pytestmark = pytest.mark.django_db


def test_round_loads_without_its_instrument_fields(measurement_round):
    # Reading the pin of a deferred round used to load it, endlessly (RecursionError).
    loaded = MeasurementRound.objects.only("pk", "state").get(pk=measurement_round.pk)
    assert loaded.state == measurement_round.state
    assert loaded.instrument_id == measurement_round.instrument_id


def test_response_loads_without_its_sealed_fields(measurement_round):
    response = answer_round(measurement_round, "client")
    loaded = Response.objects.only("pk", "version").get(pk=response.pk)
    assert loaded.version == 1
    assert loaded.answers == response.answers


def test_an_earlier_version_goes_only_with_its_round(measurement_round, professional):
    own = answer_round(measurement_round, "professional", professional=professional)
    item = measurement_round.instrument.items_for("professional")[0].id
    response_correct(response=own, answers={item: 2}, reason="Typefout", by=professional)
    with pytest.raises(RestrictedError):
        Response.objects.filter(pk=own.pk).delete()
    MeasurementRound.objects.filter(pk=measurement_round.pk).delete()
    assert not Response.objects.filter(round_id=measurement_round.pk).exists()
