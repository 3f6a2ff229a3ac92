"""The Django admin for organisations, teams and memberships.

A superuser manages everything. An organisation admin (a staff user with an active
``org_admin`` membership) sees and edits only their own organisations, their teams and
memberships, and the users who belong to nothing else. No client data is in the admin.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.language import current_language
from alliantiemonitor.common.reauth import RecentAuthAdminMixin
from alliantiemonitor.core.instrument import pick_language
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.organisations.models import (
    Membership,
    Organisation,
    Team,
    instrument_ids,
)
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm

admin.site.site_header = _("Alliantiemonitor administration")
admin.site.site_title = _("Alliantiemonitor")
admin.site.index_title = _("Organisations, teams and users")


def administered_organisations(request: Any) -> QuerySet[Organisation]:
    """The organisations the requesting user may manage (all of them for a superuser)."""
    cached = getattr(request, "_administered_organisations", None)
    if cached is None:
        user = request.user
        if user.is_active and user.is_superuser:
            cached = Organisation.objects.all()
        elif user.is_active and user.is_staff:
            cached = policy.organisations(user, Perm.ORGANISATION_CONFIGURE)
        else:
            cached = Organisation.objects.none()
        request._administered_organisations = cached
    return cached


def is_org_admin(request: Any) -> bool:
    return administered_organisations(request).exists()


def manageable_users(request: Any) -> QuerySet[Any]:
    """Users an admin may edit: for an organisation admin, users whose every membership is in
    an organisation they administer (so they cannot take over another organisation's
    accounts), never superusers."""
    from alliantiemonitor.accounts.models import User

    if request.user.is_active and request.user.is_superuser:
        return User.objects.all()
    organisations = administered_organisations(request)
    elsewhere = Membership.objects.exclude(organisation__in=organisations).values("user")
    return (
        User.objects.filter(memberships__organisation__in=organisations, is_superuser=False)
        .exclude(pk__in=elsewhere)
        .distinct()
    )


class ScopedAdminMixin:
    """Limit an admin to the organisations the requesting user administers."""

    #: Lookup from the model to its organisation, e.g. ``"organisation"``.
    organisation_lookup = "organisation"

    def scope(self, queryset: QuerySet[Any], request: Any) -> QuerySet[Any]:
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.organisation_lookup}__in"
        return queryset.filter(**{lookup: administered_organisations(request)}).distinct()

    def get_queryset(self, request: Any) -> QuerySet[Any]:
        return self.scope(super().get_queryset(request), request)  # type: ignore[misc]

    def in_scope(self, request: Any, obj: Any) -> bool:
        if obj is None:
            return True
        if not isinstance(obj, self.model):  # type: ignore[attr-defined]
            # An inline is asked about its parent (a user, an organisation), whose own admin
            # checks the parent's scope; the inline's rows are scoped by get_queryset.
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: Any) -> bool:
        if request.user.is_superuser:
            return super().has_module_permission(request)  # type: ignore[misc]
        return is_org_admin(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)  # type: ignore[misc]
        return is_org_admin(request) and self.in_scope(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)  # type: ignore[misc]
        return is_org_admin(request) and self.in_scope(request, obj)

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)  # type: ignore[misc]
        return is_org_admin(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return is_org_admin(request) and self.in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = administered_organisations(request)
        elif db_field.name == "user":
            kwargs["queryset"] = manageable_users(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "teams":
            kwargs["queryset"] = Team.objects.filter(
                organisation__in=administered_organisations(request)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def _admin_action(obj: Any, verb: str) -> str:
    """The audit action of an admin ``verb`` (add, change, delete) on ``obj``'s model."""
    return Action.check(f"{obj._meta.model_name}.admin_{verb}")


