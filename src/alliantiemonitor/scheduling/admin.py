from django.contrib import admin

from alliantiemonitor.scheduling.models import Delivery, OrganisationSchedule


@admin.register(OrganisationSchedule)
class OrganisationScheduleAdmin(admin.ModelAdmin):
    list_display = ("organisation", "enabled", "channel", "every_weeks")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what the worker sent, for the system admin. No addresses are stored."""

    list_display = ("key", "kind", "created_at", "sent_at")
    list_filter = ("kind",)
    search_fields = ("key",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
