"""Password rules beyond Django's own validators (see AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class VarietyValidator:
    """Refuse a password made of only a few different characters (``aaaaaaaaaaaa``, ``abababab…``).

    Length alone lets a repeated character through; Django's common-password list does not
    hold every repetition.
    """

    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password.casefold())) < self.min_distinct:
            raise ValidationError(
                _("This password has too few different characters. Use at least %(count)d.")
                % {"count": self.min_distinct},
                code="password_too_repetitive",
            )

    def get_help_text(self) -> str:
        return _("Your password must contain at least %(count)d different characters.") % {
            "count": self.min_distinct
        }
