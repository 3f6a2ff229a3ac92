"""Forms of the professional's pages: caseload filter, new client, start a round, handover."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.organisations.constants import Domain, Role
from alliantiemonitor.organisations.models import Organisation, Team
from alliantiemonitor.trajectories.access import professional_memberships
from alliantiemonitor.trajectories.constants import ClientLanguage
from alliantiemonitor.trajectories.models import Trajectory

#: Common legal frames per domain, offered as suggestions; the field stays free text.
LEGAL_FRAMES: dict[str, list[str]] = {
    Domain.RECLASSERING: [
        "Voorwaardelijke veroordeling met bijzondere voorwaarden",
        "Voorwaardelijke invrijheidstelling",
        "Schorsing voorlopige hechtenis",
        "Elektronische monitoring",
        "Werkstraf",
        "Maatregel ISD",
    ],
    Domain.JEUGDBESCHERMING: [
        "Ondertoezichtstelling (OTS)",
        "Voogdij",
        "Uithuisplaatsing",
    ],
    Domain.JEUGDRECLASSERING: [
        "Jeugdreclassering met voorwaarden",
        "Voorwaardelijke jeugddetentie",
        "Gedragsbeïnvloedende maatregel (GBM)",
    ],
    Domain.SCHULDHULPVERLENING: [
        "Minnelijke schuldregeling",
        "Wettelijke schuldsanering (Wsnp)",
        "Budgetbeheer",
        "Beschermingsbewind",
    ],
    Domain.ARBEIDSINTEGRATIE: [
        "Participatiewet: re-integratietraject",
        "Tegenprestatie",
        "Werkfit-traject (UWV)",
    ],
    Domain.WOONBEGELEIDING: [
        "Beschermd wonen",
        "Maatschappelijke opvang",
        "Ambulante woonbegeleiding",
    ],
    Domain.JUSTITIEHUIS: [
        "Probatie-uitstel",
        "Probatie-uitstel met voorwaarden",
        "Voorwaardelijke invrijheidstelling",
        "Elektronisch toezicht",
    ],
}


def display_name_of(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class NewClientForm(forms.Form):
    """A new client and their trajectory, with as little personal data as possible."""

    display_name = forms.CharField(
        label=_("Display name or initials"),
        max_length=80,
        help_text=_(
            "A pseudonym or initials you choose, for example “K.V.”. Not the full name and "
            "no national identification number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=ClientLanguage.choices,
        initial=ClientLanguage.DUTCH,
        widget=forms.RadioSelect,
    )
    easy_read = forms.BooleanField(
        label=_("Easy-read"),
        required=False,
        help_text=_(
            "The client gets the easy-read questionnaire: short sentences, one statement per "
            "screen."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    legal_frame = forms.CharField(
        label=_("Legal frame"),
        max_length=200,
        required=False,
        help_text=_("For example: a suspended sentence with special conditions."),
        widget=forms.TextInput(attrs={"list": "legal-frames", "autocomplete": "off"}),
    )
    start_date = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        memberships = list(professional_memberships(user))
        organisations = [m.organisation for m in memberships]
        self.several_organisations = len(organisations) > 1
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        if organisations:
            self.fields["organisation"].initial = organisations[0].pk
        if not self.several_organisations:
            self.fields["organisation"].widget = forms.HiddenInput()
        teams = Team.objects.filter(memberships__in=[m.pk for m in memberships]).distinct()
        self.fields["team"].queryset = teams.select_related("organisation")
        if not self.several_organisations:
            # Within one organisation the organisation's name after each team is noise.
            self.fields["team"].label_from_instance = lambda team: team.name
        team_ids = list(teams.values_list("pk", flat=True))
        self.has_teams = bool(team_ids)
        if len(team_ids) == 1:
            self.fields["team"].initial = team_ids[0]
        self.fields["start_date"].initial = timezone.localdate()
        self.legal_frames = sorted(
            {frame for o in organisations for frame in LEGAL_FRAMES.get(o.domain, [])}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team, organisation = data.get("team"), data.get("organisation")
        if (
            team is not None
            and organisation is not None
            and team.organisation_id != organisation.pk
        ):
            self.add_error("team", _("This team belongs to another organisation."))
        return data


class HandOverForm(forms.Form):
    colleague = forms.ModelChoiceField(
        label=_("New professional"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose…"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_(
            "A short reason, for example a new division of caseloads. No details about the client."
        ),
        widget=forms.TextInput(attrs={"list": "handover-reasons", "autocomplete": "off"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my colleague will see this client's history and that I will "
            "no longer have access."
        ),
        error_messages={"required": _("Confirm that you want to hand this client over.")},
    )

    #: Offered as suggestions; the reason stays free text.
    reasons = [
        _("New division of caseloads"),
        _("Leave or long absence"),
        _("I am leaving the team"),
        _("At the client's request"),
        _("A better match with a colleague's expertise"),
    ]

    def __init__(self, *args: Any, trajectory: Trajectory, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        colleagues = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__organisation=trajectory.organisation,
                memberships__role=Role.PROFESSIONAL,
                memberships__active=True,
            )
            .exclude(pk=user.pk)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        field = self.fields["colleague"]
        field.queryset = colleagues
        field.label_from_instance = display_name_of


class EraseClientForm(forms.Form):
    """Confirm an erasure by typing the client's reference (nothing else is asked)."""

    reference = forms.CharField(
        label=_("Type the client's reference to confirm"),
        max_length=40,
        help_text=_("The eight characters shown above. Erasing cannot be undone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
