"""The audit log is append-only."""

from __future__ import annotations

import pytest

from alliantiemonitor.audit.exceptions import AuditLogImmutable
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_record_takes_organisation_and_client_from_the_object(trajectory, professional):
    event = audit_record(
        actor=professional, action="trajectory.view", obj=trajectory, detail={"page": "overview"}
    )
    assert event.actor_kind == "user"
    assert event.organisation == trajectory.organisation
    assert event.client == trajectory.client
    assert event.object_type == "trajectories.trajectory"
    assert event.object_uuid == trajectory.uuid
    assert event.detail == {"page": "overview"}


def test_system_and_client_actors(client_record):
    assert audit_record(actor=None, action="round.expire").actor_kind == "system"
    event = audit_record(actor=None, actor_kind="client", action="x", client=client_record)
    assert event.actor_kind == "client"
    assert event.organisation == client_record.organisation
    with pytest.raises(ValueError):
        audit_record(actor=None, actor_kind="robot", action="x")


def test_events_cannot_be_updated(professional):
    event = audit_record(actor=professional, action="response.view")
    event.action = "something.else"
    with pytest.raises(AuditLogImmutable):
        event.save()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="something.else")
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.bulk_update([event], ["action"])
    event.refresh_from_db()
    assert event.action == "response.view"


def test_events_cannot_be_deleted(professional):
    event = audit_record(actor=professional, action="response.view")
    with pytest.raises(AuditLogImmutable):
        event.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_admin_is_read_only_and_for_superusers_only(client, superuser, org_admin):
    event = audit_record(actor=superuser, action="response.view")
    client.force_login(org_admin)
    assert client.get("/admin/audit/auditevent/").status_code == 403
    client.force_login(superuser)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
