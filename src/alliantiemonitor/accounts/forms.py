"""Forms of the account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form, refusing the current password as the new one (a forced change would
    otherwise be undone by typing the administrator's password twice)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and cleaned.get("old_password") and new == cleaned["old_password"]:
            raise forms.ValidationError(
                _("Choose a new password that differs from the current one."),
                code="password_unchanged",
            )
        return cleaned
