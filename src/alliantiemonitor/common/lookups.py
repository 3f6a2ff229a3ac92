"""Database lookups that every app's queries use (registered in ``CommonConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerIn(In):
    """``in`` on an integer column: a number the column cannot hold matches nothing.

    Django makes ``exact``, ``gt`` and the like behave so since 5.0 (ticket #27397), but not
    ``in``: on SQLite a choice of a huge id in a form with several choices (the admin's
    permissions, groups and teams) raised ``OverflowError``, a server error. This can go when
    Django's own ``in`` leaves such numbers out.
    """

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            kind = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(kind)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
