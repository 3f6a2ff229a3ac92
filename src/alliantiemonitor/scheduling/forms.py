"""Forms of the schedule, client contact and mail settings pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.scheduling.models import (
    OrganisationSchedule,
    TrajectorySchedule,
    TrajectoryScheduleMode,
)
from alliantiemonitor.scheduling.services.settings import ORGANISATION_FIELDS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})
#: The week fields' lowest value; the browser's own check must not offer 0 (the model refuses it).
_WEEK_FIELDS = ("every_weeks", "after_handover_weeks", "before_end_weeks")


def _weeks_from_one(form: forms.BaseForm) -> None:
    for name in _WEEK_FIELDS:
        if name in form.fields:
            form.fields[name].widget.attrs["min"] = 1


class OrganisationScheduleForm(forms.ModelForm):
    class Meta:
        model = OrganisationSchedule
        fields = ORGANISATION_FIELDS
        widgets = {
            "channel": forms.RadioSelect,
            "every_weeks": _NUMBER,
            "after_handover_weeks": _NUMBER,
            "before_end_weeks": _NUMBER,
            "reminder_after_days": _NUMBER,
            "reminder_max": _NUMBER,
            "message_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _weeks_from_one(self)


class TrajectoryScheduleForm(forms.ModelForm):
    class Meta:
        model = TrajectorySchedule
        fields = (
            "planned_end_date",
            "mode",
            "at_start",
            "every_weeks",
            "after_handover_weeks",
            "before_end_weeks",
        )
        widgets = {
            "mode": forms.RadioSelect,
            "planned_end_date": _DATE,
            "every_weeks": _NUMBER,
            "after_handover_weeks": _NUMBER,
            "before_end_weeks": _NUMBER,
        }

    def __init__(self, *args: Any, start_date: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_date = start_date
        self.fields["mode"].choices = TrajectoryScheduleMode.choices
        # The fieldset around it is already called "Schedule".
        self.fields["mode"].label = _("Which schedule")
        _weeks_from_one(self)

    def clean_planned_end_date(self) -> Any:
        value = self.cleaned_data.get("planned_end_date")
        if value is not None and value < self.start_date:
            raise forms.ValidationError(_("The planned end cannot be before the start."))
        return value


class ClientContactForm(forms.Form):
    email = forms.EmailField(
        label=_("Client's e-mail address"),
        required=False,
        help_text=_("Only used for invitations and reminders to fill in the questionnaire."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_("The client agreed to receive these e-mails"),
        required=False,
        help_text=_(
            "Ask the client first. The date is recorded. Every e-mail has a link to stop them."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("consent") and not data.get("email"):
            self.add_error("email", _("Enter the address the client agreed to."))
        return data


class MailPreferenceForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly digest"),
        required=False,
        help_text=_(
            "On Monday morning: how many rounds in your caseload are due or overdue. No client "
            "names."
        ),
    )
