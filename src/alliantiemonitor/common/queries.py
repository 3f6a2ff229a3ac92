"""Small query helpers for the hot paths."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def unique_or_none(queryset: QuerySet[M]) -> M | None:
    """The one row a lookup on a unique key finds, or ``None``.

    Like ``.first()`` but without an ORDER BY: a unique lookup has nothing to sort, and Django
    spends more time building the ORDER BY of a query with joined tables (it matches the
    ordering against every selected column) than the database spends running it. Only for
    lookups that cannot match more than one row.
    """
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None
