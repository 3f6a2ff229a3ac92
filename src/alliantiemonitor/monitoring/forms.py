"""Forms of the monitoring pages: acknowledging a signal, the organisation's thresholds, recording
an outcome event, ending a trajectory."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core.signals import SignalSettings
from alliantiemonitor.monitoring.constants import (
    ACKNOWLEDGEMENT_NOTE_MAX,
    THRESHOLD_COUNTS,
    THRESHOLD_FLOAT_MAX,
    THRESHOLD_INT_MAX,
)
from alliantiemonitor.trajectories.constants import OutcomeKind
from alliantiemonitor.trajectories.models import OutcomeEvent, Trajectory


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
    "view_z": (
        _("Deterioration in one view: strength of evidence"),
        _(
            "The same for the client's or the professional's answers alone; stricter, "
            "because each view is tested on its own."
        ),
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
        "deterioration_handover_z",
        "view_z_per_round",
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
            default_text = _("Default: %(value)s.") % {"value": number_format(default)}
            form_field: forms.Field
            if isinstance(default, int):
                low = 1 if field.name in THRESHOLD_COUNTS else 0
                form_field = forms.IntegerField(min_value=low, max_value=THRESHOLD_INT_MAX)
            else:
                form_field = forms.FloatField(min_value=0, max_value=THRESHOLD_FLOAT_MAX)
            form_field.label = label
            form_field.help_text = f"{help_text} {default_text}".strip()
            form_field.initial = getattr(current, field.name)
            self.fields[field.name] = form_field


#: What can be recorded while a trajectory runs; the ending kinds go through the end page.
ACTIVE_KINDS = (
    OutcomeKind.NO_SHOW,
    OutcomeKind.FORMAL_WARNING,
    OutcomeKind.NEW_ARREST_OR_SUSPICION,
)
#: What can be recorded once it has ended.
ENDED_KINDS = (OutcomeKind.RECIDIVISM_FOLLOWUP,)
#: How a trajectory can end, in the order the page offers them.
END_CHOICES = (
    OutcomeKind.REGULAR_COMPLETION,
    OutcomeKind.PREMATURE_END_POSITIVE,
    OutcomeKind.PREMATURE_END_NEGATIVE,
)
NOTE_MAX_LENGTH = OutcomeEvent._meta.get_field("note").max_length


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _DatedForm(forms.Form):
    """A date that lies in the trajectory: not before its start, not in the future."""

    date_field = "date"

    def __init__(self, *args: Any, trajectory: Trajectory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trajectory = trajectory
        field = self.fields[self.date_field]
        field.initial = timezone.localdate()
        field.widget.attrs.update(
            {"min": trajectory.start_date.isoformat(), "max": timezone.localdate().isoformat()}
        )
        self.fields["note"].help_text = gettext(
            "At most %(count)d characters. Facts only, no judgements about the client."
        ) % {"count": NOTE_MAX_LENGTH}

    def _clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data[self.date_field]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Choose today or a date in the past."))
        if value < self.trajectory.start_date:
            raise forms.ValidationError(
                _("Choose a date on or after the start of the trajectory (%(date)s).")
                % {"date": date_format(self.trajectory.start_date, "DATE_FORMAT")}
            )
        return value


class OutcomeForm(_DatedForm):
    kind = forms.ChoiceField(label=_("What happened?"), widget=forms.RadioSelect)
    date = _date_field(_("Date"))
    note = _note_field()

    def __init__(self, *args: Any, trajectory: Trajectory, **kwargs: Any) -> None:
        super().__init__(*args, trajectory=trajectory, **kwargs)
        kinds = ACTIVE_KINDS if trajectory.is_active else ENDED_KINDS
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].value

    def clean_date(self) -> dt.date:
        return self._clean_date()


class EndTrajectoryForm(_DatedForm):
    date_field = "end_date"

    reason_kind = forms.ChoiceField(
        label=_("How did the trajectory end?"),
        choices=[(kind.value, kind.label) for kind in END_CHOICES],
        widget=forms.RadioSelect,
    )
    end_date = _date_field(_("End date"))
    note = _note_field()

    def clean_end_date(self) -> dt.date:
        return self._clean_date()
