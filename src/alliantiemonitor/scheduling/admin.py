"""The schedules and deliveries in the admin: read-only, for the system admin only.

Organisation admins are staff users too; their write path is the schedule page (audited), and
a delivery list across organisations is not theirs to read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alliantiemonitor.scheduling.models import Delivery, OrganisationSchedule


class _SystemAdminReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrganisationSchedule)
class OrganisationScheduleAdmin(_SystemAdminReadOnly):
    list_display = ("organisation", "enabled", "channel", "every_weeks")


@admin.register(Delivery)
class DeliveryAdmin(_SystemAdminReadOnly):
    """What the worker sent. No addresses are stored."""

    list_display = ("key", "kind", "created_at", "sent_at")
    list_filter = ("kind",)
    search_fields = ("key",)
