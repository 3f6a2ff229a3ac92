"""With ``ALLIANTIEMONITOR_CACHE=database`` the API's rate counts live in one shared table."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.api.conftest import api, make_token

pytestmark = pytest.mark.django_db

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "alliantiemonitor_cache",
    }
}


def test_the_rate_limit_counts_in_the_shared_table(settings, organisation, org_admin):
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    settings.ALLIANTIEMONITOR_API_RATE = "2/min"
    _token, secret = make_token(organisation, org_admin)
    url = reverse("api:trajectories")
    assert api(secret).get(url).status_code == 200
    assert api(secret).get(url).status_code == 200
    refused = api(secret).get(url)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    # The count is a row of the table, which every app process reads: none in its memory.
    assert caches["default"].__class__.__name__ == "DatabaseCache"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM alliantiemonitor_cache")
        assert cursor.fetchone()[0] == 1
