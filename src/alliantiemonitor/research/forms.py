"""Forms of the study pages, the trajectory's research box and the client's question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.instrument import QUESTIONNAIRE, pick_language
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.organisations.models import Organisation, Team
from alliantiemonitor.research.constants import STAFF_CONSENT_MODES, PhaseKind
from alliantiemonitor.research.models import KEEP_AFTER_ERASURE_MAX_MONTHS

#: The groupings a study report offers (each a column of the study table), as the page names
#: them; one entry per :data:`~alliantiemonitor.research.report_build.GROUP_COLUMNS`.
GROUP_LABELS: dict[str, Any] = {
    "domain": _("Domain"),
    "mode": _("How the questionnaire was filled in"),
    "after_handover": _("Before or after a handover to another professional"),
}

#: Control characters other than line breaks and tabs have no place in a text (PostgreSQL
#: refuses NUL); refused with a message rather than stored.
_CONTROL = {chr(c) for c in range(32)} - {"\n", "\r", "\t"} | {"\x7f"}


def _clean_text(value: str) -> str:
    if any(char in _CONTROL for char in value):
        raise forms.ValidationError(_("Remove the control characters from this text."))
    return value.strip()


class _TextForm(forms.Form):
    """Refuse control characters in every text field."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                try:
                    cleaned[name] = _clean_text(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class StudyForm(_TextForm):
    name = forms.CharField(
        label=_("Name of the study"),
        max_length=200,
        error_messages={"required": _("Give the study a name.")},
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea
    )
    protocol = forms.CharField(
        label=_("Protocol"),
        max_length=20000,
        required=False,
        widget=forms.Textarea,
        help_text=_("The questions, the phases, and what is asked when."),
    )
    keep_after_erasure_months = forms.IntegerField(
        label=_("Keep research records after the client's erasure (months)"),
        required=False,
        min_value=0,
        max_value=KEEP_AFTER_ERASURE_MAX_MONTHS,
        initial=0,
        help_text=_(
            "When a client's personal data are erased (after the organisation's retention "
            "period, or on request), the research records of a client whose consent stands are "
            "kept this many months under the study key only, and then deleted. 0 or empty: "
            "deleted together with the client. Records of a client who said no or withdrew are "
            "always deleted with the client. Write the same in the protocol."
        ),
        error_messages={
            "invalid": _("Give a whole number of months."),
            "min_value": _("Give a whole number of months from 0 to %(limit_value)s."),
            "max_value": _("Give a whole number of months from 0 to %(limit_value)s."),
        },
    )
    information_text = forms.CharField(
        label=_("Information for clients"),
        max_length=4000,
        widget=forms.Textarea,
        help_text=_(
            "Plain words, read by the client before saying yes or no: what the study is about, "
            "what is used, that saying no changes nothing about their guidance, and that they "
            "can withdraw at any time through their professional."
        ),
        error_messages={"required": _("Write the information that clients read.")},
    )


def instrument_choices() -> list[tuple[str, str]]:
    """The plain questionnaires a phase may ask, by id with their title in the UI language."""
    language = current_language()
    return [
        (q.id, f"{pick_language(q.title, language)} ({q.id})")
        for q in get_registry().latest(kind=QUESTIONNAIRE)
    ]


class PhaseForm(_TextForm):
    kind = forms.ChoiceField(
        label=_("Kind of phase"),
        choices=PhaseKind.choices,
        error_messages={"required": _("Choose the kind of phase.")},
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("Give the phase a name.")}
    )
    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose questionnaires from the list.")},
    )
    timing_days = forms.IntegerField(
        label=_("Starts after (days after enrolment)"),
        min_value=0,
        max_value=3650,
        error_messages={"required": _("Say after how many days this phase starts.")},
    )
    mode_notes = forms.CharField(
        label=_("How it is done"), max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = instrument_choices()


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("active", _("Start the study")), ("closed", _("Close the study"))]
    )


class EnrolForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="uuid",
        error_messages={
            "required": _("Choose an organisation."),
            "invalid_choice": _("Choose one of the organisations in the list."),
        },
    )
    team = forms.ModelChoiceField(
        label=_("Team (optional: leave empty for the whole organisation)"),
        queryset=Team.objects.none(),
        to_field_name="uuid",
        required=False,
        error_messages={"invalid_choice": _("Choose one of the teams in the list.")},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        teams = Team.objects.filter(organisation__in=organisations).select_related("organisation")
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda team: f"{team.organisation} – {team.name}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organisation, team = cleaned.get("organisation"), cleaned.get("team")
        if organisation and team and team.organisation_id != organisation.pk:
            self.add_error("team", _("This team is not part of the chosen organisation."))
        return cleaned


class EnrolledChoiceForm(forms.Form):
    """Which study (of those shown in the box) a button is about."""

    study = forms.UUIDField(error_messages={"invalid": _("Choose a study.")})


class StaffConsentForm(EnrolledChoiceForm):
    answer = forms.ChoiceField(
        label=_("The client's answer"),
        choices=[("yes", _("Yes, consents")), ("no", _("No, does not consent"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the client's answer.")},
    )
    mode = forms.ChoiceField(
        label=_("How the client answered"),
        choices=[(mode.value, mode.label) for mode in STAFF_CONSENT_MODES],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the client answered.")},
    )


class ClientConsentForm(forms.Form):
    enrolled = forms.UUIDField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No")), ("later", _("Later"))],
        error_messages={"required": _("Choose yes, no or later.")},
    )


class ClientWithdrawForm(forms.Form):
    """Which of the client's studies the client stops taking part in."""

    enrolled = forms.UUIDField(widget=forms.HiddenInput)


class FollowUpUploadForm(forms.Form):
    """The follow-up file (docs/research/followup.md); the service reads and checks it."""

    file = forms.FileField(
        label=_("Follow-up file (CSV)"),
        help_text=_(
            "A CSV file (UTF-8) with the columns study_key, outcome, date and value; "
            "optionally trajectory. At most 5 MB."
        ),
        error_messages={
            "required": _("Choose a CSV file."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a CSV file."),
        },
    )


class SampleForm(forms.Form):
    """How many dyads per pattern, the seed and the fewest scored rounds."""

    stable = forms.IntegerField(label=_("Stable"), min_value=0, max_value=500, initial=15)
    improving = forms.IntegerField(label=_("Improving"), min_value=0, max_value=500, initial=15)
    deteriorating = forms.IntegerField(
        label=_("Deteriorating"), min_value=0, max_value=500, initial=15
    )
    mixed = forms.IntegerField(
        label=_("Mixed (improving and deteriorating)"), min_value=0, max_value=500, initial=0
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        help_text=_(
            "Leave empty for a new draw. The same seed on the same dyads draws the same sample."
        ),
    )
    min_rounds = forms.IntegerField(
        label=_("Fewest scored rounds"), min_value=2, max_value=100, initial=3
    )

    PATTERNS = ("stable", "improving", "deteriorating", "mixed")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        sizes = [cleaned.get(name) for name in self.PATTERNS]
        if all(size is not None for size in sizes) and not any(sizes):
            raise forms.ValidationError(_("Ask for at least one dyad."))
        return cleaned

    def sizes(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in self.PATTERNS}


class ExportRequestForm(forms.Form):
    """What a pseudonymised export of a study holds (docs/research/exports.md)."""

    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            ("long", _("Long: one row per response (client and professional each a row)")),
            (
                "wide",
                _("Wide: one row per round, the client's and professional's answers side by side"),
            ),
        ],
        initial="long",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a layout."), "invalid_choice": _("Choose a layout.")},
    )
    dates = forms.ChoiceField(
        label=_("Dates"),
        choices=[
            ("month", _("Coarsened to the month (2026-03)")),
            ("shift", _("Shifted per client by a fixed number of days (intervals stay exact)")),
        ],
        initial="month",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how dates are handled."),
            "invalid_choice": _("Choose how dates are handled."),
        },
    )
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=[
            ("csv", _("CSV (any program)")),
            ("parquet", _("Parquet (R, Python, DuckDB)")),
            ("sav", _("SPSS .sav with variable and value labels (also read by R and Stata)")),
        ],
        initial=["csv", "sav"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one format."),
            "invalid_choice": _("Choose formats from the list."),
        },
    )


class ReportRequestForm(forms.Form):
    """The choices of a study report: the seed and, if wanted, a grouping."""

    seed = forms.IntegerField(
        label=_("Seed of the trajectory classes"),
        min_value=0,
        max_value=2**31 - 1,
        initial=1,
        help_text=_("The same data and seed give the same report."),
        error_messages={
            "required": _("Fill in a seed."),
            "invalid": _("The seed is a whole number from 0 up."),
            "min_value": _("The seed is a whole number from 0 up."),
            "max_value": _("The seed is too large."),
        },
    )
    group = forms.ChoiceField(
        label=_("Compare groups"),
        choices=[("", _("No groups")), *GROUP_LABELS.items()],
        required=False,
        help_text=_(
            "Reliability per group and whether the questionnaire measures the same in each "
            "group (measurement invariance)."
        ),
        error_messages={"invalid_choice": _("Choose a grouping from the list.")},
    )

    def clean_group(self) -> str | None:
        return self.cleaned_data["group"] or None
