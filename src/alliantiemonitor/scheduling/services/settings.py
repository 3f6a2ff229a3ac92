"""Setting schedules, client contact and mail preferences (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import InvalidInput, clean_bool, clean_date, clean_text
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.scheduling.exceptions import InvalidSchedule, NotAnAdmin
from alliantiemonitor.scheduling.models import (
    ClientContact,
    MailPreference,
    OrganisationSchedule,
    TrajectorySchedule,
    TrajectoryScheduleMode,
)
from alliantiemonitor.trajectories.models import Client, Trajectory

#: Fields of a schedule that ``organisation_schedule_set`` accepts.
ORGANISATION_FIELDS = (
    "enabled",
    "at_start",
    "every_weeks",
    "after_handover_weeks",
    "before_end_weeks",
    "channel",
    "sender_name",
    "message_text",
    "reminder_after_days",
    "reminder_max",
)
TRAJECTORY_FIELDS = (
    "mode",
    "at_start",
    "every_weeks",
    "after_handover_weeks",
    "before_end_weeks",
    "planned_end_date",
)


def _validated(instance: Any, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise InvalidSchedule(problems=exc.message_dict) from exc


def _cleaned(name: str, clean: Any) -> Any:
    """``clean()``, with a refusal raised as :class:`InvalidSchedule` naming field ``name``."""
    try:
        return clean()
    except InvalidInput as exc:
        raise InvalidSchedule(exc.message, problems={name: [str(exc.message)]}) from None


def _changes(instance: Any, values: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise InvalidSchedule(
            _("A schedule has no field %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            problems={name: ["unknown"] for name in unknown},
        )
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


@transaction.atomic
def organisation_schedule_set(
    *, organisation: Organisation, by: Any, **values: Any
) -> OrganisationSchedule:
    """Create or change ``organisation``'s default schedule; only its active admins may.

    ``values`` are fields of :class:`OrganisationSchedule` (see ``ORGANISATION_FIELDS``).
    Raises :class:`NotAnAdmin` and :class:`InvalidSchedule` (nothing changed then).
    """
    # Text is checked before the model's own validators, which let a lone surrogate or a NUL
    # through to the database (that then fails), or an int into a text field.
    if "sender_name" in values:
        values["sender_name"] = _cleaned(
            "sender_name",
            lambda: clean_text(values["sender_name"], field=_("Sender name"), max_length=80),
        )
    if "message_text" in values:
        values["message_text"] = _cleaned(
            "message_text",
            lambda: clean_text(
                values["message_text"], field=_("Invitation text"), max_length=600, multiline=True
            ),
        )
    if (
        not policy.organisations(by, Perm.ORGANISATION_CONFIGURE)
        .filter(pk=organisation.pk)
        .exists()
    ):
        raise NotAnAdmin()
    schedule, _created = OrganisationSchedule.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    changed = _changes(schedule, values, ORGANISATION_FIELDS)
    _validated(schedule, exclude=["organisation"])
    schedule.save()
    audit_record(
        actor=by, action=Action.SCHEDULE_ORGANISATION_SET, obj=schedule, detail={"changed": changed}
    )
    return schedule


@transaction.atomic
def trajectory_schedule_set(
    *, trajectory: Trajectory, by: Any, **values: Any
) -> TrajectorySchedule:
    """Set ``trajectory``'s planned end and whether it follows the organisation's schedule.

    ``values`` are fields of :class:`TrajectorySchedule` (see ``TRAJECTORY_FIELDS``).
    Callers check permission first (the view asks the policy, through the access helper).
    Raises :class:`InvalidSchedule` (nothing changed then).
    """
    if values.get("planned_end_date") is not None:
        values["planned_end_date"] = _cleaned(
            "planned_end_date",
            lambda: clean_date(values["planned_end_date"], field=_("Planned end date")),
        )
    schedule, _created = TrajectorySchedule.objects.select_for_update().get_or_create(
        trajectory=trajectory
    )
    changed = _changes(schedule, values, TRAJECTORY_FIELDS)
    if schedule.mode not in TrajectoryScheduleMode.values:
        raise InvalidSchedule(problems={"mode": ["unknown"]})
    if schedule.planned_end_date is not None and schedule.planned_end_date < trajectory.start_date:
        raise InvalidSchedule(problems={"planned_end_date": ["before the start"]})
    _validated(schedule, exclude=["trajectory"])
    schedule.save()
    audit_record(
        actor=by, action=Action.SCHEDULE_TRAJECTORY_SET, obj=schedule, detail={"changed": changed}
    )
    return schedule


@transaction.atomic
def client_contact_set(
    *,
    client: Client,
    by: Any,
    email: str,
    consent: bool,
    today: dt.date | None = None,
) -> ClientContact:
    """Record ``client``'s e-mail address and whether they agree to receive mail.

    Giving consent records the day (kept while it stays given); taking it away records the
    withdrawal. Raises :class:`InvalidSchedule` for an invalid address or consent without one.
    The address and the consent are never written to the audit log, only that they changed.
    """
    email = clean_text(
        email if email is not None else "", field=_("E-mail address"), max_length=254
    )
    consent = bool(consent)
    contact, _created = ClientContact.objects.select_for_update().get_or_create(client=client)
    if consent and not email:
        raise InvalidSchedule(problems={"email": ["consent without an address"]})
    changed = []
    if contact.email != email:
        contact.email = email
        changed.append("email")
    if consent and not contact.has_consent:
        contact.consent_given_on = today or timezone.localdate()
        contact.consent_withdrawn_at = None
        changed.append("consent_given")
    elif not consent and contact.has_consent:
        contact.consent_withdrawn_at = timezone.now()
        changed.append("consent_withdrawn")
    _validated(contact, exclude=["client"])
    contact.save()
    audit_record(
        actor=by, action=Action.CLIENT_CONTACT_SET, obj=contact, detail={"changed": changed}
    )
    return contact


@transaction.atomic
def client_contact_unsubscribe(*, contact: ClientContact) -> bool:
    """Withdraw the client's agreement to mail (from the link in a message; no login).

    Idempotent: returns whether this call withdrew it.
    """
    contact = ClientContact.objects.select_for_update().get(pk=contact.pk)
    if contact.consent_withdrawn_at is not None or contact.consent_given_on is None:
        return False
    contact.consent_withdrawn_at = timezone.now()
    contact.save(update_fields=["consent_withdrawn_at", "updated_at"])
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.CLIENT_CONTACT_UNSUBSCRIBE,
        obj=contact,
    )
    return True


@transaction.atomic
def mail_preference_set(*, user: Any, weekly_digest: bool) -> MailPreference:
    """Turn ``user``'s weekly digest on or off; :class:`InvalidInput` unless ``True``/``False``."""
    weekly_digest = clean_bool(weekly_digest, field=_("Weekly digest"))
    preference, _created = MailPreference.objects.select_for_update().get_or_create(user=user)
    if preference.weekly_digest != weekly_digest:
        preference.weekly_digest = weekly_digest
        preference.save()
        audit_record(
            actor=user,
            action=Action.MAIL_PREFERENCE_SET,
            obj=None,
            detail={"weekly_digest": weekly_digest},
        )
    return preference
