from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import ClientFactory, TeamFactory, answer_round


def make_cohort(
    *, organisation: Any, team: Any, professional: Any, done: int, overdue: int
) -> list[Any]:
    """``done`` trajectories with a round both filled in, ``overdue`` with an overdue round."""
    from alliantiemonitor.measurements.services import round_start
    from alliantiemonitor.trajectories.services import trajectory_start

    rounds = []
    for i in range(done + overdue):
        trajectory = trajectory_start(
            client=ClientFactory(organisation=organisation),
            professional=professional,
            legal_frame="Toezicht",
            start_date=timezone.localdate() - dt.timedelta(days=60),
            team=team,
        )
        round_ = round_start(trajectory=trajectory, by=professional)
        if i < done:
            answer_round(round_, "client", value=4)
            answer_round(round_, "professional", professional=professional, value=3)
        else:
            round_.due_date = timezone.localdate() - dt.timedelta(days=1)
            round_.save(update_fields=["due_date"])
        rounds.append(round_)
    return rounds


@pytest.fixture
def other_team(organisation: Any) -> Any:
    return TeamFactory(organisation=organisation, name="Team Zuid")


@pytest.fixture
def cohort(organisation, team, professional) -> list[Any]:
    """Team Noord: 6 rounds both done and 2 overdue (2 clients: hidden)."""
    return make_cohort(
        organisation=organisation, team=team, professional=professional, done=6, overdue=2
    )