class AuditedAdminMixin:
    """Record changes made through the admin in the audit log, as the services do."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        action = "change" if change else "add"
        audit_record(
            actor=request.user,
            action=_admin_action(obj, action),
            obj=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: Any, obj: Any) -> None:
        audit_record(actor=request.user, action=_admin_action(obj, "delete"), obj=obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        # The changelist's "delete selected" action bypasses delete_model.
        for obj in queryset:
            audit_record(actor=request.user, action=_admin_action(obj, "delete"), obj=obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        # Inline rows (teams, memberships) are saved here, not through save_model.
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            audit_record(actor=request.user, action=_admin_action(obj, "add"), obj=obj)
        for obj, fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action=_admin_action(obj, "change"),
                obj=obj,
                detail={"fields": sorted(fields)},
            )
        for obj in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action=_admin_action(obj, "delete"),
                detail={"object": str(obj.uuid)},
                organisation=getattr(obj, "organisation", None),
            )


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "teams", "active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if organisation is None and self.instance.organisation_id:
            organisation = self.instance.organisation
        teams = cleaned.get("teams") or []
        if organisation is not None and any(t.organisation_id != organisation.pk for t in teams):
            self.add_error("teams", _("Choose teams of this organisation only."))
        return cleaned


class MembershipInline(ScopedAdminMixin, admin.StackedInline):
    """Memberships shown inside an organisation or a user.

    Stacked, not tabular: a tabular inline names its fields only in the column headings, so
    each field has no label of its own (WCAG 1.3.1, 4.1.2).
    """

    model = Membership
    form = MembershipForm
    fk_name = "organisation"
    fields = ["user", "role", "teams", "active"]
    extra = 0

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # A role ends by making it inactive, so the history of who held it stays.
        return False


class TeamInline(ScopedAdminMixin, admin.StackedInline):
    """Teams shown inside an organisation (stacked: each field labelled, as memberships)."""

    model = Team
    fields = ["name"]
    extra = 0


class OrganisationForm(forms.ModelForm):
    default_instrument = forms.ChoiceField(label=capfirst(_("default instrument variant")))

    class Meta:
        model = Organisation
        fields = ["name", "slug", "domain", "default_instrument"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_instrument"]
        language = current_language()
        latest = {i.id: i for i in get_registry().all()}  # all() is sorted: later versions win
        field.choices = [  # type: ignore[attr-defined]
            (i, f"{i} — {pick_language(latest[i].title, language)}" if i in latest else i)
            for i in instrument_ids()
        ]
        field.help_text = Organisation._meta.get_field("default_instrument").help_text


@admin.register(Organisation)
class OrganisationAdmin(
    RecentAuthAdminMixin, AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin
):
    """Organisations with their teams and memberships (roles: re-authentication first)."""

    form = OrganisationForm
    organisation_lookup = "pk"
    list_display = ["name", "domain", "default_instrument", "slug"]
    list_filter = ["domain", "default_instrument"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["uuid", "created_at", "updated_at"]
    inlines = [TeamInline, MembershipInline]

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        # A new organisation is a decision for the installation's superuser.
        return bool(request.user.is_active and request.user.is_superuser)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("slug")
        return fields

    def get_prepopulated_fields(self, request: Any, obj: Any = None) -> dict[str, Any]:
        if not request.user.is_superuser:
            return {}
        return super().get_prepopulated_fields(request, obj)


class AdministeredOrganisationFilter(admin.SimpleListFilter):
    """The organisation filter, offering only the organisations the admin may see."""

    title = _("organisation")
    parameter_name = "organisation"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(o.pk), o.name) for o in administered_organisations(request)]

    def queryset(self, request: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(organisation__pk=self.value())
        return queryset


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = [AdministeredOrganisationFilter]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["uuid", "created_at", "updated_at"]


@admin.register(Membership)
class MembershipAdmin(RecentAuthAdminMixin, AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Roles of users in organisations: changing one asks for re-authentication first."""

    form = MembershipForm
    list_display = ["user", "organisation", "role", "active"]
    list_filter = ["role", "active", AdministeredOrganisationFilter]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "organisation"]
    readonly_fields = ["uuid", "created_at", "updated_at"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # A role ends by making it inactive (as membership_revoke does); history stays.
        return False
