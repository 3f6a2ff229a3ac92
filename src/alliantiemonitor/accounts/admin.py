"""Users in the admin, with their memberships; scoped for organisation admins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.accounts.models import User
from alliantiemonitor.organisations.admin import (
    AuditedAdminMixin,
    MembershipInline,
    administered_organisations,
    is_org_admin,
    manageable_users,
)


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    fields = ["organisation", "role", "teams", "active"]

    def get_min_num(self, request: Any, obj: Any = None, **kwargs: Any) -> int:
        # An organisation admin's new user must belong to one of their organisations, or they
        # could not see the account they just made.
        return 0 if request.user.is_superuser or obj is not None else 1

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("validate_min", True)
        return super().get_formset(request, obj, **kwargs)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    inlines = [UserMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    readonly_fields = ["uuid", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password", "uuid")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "preferred_language")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    limited_fieldsets = (
        (None, {"fields": ("username", "password", "uuid")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "preferred_language")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        if obj is not None and not request.user.is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_list_filter(self, request: Any) -> Any:
        if request.user.is_superuser:
            return self.list_filter
        return ["is_active", "is_staff", "memberships__role"]

    def get_queryset(self, request: Any) -> QuerySet[User]:
        if request.user.is_superuser:
            return super().get_queryset(request)
        return super().get_queryset(request).filter(pk__in=manageable_users(request).values("pk"))

    def _in_scope(self, request: Any, obj: Any) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_superuser or is_org_admin(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return is_org_admin(request) and self._in_scope(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return is_org_admin(request) and self._in_scope(request, obj)

    def has_add_permission(self, request: Any) -> bool:
        return request.user.is_superuser or is_org_admin(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # Accounts are deactivated, not deleted: the audit log keeps pointing at them.
        return bool(request.user.is_superuser and super().has_delete_permission(request, obj))


__all__ = ["UserAdmin", "administered_organisations"]
