"""Pages of schedules and mail: the organisation's default, a trajectory's own schedule and
the client's contact, a professional's mail settings, and the client's unsubscribe page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.scheduling import mail
from alliantiemonitor.scheduling.forms import (
    ClientContactForm,
    MailPreferenceForm,
    OrganisationScheduleForm,
    TrajectoryScheduleForm,
)
from alliantiemonitor.scheduling.models import (
    ClientContact,
    MailPreference,
    OrganisationSchedule,
    TrajectorySchedule,
)
from alliantiemonitor.scheduling.readmodels import due_rounds
from alliantiemonitor.scheduling.services import (
    client_contact_set,
    client_contact_unsubscribe,
    mail_preference_set,
    organisation_schedule_set,
    trajectory_schedule_set,
)
from alliantiemonitor.scheduling.services.settings import ORGANISATION_FIELDS, TRAJECTORY_FIELDS
from alliantiemonitor.trajectories.access import get_trajectory_for


def _administered(request: HttpRequest, uuid: object) -> Organisation:
    """The organisation ``uuid`` if the user administers it; 404 otherwise (nothing leaks)."""
    return policy.get_for(
        request.user, Perm.ORGANISATION_CONFIGURE, Organisation.objects.all(), uuid
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_schedule(request: HttpRequest, uuid: str) -> HttpResponse:
    """The organisation admin's page: the default schedule, the channel and the message."""
    organisation = _administered(request, uuid)
    instance = OrganisationSchedule.objects.filter(organisation=organisation).first()
    form = OrganisationScheduleForm(
        request.POST if request.method == "POST" else None,
        instance=instance or OrganisationSchedule(organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation_schedule_set(
                organisation=organisation,
                by=request.user,
                **{name: form.cleaned_data[name] for name in ORGANISATION_FIELDS},
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The schedule has been saved."))
            return redirect("scheduling:organisation", uuid=organisation.uuid)
    context = {"organisation": organisation, "form": form, "is_new": instance is None}
    return render(request, "scheduling/organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def trajectory_schedule(request: HttpRequest, uuid: str) -> HttpResponse:
    """The professional's page: planned end, the trajectory's schedule, the client's e-mail."""
    trajectory = get_trajectory_for(request.user, uuid)
    client = trajectory.client
    schedule = TrajectorySchedule.objects.filter(trajectory=trajectory).first()
    contact = ClientContact.objects.filter(client=client).first()
    data = request.POST if request.method == "POST" else None
    schedule_form = TrajectoryScheduleForm(
        data,
        instance=schedule or TrajectorySchedule(trajectory=trajectory),
        start_date=trajectory.start_date,
        prefix="schedule",
    )
    contact_form = ClientContactForm(
        data,
        initial={
            "email": contact.email if contact else "",
            "consent": bool(contact and contact.has_consent),
        },
        prefix="contact",
    )
    if request.method == "POST" and schedule_form.is_valid() and contact_form.is_valid():
        try:
            trajectory_schedule_set(
                trajectory=trajectory,
                by=request.user,
                **{name: schedule_form.cleaned_data[name] for name in TRAJECTORY_FIELDS},
            )
            client_contact_set(
                client=client,
                by=request.user,
                email=contact_form.cleaned_data["email"],
                consent=contact_form.cleaned_data["consent"],
            )
        except DomainError as error:
            schedule_form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The schedule and contact details have been saved."))
            return redirect("trajectories:detail", uuid=trajectory.uuid)
    audit_record(
        actor=request.user,
        action=Action.TRAJECTORY_VIEW,
        obj=trajectory,
        detail={"page": "schedule"},
    )
    organisation_schedule = OrganisationSchedule.objects.filter(
        organisation=trajectory.organisation
    ).first()
    context = {
        "trajectory": trajectory,
        "client": client,
        "contact": contact,
        "schedule_form": schedule_form,
        "contact_form": contact_form,
        "organisation_schedule": organisation_schedule,
        "due": due_rounds([trajectory], timezone.localdate()).get(trajectory.pk),
    }
    return render(request, "scheduling/trajectory.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mail_settings(request: HttpRequest) -> HttpResponse:
    """A staff user's mail settings: the weekly digest on or off."""
    preference = MailPreference.objects.filter(user=request.user).first()
    form = MailPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"weekly_digest": preference.weekly_digest if preference else True},
    )
    if request.method == "POST" and form.is_valid():
        mail_preference_set(user=request.user, weekly_digest=form.cleaned_data["weekly_digest"])
        messages.success(request, _("Your mail settings have been saved."))
        return redirect("scheduling:mail_settings")
    return render(request, "scheduling/mail_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The client's page behind the link in every message: one button stops the e-mails.

    No login: the signed token names the contact. A GET changes nothing (mail scanners follow
    links); the POST records the withdrawal.
    """
    contact_uuid = mail.contact_uuid_from_token(token)
    contact = (
        ClientContact.objects.select_related("client__organisation")
        .filter(uuid=contact_uuid)
        .first()
        if contact_uuid
        else None
    )
    if contact is None:
        return render(request, "scheduling/unsubscribe_invalid.html", status=404)
    # The language of the e-mail the link came in, unless the visitor chose one.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        language = mail.client_language(contact)
        translation.activate(language)
        request.LANGUAGE_CODE = language
    schedule = OrganisationSchedule.objects.filter(organisation=contact.client.organisation).first()
    done = False
    if request.method == "POST":
        client_contact_unsubscribe(contact=contact)
        done = True
    context = {
        "sender_name": mail.sender_name(schedule),
        "done": done or contact.consent_withdrawn_at is not None,
    }
    return render(request, "scheduling/unsubscribe.html", context)
