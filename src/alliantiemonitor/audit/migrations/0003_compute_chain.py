from django.db import migrations

from alliantiemonitor.audit import chain

BATCH = 2000


def compute_chain(apps, schema_editor):
    """Chain the events recorded before the chain existed, in the order they happened."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous = chain.GENESIS
    seq = 0
    last_key = None
    while True:
        # Keyset pages in (at, pk) order: memory stays flat however long the log is.
        events = AuditEvent.objects.order_by("at", "pk")
        if last_key is not None:
            at, pk = last_key
            events = events.filter(at__gt=at) | events.filter(at=at, pk__gt=pk)
        batch = list(events[:BATCH])
        if not batch:
            break
        for event in batch:
            seq += 1
            event.seq = seq
            event.personal_salt = chain.new_salt()
            event.personal_digest = chain.personal_digest_of(event)
            event.content_hash = chain.content_hash_of(event)
            event.chain_hash = chain.chain_hash(previous, event.content_hash)
            previous = event.chain_hash
        AuditEvent.objects.bulk_update(
            batch, ["seq", "personal_salt", "personal_digest", "content_hash", "chain_hash"]
        )
        last_key = (batch[-1].at, batch[-1].pk)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "chain_hash": previous})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain_fields"),
    ]

    operations = [
        migrations.RunPython(compute_chain, migrations.RunPython.noop, elidable=False),
    ]
