"""The practice start form: which variant, which course, which field of work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core.instrument import pick_language
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.organisations.constants import Domain
from alliantiemonitor.practice.cases import (
    COURSE_HINTS,
    COURSE_LABELS,
    DOMAINS,
    VARIANTS,
    CaseCode,
    new_seed,
    parse_code,
)


class StartForm(forms.Form):
    variant = forms.ChoiceField(
        label=_("Version of the monitor"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a version of the monitor.")},
    )
    course = forms.ChoiceField(
        label=_("How the alliance has gone since the previous round"),
        choices=[(key, label) for key, label in COURSE_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a course.")},
    )
    domain = forms.ChoiceField(
        label=_("Field of work (for the wording of the statements)"),
        choices=[(d, label) for d, label in Domain.choices if d in DOMAINS],
        error_messages={"required": _("Choose a field of work.")},
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        registry = get_registry()
        self.fields["variant"].choices = [
            (v, pick_language(registry.get(v).title, language)) for v in VARIANTS
        ]

    def hint(self, course: str) -> Any:
        return COURSE_HINTS.get(course, "")

    def case_code(self) -> CaseCode:
        data = self.cleaned_data
        return CaseCode(data["variant"], data["course"], data["domain"], new_seed())


class CaseCodeForm(forms.Form):
    """Open a case by its code, as a teacher writes it on the board."""

    casus = forms.CharField(
        label=_("Case code"),
        help_text=_("For example: kort-verslechterend-reclassering-4821"),
        max_length=80,
        error_messages={"required": _("Fill in a case code.")},
    )

    def clean_casus(self) -> CaseCode:
        code = parse_code(self.cleaned_data["casus"].strip().lower())
        if code is None:
            raise forms.ValidationError(
                _("This is not a case code. It reads like the example: four parts with dashes.")
            )
        return code
