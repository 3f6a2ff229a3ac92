"""Forms of the questionnaire: one party's answers on one page of statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.instrument import Item, pick_language
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.trajectories.models import Trajectory

#: Field names: ``answer-<item id>`` per statement, ``flag`` (repeated) for the client's flags.
ANSWER_PREFIX = "answer-"
FLAG_FIELD = "flag"
#: The radio value of "don't know / rather not say": stored as not answered (``None``).
SKIP = "skip"


def answer_field_name(item_id: str) -> str:
    return f"{ANSWER_PREFIX}{item_id}"


class AnswersForm(forms.Form):
    """The answers (and, for the client, the flags) posted from one page of statements.

    Only the statements on the page are fields. A radio group left untouched is simply absent
    from the POST and keeps what was saved before, so saving merges. Whether a value fits the
    instrument is checked again by the service (``validate_answers``); this form reads the POST,
    turns it into the service's shape and refuses anything that does not belong on the page.
    """

    def __init__(
        self,
        *args: Any,
        items: Sequence[Item],
        scale_values: Sequence[int],
        allow_flags: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.allow_flags = allow_flags
        choices = [(str(value), str(value)) for value in scale_values] + [(SKIP, SKIP)]
        for item in self.items:
            self.fields[answer_field_name(item.id)] = forms.ChoiceField(
                choices=choices, required=False
            )
        if allow_flags:
            self.fields[FLAG_FIELD] = forms.MultipleChoiceField(
                choices=[(item.id, item.id) for item in self.items], required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A statement that is not on this page (another rater's, an unknown id, a tampered
        # POST) is refused as a whole rather than silently dropped.
        expected = set(self.fields)
        unknown = sorted(
            key
            for key in self.data
            if (key.startswith(ANSWER_PREFIX) or key == FLAG_FIELD) and key not in expected
        )
        if unknown:
            raise forms.ValidationError(
                _("Some answers do not belong to this questionnaire. Nothing was changed."),
                code="unknown_item",
            )
        return cleaned

    def answers(self) -> dict[str, int | None]:
        """``{item id: value or None}`` for the statements that were answered on the page."""
        result: dict[str, int | None] = {}
        for item in self.items:
            raw = self.cleaned_data.get(answer_field_name(item.id))
            if raw:
                result[item.id] = None if raw == SKIP else int(raw)
        return result

    def flagged(self, previously: Sequence[str]) -> list[str] | None:
        """The full list of flagged items after this page: flags of other pages stay."""
        if not self.allow_flags:
            return None
        on_page = {item.id for item in self.items}
        checked = set(self.cleaned_data.get(FLAG_FIELD) or [])
        kept = [item_id for item_id in previously if item_id not in on_page]
        return kept + [item.id for item in self.items if item.id in checked]


def variant_choices() -> list[tuple[str, str]]:
    """The registry's variants (latest versions) with their titles in the current language."""
    language = current_language()
    return [
        (instrument.id, pick_language(instrument.title, language))
        for instrument in get_registry().latest()
    ]


class StartRoundForm(forms.Form):
    instrument_id = forms.ChoiceField(label=_("Questionnaire variant"))
    due_date = forms.DateField(
        label=_("Fill in by (optional)"),
        required=False,
        help_text=_("The round expires a week after this date if it is not complete."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, trajectory: Trajectory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument_id"].choices = variant_choices()
        self.fields["instrument_id"].initial = trajectory.default_variant

    def clean_due_date(self) -> Any:
        due_date = self.cleaned_data.get("due_date")
        if due_date is not None and due_date < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a date in the future."))
        return due_date
