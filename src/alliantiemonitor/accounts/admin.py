"""Users in the admin, with their memberships; scoped for organisation admins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliantiemonitor.accounts.models import SsoIdentity, User
from alliantiemonitor.accounts.second_factor import has_second_factor, second_factor_reset
from alliantiemonitor.common.reauth import (
    RecentAuthAdminMixin,
    reauthentication_redirect,
    recently_authenticated,
)
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


class SsoIdentityInline(admin.TabularInline):
    """The provider subjects that log in to the account; deleting a row unlinks one.

    Links are made only by a login with a verified e-mail address (docs/sso.md), never typed
    in: after an unlink, the person's next login links their current identity.
    """

    model = SsoIdentity
    extra = 0
    fields = ["issuer", "subject", "created_at", "last_login_at"]
    readonly_fields = fields

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        # The user page itself is scoped to the organisation admin's own users.
        return bool(request.user.is_superuser or is_org_admin(request))

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(RecentAuthAdminMixin, AuditedAdminMixin, DjangoUserAdmin):
    """Users with their memberships (roles: re-authentication first), and their second factor."""

    inlines = [UserMembershipInline, SsoIdentityInline]
    # Plain labelled lists for groups and permissions: Django's two-box filter widget puts
    # aria-label on a span, which ARIA forbids there (axe: aria-prohibited-attr).
    filter_horizontal = ()
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "second_factor",
    ]
    actions = ["reset_second_factor"]
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

    def get_inline_instances(self, request: Any, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)
        # Single sign-on links appear only where there are some (most installations have none).
        if obj is None or not obj.sso_identities.exists():
            inlines = [i for i in inlines if not isinstance(i, SsoIdentityInline)]
        return inlines

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

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        # Setting someone else's password hands over their account: as sensitive as a role.
        if not recently_authenticated(request):
            return reauthentication_redirect(request)
        return super().user_change_password(request, id, form_url)

    @admin.display(description=_("second step set up"), boolean=True)
    def second_factor(self, obj: User) -> bool:
        return has_second_factor(obj)

    def has_reset_second_factor_permission(self, request: Any) -> bool:
        # Whoever resets a second factor can take over the account at its next login with
        # the password: only the installation's superusers may.
        return bool(request.user.is_active and request.user.is_superuser)

    @admin.action(
        description=_("Reset the second step (the user sets it up again at the next login)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request: Any, queryset: QuerySet[User]) -> None:
        users = list(queryset)
        for user in users:
            second_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "The second step of %(count)d user was reset.",
                "The second step of %(count)d users was reset.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


__all__ = ["UserAdmin", "administered_organisations"]


# django-otp's own admin pages would show the keys of every user's authenticator (a QR code
# per device) to the superuser, who could then log in as anyone. Second factors are set up by
# their owner and reset with the action above; the raw device pages are not offered.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Django's groups, their permissions a plain labelled list (as a user's, see above)."""

    filter_horizontal = ()
