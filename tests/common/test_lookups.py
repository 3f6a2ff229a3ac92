"""An id no integer column can hold matches nothing, also in a list (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("huge", [2**63, -(2**63) - 1, 10**30])
def test_an_out_of_range_id_in_a_list_matches_nothing(huge):
    first = Permission.objects.order_by("pk").first()
    assert list(Permission.objects.filter(pk__in=[huge])) == []
    assert list(Permission.objects.filter(pk__in=[huge, first.pk])) == [first]
    assert Permission.objects.exclude(pk__in=[huge]).count() == Permission.objects.count()
