"""Forms of paper entry: the code from the paper, then one single-key field per statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.core.instrument import Item

#: Typed for "not answered": 0, or a space (a blank circle row on paper).
NO_ANSWER_KEYS = frozenset({"0", " "})
PAPER_FIELD_PREFIX = "p-"


def paper_field_name(item_id: str) -> str:
    return f"{PAPER_FIELD_PREFIX}{item_id}"


class PaperCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Form code"),
        help_text=_("The nine digits at the top of the paper form."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}
        ),
    )


class PaperAnswersForm(forms.Form):
    """One field per statement: a digit of the scale, or 0 / a space for "not answered".

    Without JavaScript it is a plain form (each field's ``pattern`` says what fits); the
    script only moves on to the next field after each key.
    """

    def __init__(
        self, *args: Any, items: Sequence[Item], scale_values: Sequence[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.keys = {str(value): value for value in scale_values}
        allowed = "".join(sorted(self.keys)) + "0 "
        message = _("Type %(first)s to %(last)s, or 0 or a space for no answer.") % {
            "first": min(scale_values),
            "last": max(scale_values),
        }
        for number, item in enumerate(self.items, start=1):
            self.fields[paper_field_name(item.id)] = forms.CharField(
                label=str(number),
                max_length=1,
                strip=False,
                error_messages={"required": message, "max_length": message},
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "pattern": f"[{allowed}]",
                        "maxlength": "1",
                        "size": "1",
                        "autocomplete": "off",
                        "class": "am-paper-key",
                    }
                ),
            )
        self._message = message

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for item in self.items:
            name = paper_field_name(item.id)
            value = cleaned.get(name)
            if value is None:
                continue
            if value not in self.keys and value not in NO_ANSWER_KEYS:
                self.add_error(name, self._message)
        return cleaned

    def answers(self) -> dict[str, int | None]:
        """``{item id: value or None}`` from a valid form."""
        result: dict[str, int | None] = {}
        for item in self.items:
            typed = self.cleaned_data[paper_field_name(item.id)]
            result[item.id] = self.keys.get(typed)
        return result


def typed_keys(answers: dict[str, Any]) -> dict[str, str]:
    """The keys to type for stored ``answers``: the digit, or 0 for not answered."""
    return {paper_field_name(k): "0" if v is None else str(v) for k, v in answers.items()}


class _VerifierChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # Names only: the list is for recognising a colleague, nothing more.
        return str(obj.get_full_name() or obj.get_username())


class PaperVerifierForm(forms.Form):
    """Who types the client's paper form in again: a colleague of a shared team."""

    verifier = _VerifierChoice(
        queryset=None,
        to_field_name="uuid",
        label=_("Who types it in the second time?"),
        help_text=_("A colleague of your team. They find the form on their caseload."),
        empty_label=_("Choose a colleague"),
        error_messages={
            "required": _("Choose the colleague who types the paper form in again."),
            "invalid_choice": _("Choose one of the colleagues in the list."),
        },
    )

    def __init__(self, *args: Any, candidates: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["verifier"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates
        field.required = required
