"""The audit log is append-only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import alliantiemonitor
from alliantiemonitor.audit.constants import AccountAction, Action, PrivacyAction
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
    event = audit_record(
        actor=None, actor_kind="client", action="client_page.view", client=client_record
    )
    assert event.actor_kind == "client"
    assert event.organisation == client_record.organisation
    with pytest.raises(ValueError):
        audit_record(actor=None, actor_kind="robot", action="round.expire")


def test_an_unknown_action_is_refused_and_nothing_is_written(professional):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match=r"trajectory\.veiw"):
        audit_record(actor=professional, action="trajectory.veiw")
    with pytest.raises(ValueError):
        audit_record(actor=professional, action="")
    assert AuditEvent.objects.count() == before


def test_every_constant_is_a_dotted_name_and_known():
    names = {
        value for key, value in vars(Action).items() if key.isupper() and isinstance(value, str)
    } | {
        value
        for owner in (AccountAction, PrivacyAction)
        for key, value in vars(owner).items()
        if key.isupper()
    }
    assert names == Action.known()
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", name) for name in names)
    assert all(len(name) <= AuditEvent._meta.get_field("action").max_length for name in names)


def test_every_action_name_in_the_code_is_a_constant():
    """No free action strings: a literal ``action="…"`` in a call would bypass the list."""
    root = Path(alliantiemonitor.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r'\baction=f?"[a-z_]+\.', line):
                offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []


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


@pytest.mark.parametrize("model", ["organisation", "team", "membership", "user"])
@pytest.mark.parametrize("verb", ["add", "change", "delete"])
def test_every_admin_change_has_an_action(model, verb):
    """The audited admins (organisations and accounts) name ``<model>.admin_<verb>``."""
    assert f"{model}.admin_{verb}" in Action.known()
