"""Store the scores of responses submitted before scores were stored.

Uses the same core function as ``response_submit`` and the round's pinned instrument from the
installed registry. A round whose instrument is no longer installed keeps no stored scores (the
pages show such a round as unreadable anyway); the migration reports how many it skipped.
"""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    from alliantiemonitor.core.scoring import score_answers
    from alliantiemonitor.instruments.registry import get_registry

    Response = apps.get_model("measurements", "Response")
    ResponseScore = apps.get_model("measurements", "ResponseScore")
    registry = get_registry()
    pending = (
        Response.objects.filter(submitted_at__isnull=False, scores__isnull=True)
        .select_related("round")
        .order_by("pk")
    )
    skipped = 0
    batch = []
    for response in pending.iterator(chunk_size=2000):
        try:
            instrument = registry.get(
                response.round.instrument_id, version=response.round.instrument_version
            )
        except KeyError:
            skipped += 1
            continue
        scores = score_answers(instrument, response.answers, response.rater)
        batch.extend(
            ResponseScore(
                response_id=response.pk,
                rater=response.rater,
                characteristic=key,
                value=value,
            )
            for key, value in scores.items()
        )
        if len(batch) >= 5000:
            ResponseScore.objects.bulk_create(batch)
            batch = []
    ResponseScore.objects.bulk_create(batch)
    if skipped:
        print(f"  {skipped} responses kept no stored scores: their instrument is not installed")


class Migration(migrations.Migration):
    dependencies = [
        ("measurements", "0005_response_score"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
