"""``unique_or_none``: ``.first()`` for unique lookups, without the ORDER BY."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliantiemonitor.common.queries import unique_or_none
from alliantiemonitor.trajectories.models import Trajectory

pytestmark = pytest.mark.django_db


def test_the_row_or_none_and_no_order_by(trajectory):
    # Trajectory sorts by start date by default: the helper leaves that out.
    with CaptureQueriesContext(connection) as queries:
        found = unique_or_none(Trajectory.objects.filter(uuid=trajectory.uuid))
        missing = unique_or_none(Trajectory.objects.filter(pk=-1))
    assert found == trajectory
    assert missing is None
    assert len(queries) == 2
    assert not any("ORDER BY" in q["sql"] for q in queries.captured_queries)
    # One row is asked for, never the whole match.
    assert all("LIMIT 1" in q["sql"] for q in queries.captured_queries)


def test_a_query_ordered_by_the_caller_loses_that_order_too(trajectory):
    with CaptureQueriesContext(connection) as queries:
        unique_or_none(Trajectory.objects.filter(uuid=trajectory.uuid).order_by("-pk"))
    assert "ORDER BY" not in queries.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    "model",
    [
        "measurements.MeasurementRound",
        "measurements.Response",
        "measurements.ResponseScore",
        "monitoring.Signal",
        "trajectories.Assignment",
        "trajectories.OutcomeEvent",
        "conversations.Agreement",
        "conversations.Evaluation",
    ],
)
def test_default_orderings_sort_on_the_foreign_key_column_without_a_join(model):
    # Ordering by the parent itself ("round") sorts by the parent's own ordering: a join per
    # level (a score joined response, round and trajectory) only to sort, on every list.
    # Within one parent the order is the same; across parents it follows the parent's id.
    from django.apps import apps

    sql = str(apps.get_model(model).objects.all().query)
    assert "JOIN" not in sql
    assert "ORDER BY" in sql
