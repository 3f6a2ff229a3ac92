"""get_round_for with every persona."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from alliantiemonitor.measurements.access import get_round_for, rounds_for

pytestmark = pytest.mark.django_db


def test_assigned_professional_opens_the_round(measurement_round, professional):
    assert get_round_for(professional, measurement_round.uuid) == measurement_round
    assert get_round_for(professional, str(measurement_round.uuid)) == measurement_round
    assert list(rounds_for(professional)) == [measurement_round]


@pytest.mark.parametrize(
    "persona", ["colleague", "team_lead", "researcher", "outsider", "org_admin"]
)
def test_everyone_else_gets_404(measurement_round, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        get_round_for(user, measurement_round.uuid)
    assert not rounds_for(user).exists()


def test_unknown_or_malformed_id_is_404(measurement_round, professional):
    with pytest.raises(Http404):
        get_round_for(professional, uuid.uuid4())
    with pytest.raises(Http404):
        get_round_for(professional, "42")
