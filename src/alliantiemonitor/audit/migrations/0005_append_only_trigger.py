"""On PostgreSQL the database itself keeps the audit log append-only.

A trigger refuses every UPDATE and DELETE of ``audit_auditevent`` except the redaction of a
client's event: the personal columns blanked, ``redacted_at`` set, nothing else changed.
A second trigger lets the chain head only move forward by one event at a time. SQLite has no
such guard (its file is the database; whoever can write it can rewrite it); there
``audit verify`` is the check. See docs/audit.md.
"""

from django.db import migrations

KEPT_COLUMNS = (
    "id, uuid, at, actor_id, actor_kind, action, organisation_id, object_type, object_uuid, "
    "seq, personal_digest, content_hash, chain_hash"
)
NEW_KEPT = ", ".join(f"NEW.{column.strip()}" for column in KEPT_COLUMNS.split(","))
OLD_KEPT = ", ".join(f"OLD.{column.strip()}" for column in KEPT_COLUMNS.split(","))

CREATE = f"""
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.redacted_at IS NULL
       AND OLD.client_id IS NOT NULL
       AND NEW.redacted_at IS NOT NULL
       AND NEW.client_id IS NULL
       AND NEW.detail = '{{}}'::jsonb
       AND NEW.ip_address = ''
       AND NEW.user_agent = ''
       AND NEW.personal_salt = ''
       AND ROW({NEW_KEPT}) IS NOT DISTINCT FROM ROW({OLD_KEPT})
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % of audit event % refused', TG_OP, OLD.seq
        USING HINT = 'Only redacting the personal columns of a client''s event is allowed; '
                     'see docs/audit.md.';
END;
$$;

CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();

CREATE OR REPLACE FUNCTION audit_auditchainhead_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain head only moves forward: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_auditchainhead_forward_only
    BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_auditchainhead_forward_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditchainhead_forward_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_auditchainhead_forward_only();
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the PL/pgSQL format strings use a bare "%".
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_sequence_required"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
