"""Blind until both are done: who sees which answers when."""

from __future__ import annotations

import pytest

from alliantiemonitor.measurements.constants import RoundState
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services import (
    response_submit,
    responses_visible_to_client,
    responses_visible_to_professional,
    round_answers_visible,
    round_close,
)
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.organisations.services import membership_grant, membership_revoke
from tests.factories import answer_round

pytestmark = pytest.mark.django_db


def save(round_, rater, professional=None):
    return answer_round(round_, rater, professional=professional, submit=False)


def raters(responses):
    return sorted(r.rater for r in responses)


def test_hidden_until_both_submitted(measurement_round, professional):
    save(measurement_round, "client")
    save(measurement_round, "professional", professional)
    assert not round_answers_visible(measurement_round)
    assert raters(responses_visible_to_professional(measurement_round, professional)) == [
        "professional"
    ]
    assert raters(responses_visible_to_client(measurement_round)) == ["client"]

    response_submit(round=measurement_round, rater="client")
    measurement_round.refresh_from_db()
    assert not round_answers_visible(measurement_round)
    assert raters(responses_visible_to_professional(measurement_round, professional)) == [
        "professional"
    ]

    response_submit(round=measurement_round, rater="professional")
    measurement_round.refresh_from_db()
    assert round_answers_visible(measurement_round)
    assert raters(responses_visible_to_professional(measurement_round, professional)) == [
        "client",
        "professional",
    ]
    assert raters(responses_visible_to_client(measurement_round)) == ["client", "professional"]


def test_closed_without_one_side_shows_what_was_submitted(measurement_round, professional):
    save(measurement_round, "professional", professional)
    response_submit(round=measurement_round, rater="professional")
    save(measurement_round, "client")  # a draft that was never sent
    round_close(round=measurement_round, by=professional)
    measurement_round.refresh_from_db()

    assert round_answers_visible(measurement_round)
    assert raters(responses_visible_to_client(measurement_round)) == ["client", "professional"]
    # The professional does not get the client's unsent draft.
    assert raters(responses_visible_to_professional(measurement_round, professional)) == [
        "professional"
    ]


def test_nobody_but_the_assignee_sees_anything(
    measurement_round, professional, colleague, team_lead, researcher, outsider
):
    save(measurement_round, "client")
    response_submit(round=measurement_round, rater="client")
    save(measurement_round, "professional", professional)
    response_submit(round=measurement_round, rater="professional")
    measurement_round.refresh_from_db()
    for user in [colleague, team_lead, researcher, outsider]:
        assert not responses_visible_to_professional(measurement_round, user).exists()


def test_an_expired_round_opens_like_a_closed_one(measurement_round, professional):
    save(measurement_round, "client")
    response_submit(round=measurement_round, rater="client")
    assert not round_answers_visible(measurement_round)
    MeasurementRound.objects.filter(pk=measurement_round.pk).update(state=RoundState.EXPIRED)
    measurement_round.refresh_from_db()
    assert round_answers_visible(measurement_round)
    assert raters(responses_visible_to_professional(measurement_round, professional)) == ["client"]


def test_a_revoked_or_deactivated_professional_sees_nothing(measurement_round, professional):
    save(measurement_round, "client")
    response_submit(round=measurement_round, rater="client")
    save(measurement_round, "professional", professional)
    response_submit(round=measurement_round, rater="professional", respondent=professional)
    measurement_round.refresh_from_db()
    assert responses_visible_to_professional(measurement_round, professional).count() == 2

    membership = Membership.objects.get(user=professional, role="professional")
    membership_revoke(membership=membership)
    assert not responses_visible_to_professional(measurement_round, professional).exists()

    membership_grant(user=professional, organisation=membership.organisation, role="professional")
    professional.is_active = False
    professional.save()
    assert not responses_visible_to_professional(measurement_round, professional).exists()
