"""Signals keep their trajectory's organisation (an index of its own for the dashboards)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alliantiemonitor.monitoring.models import Signal

BEFORE = [("monitoring", "0003_encrypt_free_text")]
AFTER = [("monitoring", "0004_signal_organisation")]


def _signal(measurement_round, **fields) -> Signal:
    return Signal.objects.create(
        trajectory=measurement_round.trajectory,
        round=measurement_round,
        kind="friction",
        raised_at=measurement_round.opened_at,
        **fields,
    )


@pytest.mark.django_db
def test_a_new_signal_gets_its_trajectorys_organisation(measurement_round, organisation):
    signal = _signal(measurement_round)
    assert signal.organisation_id == organisation.pk
    assert Signal.objects.filter(organisation=organisation).get() == signal


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_in_the_organisation_of_existing_signals(measurement_round):
    signal = _signal(measurement_round)
    organisation_id = measurement_round.trajectory.organisation_id
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    assert apps.get_model("monitoring", "Signal").objects.get(pk=signal.pk).organisation_id == (
        organisation_id
    )
    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
