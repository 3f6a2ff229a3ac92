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
    "deterioration_z": (
        _("Deterioration: strength of evidence"),
        _("How clear a fall in the scores must be, in units of normal round-to-round wobble."),
    ),
    "characteristic_z": (
        _("Deterioration of one characteristic: strength of evidence"),
        _("The same for a single characteristic; stricter, because four are tested."),
    ),
    "friction_high": (
        _("High friction (score)"),
        _("The friction score from which friction counts as high."),
    ),
    "friction_high_rounds": (
        _("High friction (rounds in a row)"),
        _("In how many rounds in a row friction must be high."),
    ),
    "handover_z": (
        _("After a change of professional: strength of evidence"),
        _("How clear a fall of trust or bond after a change of professional must be."),
    ),
    "handover_drop": (
        _("Fall after a change of professional (points)"),
        _("How many points trust or bond must fall after a change of professional."),
    ),
    "deterioration_points": (
        _("Deterioration (points)"),
        _("How many points worse than before a score must be to count as a deterioration."),
    ),
    "disagreement_large": (
        _("Disagreement (points)"),
        _("How many points client and professional must differ on average."),
    ),
    "disagreement_large_rounds": (
        _("Disagreement (rounds in a row)"),
        _("In how many rounds in a row the difference must be large."),
    ),
    "not_discussed_days": (
        _("Discuss within (days)"),
        _("A round with answers should be discussed within this many days."),
    ),
    "stopped_rounds": (
        _("Missed rounds"),
        _("After this many rounds in a row without the client's answers, a signal is raised."),
    ),
}

#: Numeric settings of the rules that are calibration, not policy: not on the admin's form.
CALIBRATION = frozenset(
    {
        "noise_default",
        "wobble_correlation",
        "deterioration_z_per_round",
        "characteristic_z_per_round",
        "disagreement_z",
        "disagreement_z_per_round",
        "handover_rounds",
    }
)


class ThresholdsForm(forms.Form):
    """One field per threshold of :class:`SignalSettings`, its default shown and pre-filled."""

    def __init__(self, *args: Any, current: SignalSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = SignalSettings()
        for field in dataclasses.fields(SignalSettings):
            default = getattr(defaults, field.name)
            if (
                isinstance(default, bool)
                or not isinstance(default, int | float)
                or field.name in CALIBRATION
            ):
                continue  # only the numeric thresholds of policy are set here
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
