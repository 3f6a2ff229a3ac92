"""Forms of the telephone entry: which trajectory, phase and questionnaire; then the answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core.instrument import Instrument, pick_language
from alliantiemonitor.research.constants import STAFF_RESPONSE_MODES
from alliantiemonitor.research.keys import normalise_study_key
from alliantiemonitor.research.models import Study, StudyPhase
from alliantiemonitor.research.phase_responses import questionnaire_get

#: The value of the "not answered" choice (a form posts text; stored as null).
NOT_ANSWERED = "na"


@dataclass(frozen=True)
class PhasePart:
    """One questionnaire of one phase: what the researcher picks."""

    phase: StudyPhase
    questionnaire: Instrument

    @property
    def value(self) -> str:
        return f"{self.phase.uuid}:{self.questionnaire.id}"

    def label(self, language: str) -> str:
        title = pick_language(self.questionnaire.title, language)
        return f"{self.phase.order}. {self.phase.name} – {title}"


def phase_parts(study: Study) -> list[PhasePart]:
    """Every (phase, questionnaire) of ``study`` in protocol order; unknown ids are left out."""
    parts = []
    for phase in study.phases.order_by("order"):
        for questionnaire_id in phase.instruments or []:
            try:
                parts.append(PhasePart(phase, questionnaire_get(questionnaire_id)))
            except KeyError:
                continue
    return parts


class PhaseEntryChoiceForm(forms.Form):
    """The study key of an enrolled trajectory and the phase questionnaire to type in."""

    study_key = forms.CharField(
        label=_("Study key"),
        max_length=40,
        help_text=_("The 12 characters of the study key, as the professional passed it on."),
        error_messages={"required": _("Type in the study key.")},
    )
    part = forms.ChoiceField(
        label=_("Phase and questionnaire"),
        error_messages={
            "required": _("Choose a phase and questionnaire."),
            "invalid_choice": _("Choose a phase and questionnaire from the list."),
        },
    )
    mode = forms.ChoiceField(
        label=_("How the answers were given"),
        choices=[(mode.value, mode.label) for mode in STAFF_RESPONSE_MODES],
        initial=STAFF_RESPONSE_MODES[0].value,
        error_messages={"invalid_choice": _("Choose by telephone or on paper.")},
    )

    def __init__(self, *args: Any, parts: list[PhasePart], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = {part.value: part for part in parts}
        self.fields["part"].choices = [("", _("Choose…"))] + [
            (part.value, part.label(language)) for part in parts
        ]

    def clean_study_key(self) -> str:
        key = normalise_study_key(self.cleaned_data["study_key"])
        if key is None:
            raise forms.ValidationError(_("A study key has 12 characters: digits and letters."))
        return key

    @property
    def chosen(self) -> PhasePart:
        return self.parts[self.cleaned_data["part"]]


class AnswersForm(forms.Form):
    """One radio group per item of a plain questionnaire, "not answered" included.

    Every item must get a choice, so a skipped question is a decision and not a slip.
    """

    def __init__(
        self,
        *args: Any,
        questionnaire: Instrument,
        language: str,
        vocabulary: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        scale = questionnaire.scale
        respondent = questionnaire.respondent or "client"
        choices = [
            (str(p.value), f"{p.value} – {pick_language(p.label, language)}") for p in scale.points
        ]
        choices.append(
            (NOT_ANSWERED, pick_language(scale.not_answered_label_for(respondent), language))
        )
        for item in questionnaire.items:
            self.fields[item.id] = forms.ChoiceField(
                label=item.display_text(language, vocabulary),
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer, or the last choice if it was not answered."),
                    "invalid_choice": _("Choose one of the answers."),
                },
            )

    def answers(self) -> dict[str, str | None]:
        """``{item id: answer}`` with "not answered" as ``None``, for the service."""
        return {
            item.id: None
            if self.cleaned_data[item.id] == NOT_ANSWERED
            else self.cleaned_data[item.id]
            for item in self.questionnaire.items
        }
