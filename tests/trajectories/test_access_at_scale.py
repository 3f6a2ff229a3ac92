"""A professional's trajectories are found from their own assignments, not the organisation's.

At national scale (docs/benchmarks.md) an organisation has 25,000 trajectories: asking each of
them for its latest assignee made every caseload, course and API list cost as much as the whole
organisation. The plan below is PostgreSQL's own account of the work.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from alliantiemonitor.trajectories.access import trajectories_for
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _start(organisation: Any, professional: Any, team: Any, n: int, prefix: str) -> None:
    for i in range(n):
        trajectory_start(
            client=ClientFactory(organisation=organisation, display_name=f"{prefix}{i}"),
            professional=professional,
            legal_frame="Toezicht",
            start_date=timezone.localdate() - dt.timedelta(days=10),
            team=team,
        )


def _loops_of_latest_assignee(plan: Any, in_subplan: bool = False) -> int:
    """How often the plan asked a trajectory for its latest assignment (the most of any node).

    The question is the correlated subquery on the assignments (a ``SubPlan``); which index
    PostgreSQL reads it through (the foreign key's or ``assignment_trajectory_start``, equal
    in cost on a small table) is its own choice, so any read of the table inside it counts.
    """
    total = 0
    if isinstance(plan, dict):
        in_subplan = in_subplan or plan.get("Parent Relationship") == "SubPlan"
        if in_subplan and plan.get("Relation Name") == "trajectories_assignment":
            total = max(total, int(plan.get("Actual Loops", 0)))
        for child in plan.get("Plans", []):
            total = max(total, _loops_of_latest_assignee(child, in_subplan))
    elif isinstance(plan, list):
        for node in plan:
            total = max(total, _loops_of_latest_assignee(node.get("Plan", node), in_subplan))
    return total


def test_a_caseload_asks_only_the_professionals_own_trajectories(
    organisation, team, professional, colleague
):
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's EXPLAIN ANALYZE")
    _start(organisation, professional, team, 3, "A")
    _start(organisation, colleague, team, 30, "B")
    mine = trajectories_for(professional)
    assert mine.count() == 3
    sql, params = mine.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trajectories_trajectory, trajectories_assignment")
        cursor.execute("SET enable_seqscan = off")  # the small tables are read as the big ones
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan")
    plan = plan if isinstance(plan, list) else json.loads(plan)
    # Three trajectories of one's own: three questions, not 33 (the organisation's).
    assert 0 < _loops_of_latest_assignee(plan) <= 3
