"""Forms of the joint conversation view: they validate, the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.conversations.constants import Party, Usefulness


class ConversationStartForm(forms.Form):
    held_on = forms.DateField(
        label=_("Date of the conversation"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Fill in the date of the conversation.")},
    )

    def __init__(self, *args: Any, round: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.round = round

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("The conversation cannot be in the future."))
        if self.round is not None:
            # Imported here: forms validate, the services own the rule.
            from alliantiemonitor.common.errors import DomainError
            from alliantiemonitor.conversations.services import conversation_date_check

            try:
                conversation_date_check(round=self.round, held_on=held_on)
            except DomainError:
                raise forms.ValidationError(
                    _("The conversation cannot be before the round was opened (%(date)s).")
                    % {"date": date_format(timezone.localdate(self.round.opened_at))}
                ) from None
        return held_on


class AgreementForm(forms.Form):
    # The browser's own "required" check would paint the empty box red before anything was
    # typed (Utrecht styles :invalid); the server says what is missing instead.
    use_required_attribute = False

    text = forms.CharField(
        label=_("New agreement"),
        help_text=_("Write it so that the client can read it back later: who does what, when."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write the agreement first."),
            "max_length": _("Write the agreement in at most 1000 characters."),
        },
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the agreement first."))
        return text


class EvaluationForm(forms.Form):
    """One party's evaluation; both forms sit on the shared screen, so ids carry the party."""

    use_required_attribute = False

    party = forms.ChoiceField(choices=Party.choices, widget=forms.HiddenInput)
    useful = forms.ChoiceField(
        label=_("Was talking about it useful?"),
        choices=Usefulness.choices,
        widget=forms.RadioSelect(
            attrs={"class": "utrecht-radio-button utrecht-radio-button--html-input"}
        ),
        error_messages={"required": _("Choose whether talking about it was useful.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.TextInput,
    )

    def __init__(self, *args: Any, party: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{party}_%s")
        kwargs.setdefault("initial", {"party": party})
        super().__init__(*args, **kwargs)
        self.party = party
