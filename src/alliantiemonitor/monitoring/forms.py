"""Forms of the monitoring pages: record an outcome event, end a trajectory."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.trajectories.constants import OutcomeKind
from alliantiemonitor.trajectories.models import OutcomeEvent, Trajectory

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
