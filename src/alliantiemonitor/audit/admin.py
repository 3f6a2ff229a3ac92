"""The audit log in the admin: read-only, and only for superusers."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "action", "actor", "actor_kind", "organisation", "object_type"]
    list_filter = ["actor_kind", "action", "organisation"]
    search_fields = ["action", "actor__username", "object_uuid"]
    date_hierarchy = "at"
    list_select_related = ["actor", "organisation"]
    readonly_fields = [
        "seq",
        "uuid",
        "at",
        "actor",
        "actor_kind",
        "action",
        "organisation",
        "client_ref",
        "object_type",
        "object_uuid",
        "detail",
        "ip_address",
        "user_agent",
        "redacted_at",
        "content_hash",
        "chain_hash",
    ]
    show_full_result_count = False

    @admin.display(description=_("client"))
    def client_ref(self, obj: AuditEvent) -> str:
        # The pseudonym stays out of the admin; the public id is enough to follow a trail.
        return str(obj.client.uuid) if obj.client_id else "–"

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
