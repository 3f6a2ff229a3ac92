"""Audit every change of password, privileges, activation, role and membership.

Recorded at model level, so every route is covered without anyone having to remember it: the
admin's user and password forms, the organisation admin's membership inlines, the services,
``manage.py changepassword`` and a shell. The actor is the logged-in user of the request (see
:mod:`alliantiemonitor.audit.context`), or the system outside a request.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_save, pre_save

from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.context import current_actor
from alliantiemonitor.audit.services import audit_record

#: User fields whose change is a change of what the account may do.
_PRIVILEGE_FIELDS = ("is_staff", "is_superuser")
_USER_FIELDS = ("is_active", *_PRIVILEGE_FIELDS)
_MEMBERSHIP_FIELDS = ("user_id", "organisation_id", "role", "active")


def _changed(instance: Any, fields: tuple[str, ...], update_fields: Any) -> dict[str, Any]:
    """The tracked ``fields`` whose stored value this save changes, with their old values."""
    if instance._state.adding or instance.pk is None:
        return {}
    if update_fields is not None:
        fields = tuple(f for f in fields if f.removesuffix("_id") in update_fields)
    if not fields:
        return {}
    old = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    if old is None:
        return {}
    return {f: old[f] for f in fields if old[f] != getattr(instance, f)}


def user_pre_save(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    instance._audit_changes = _changed(instance, _USER_FIELDS, update_fields)
    # set_password() keeps the raw password until the save; a hash upgrade at login clears it
    # first, so that is not mistaken for a change.
    instance._audit_password_set = (
        not instance._state.adding and getattr(instance, "_password", None) is not None
    )


def user_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    actor = current_actor()
    changes: dict[str, Any] = getattr(instance, "_audit_changes", {})
    if getattr(instance, "_audit_password_set", False):
        audit_record(
            actor=actor,
            action=AccountAction.PASSWORD_CHANGE,
            obj=instance,
            detail={
                "by_self": actor is not None and actor.pk == instance.pk,
                "must_change_password": instance.must_change_password,
            },
        )
    if "is_active" in changes:
        action = AccountAction.ACTIVATE if instance.is_active else AccountAction.DEACTIVATE
        audit_record(actor=actor, action=action, obj=instance)
    privileges = {f: getattr(instance, f) for f in _PRIVILEGE_FIELDS if f in changes}
    if privileges:
        audit_record(
            actor=actor, action=AccountAction.PRIVILEGES_CHANGE, obj=instance, detail=privileges
        )
    instance._audit_changes = {}
    instance._audit_password_set = False


def _m2m_changed(action: str, pk_set: Any) -> bool:
    """Whether an ``m2m_changed`` signal reports a change that was made (not one about to be)."""
    return action in {"post_add", "post_remove", "post_clear"} and (
        action == "post_clear" or bool(pk_set)
    )


def user_m2m_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not _m2m_changed(action, pk_set):
        return
    from alliantiemonitor.accounts.models import User

    field = "groups" if sender is User.groups.through else "user_permissions"
    # From the group's or permission's side, ``pk_set`` holds the users.
    users = User.objects.filter(pk__in=pk_set or ()) if reverse else [instance]
    for user in users:
        audit_record(
            actor=current_actor(),
            action=AccountAction.PRIVILEGES_CHANGE,
            obj=user,
            detail={"field": field, "change": action.removeprefix("post_")},
        )


def membership_pre_save(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    instance._audit_changes = _changed(instance, _MEMBERSHIP_FIELDS, update_fields)


def _membership_detail(membership: Any, **extra: Any) -> dict[str, Any]:
    return {
        "user": membership.user.uuid,
        "role": membership.role,
        "active": membership.active,
        **extra,
    }


def membership_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    changes: dict[str, Any] = getattr(instance, "_audit_changes", {})
    instance._audit_changes = {}
    if created:
        audit_record(
            actor=current_actor(),
            action=AccountAction.MEMBERSHIP_ADD,
            obj=instance,
            detail=_membership_detail(instance),
        )
    elif changes:
        audit_record(
            actor=current_actor(),
            action=AccountAction.MEMBERSHIP_CHANGE,
            obj=instance,
            detail=_membership_detail(
                instance, fields=sorted(f.removesuffix("_id") for f in changes)
            ),
        )


def membership_teams_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not _m2m_changed(action, pk_set):
        return
    from alliantiemonitor.organisations.models import Membership

    if reverse:
        # A team's memberships edited from the team's side.
        memberships = Membership.objects.filter(pk__in=pk_set or ()).select_related("user")
    else:
        memberships = [instance]
    for membership in memberships:
        audit_record(
            actor=current_actor(),
            action=AccountAction.MEMBERSHIP_CHANGE,
            obj=membership,
            detail=_membership_detail(
                membership, fields=["teams"], change=action.removeprefix("post_")
            ),
        )


def connect() -> None:
    from alliantiemonitor.accounts.models import User
    from alliantiemonitor.organisations.models import Membership

    uid = "alliantiemonitor.accounts.audit"
    pre_save.connect(user_pre_save, sender=User, dispatch_uid=f"{uid}.user_pre")
    post_save.connect(user_post_save, sender=User, dispatch_uid=f"{uid}.user_post")
    m2m_changed.connect(user_m2m_changed, sender=User.groups.through, dispatch_uid=f"{uid}.groups")
    m2m_changed.connect(
        user_m2m_changed, sender=User.user_permissions.through, dispatch_uid=f"{uid}.permissions"
    )
    pre_save.connect(membership_pre_save, sender=Membership, dispatch_uid=f"{uid}.member_pre")
    post_save.connect(membership_post_save, sender=Membership, dispatch_uid=f"{uid}.member_post")
    m2m_changed.connect(
        membership_teams_changed, sender=Membership.teams.through, dispatch_uid=f"{uid}.teams"
    )
