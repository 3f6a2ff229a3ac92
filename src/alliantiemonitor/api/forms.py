"""The organisation admin's forms to make an API token and a webhook."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.api.constants import (
    DEFAULT_LIFETIME_DAYS,
    MAX_LIFETIME,
    MIN_LIFETIME,
    Scope,
    WebhookEvent,
)
from alliantiemonitor.organisations.models import Membership


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Which system uses it, for example: case-management system, test."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Reading results and signals is possible only for a token bound to one professional."
        ),
    )
    acting_for = forms.ModelChoiceField(
        label=_("Bound to a professional"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("No: the whole organisation (never results or signals)"),
        help_text=_("A bound token reaches only this professional's clients."),
    )
    lifetime_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=MIN_LIFETIME.days,
        max_value=MAX_LIFETIME.days,
        initial=DEFAULT_LIFETIME_DAYS,
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        professionals = (
            Membership.objects.active().for_organisation(organisation).professionals()
        ).values("user")
        self.fields["acting_for"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(pk__in=professionals, is_active=True)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["acting_for"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.get_username()
        )


class WebhookCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Which system receives the calls, for example: case-management system."),
    )
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_(
            "Starts with https://. Addresses of an internal network are refused; the address "
            "is checked again before every call."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A call carries identifiers and states only: never answers, scores or names."),
    )
