"""Forms of the caseload (and later the dashboards): they validate, the read models select."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.dashboards.caseload import PHASE_CHOICES


class CaseloadFilterForm(forms.Form):
    """Search and filter of the caseload (GET): every field may be empty."""

    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *PHASE_CHOICES],
    )
    ended = forms.BooleanField(label=_("Also show ended trajectories"), required=False)
