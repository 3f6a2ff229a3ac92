"""One scoring function serves a response on a page and a research extract of many."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from alliantiemonitor.core.scoring import answers_to_frame, score_answers, score_frame
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.measurements.services import (
    response_save_answers,
    response_submit,
    round_start,
)
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_stored_answers_score_the_same_one_by_one_and_as_an_extract(organisation, instrument):
    rng = random.Random(7)
    professional = UserFactory()
    MembershipFactory(user=professional, organisation=organisation, role="professional")
    items = [item.id for item in instrument.items_for("client")]
    for n in range(12):
        trajectory = trajectory_start(
            client=ClientFactory(organisation=organisation, display_name=f"X.{n}."),
            professional=professional,
            legal_frame="Toezicht",
            start_date=dt.date(2026, 1, 5),
        )
        measurement_round = round_start(trajectory=trajectory, by=professional)
        # Some items unanswered, some characteristics below the two-thirds rule.
        answers = {item: (None if rng.random() < 0.25 else rng.randint(1, 5)) for item in items}
        response_save_answers(
            round=measurement_round, rater="client", answers=answers, mode="own_device"
        )
        response_submit(round=measurement_round, rater="client")

    stored = list(Response.objects.filter(rater="client").order_by("pk"))
    assert len(stored) == 12
    extract = score_frame(
        instrument, answers_to_frame([r.answers for r in stored], items), "client"
    )
    for position, response in enumerate(stored):
        one = score_answers(instrument, response.answers, "client")
        for key, value in one.items():
            from_extract = extract.iloc[position][key]
            if value is None:
                assert math.isnan(from_extract), (position, key)
            else:
                assert from_extract == pytest.approx(value), (position, key)
    assert extract.isna().any().any(), "the sample should include a characteristic below 2/3"
