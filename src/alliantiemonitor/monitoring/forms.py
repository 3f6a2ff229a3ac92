"""Forms of the monitoring pages: acknowledging a signal, the organisation's thresholds."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.monitoring.constants import ACKNOWLEDGEMENT_NOTE_MAX


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Short note"),
        max_length=ACKNOWLEDGEMENT_NOTE_MAX,
        help_text=_("What you did or will do, for example: discussed with the client on Monday."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


#: Label and help text of the thresholds the rules define; a threshold the rules add later
#: shows its field name until it is added here.
THRESHOLD_TEXTS: dict[str, tuple[Any, Any]] = {
    "deterioration_points": (
        _("Deterioration (points)"),
        _("How many points worse than before a score must be to count as a deterioration."),
    ),
    "friction_high": (
        _("High friction (score)"),
        _("The friction score from which friction counts as high."),
    ),
    "handover_drop": (
        _("Fall after a change of professional (points)"),
        _("How many points trust or bond must fall after a change of professional."),
    ),
    "disagreement_points": (
        _("Disagreement (points)"),
        _("How many points client and professional must differ on a characteristic."),
    ),
    "discuss_within_days": (
        _("Discuss within (days)"),
        _("A round both have filled in should be discussed within this many days."),
    ),
    "missed_rounds": (
        _("Missed rounds"),
        _("After this many rounds in a row without the client's answers, a signal is raised."),
    ),
}


class ThresholdsForm(forms.Form):
    """One field per threshold of :class:`SignalSettings`, its default shown and pre-filled."""

    def __init__(self, *args: Any, current: SignalSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = SignalSettings()
        for field in dataclasses.fields(SignalSettings):
            default = getattr(defaults, field.name)
            if isinstance(default, bool) or not isinstance(default, int | float):
                continue  # only numeric thresholds are set here
            label, help_text = THRESHOLD_TEXTS.get(field.name, (field.name, ""))
            default_text = _("Default: %(value)s.") % {"value": default}
            form_field: forms.Field
            if isinstance(default, int):
                form_field = forms.IntegerField(min_value=0)
            else:
                form_field = forms.FloatField(min_value=0)
            form_field.label = label
            form_field.help_text = f"{help_text} {default_text}".strip()
            form_field.initial = getattr(current, field.name)
            self.fields[field.name] = form_field
