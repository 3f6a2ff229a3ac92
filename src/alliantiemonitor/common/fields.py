"""Model fields of our own: free text encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.encryption import decrypt, encrypt


class EncryptedTextField(models.TextField):
    """Text that the database only ever sees encrypted (docs/encryption.md).

    Reads and writes go through the key ring of ``ALLIANTIEMONITOR_FIELD_KEYS``. The column is
    unlimited text because the ciphertext is longer than the text; ``max_length`` limits the
    text itself. The database cannot compare ciphertext, so every lookup but ``isnull`` and
    ``= ""`` is refused: a filter on such a field fails loudly instead of silently matching
    nothing.
    """

    description = _("Encrypted text")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return EmptyOnlyExact
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted at rest: the database cannot "
            f"compare it ({lookup_name!r}). Read the rows and compare the text in Python."
        )


class EmptyOnlyExact(Exact):
    """``field = ''``: the one comparison ciphertext keeps, since empty text is stored empty."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            field = self.lhs.output_field
            raise FieldError(
                f"{field.model._meta.label}.{field.name} is encrypted at rest: the database "
                "can only tell whether it is empty. Read the rows and compare the text in Python."
            )
        return super().get_prep_lookup()

    def get_transform(self, name: str) -> Any:
        return None
