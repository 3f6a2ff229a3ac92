"""Upgrading keeps what existing studies held: the setting is added at the most for them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("research", "0005_study_outputs")]
AFTER = [("research", "0006_study_keep_after_erasure")]


def test_studies_made_before_the_setting_keep_their_records_new_ones_do_not():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old = old_apps.get_model("research", "Study").objects.create(
        name="Oude studie", information_text="Uitleg voor cliënten.", secret="s" * 64
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    study = new_apps.get_model("research", "Study")
    assert study.objects.get(pk=old.pk).keep_after_erasure_months == 300
    made_after = study.objects.create(
        name="Nieuwe studie", information_text="Uitleg voor cliënten.", secret="t" * 64
    )
    assert made_after.keep_after_erasure_months == 0
    # Back to the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
