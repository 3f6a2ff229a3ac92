"""The matrix's own machinery: it must see every URL, and see a change when there is one."""

from __future__ import annotations

import pytest

from tests.factories import ClientFactory
from tests.permissions.matrix import discover, fingerprint
from tests.permissions.test_matrix import RULES
from tests.permissions.world import PERSONAS


def test_discovery_reaches_the_admin_the_i18n_and_the_client_pages():
    keys = {route.key for route in discover()}
    assert {"set_language", "admin:index", "client:link", "trajectories:detail"} <= keys
    assert any(key.startswith("route:admin/") for key in keys)


@pytest.mark.django_db
def test_the_fingerprint_sees_a_new_row_and_a_changed_one(organisation):
    before = fingerprint()
    client = ClientFactory(organisation=organisation, display_name="X.Y.")
    added = fingerprint()
    assert added != before
    client.display_name = "X.Z."
    client.save()
    assert fingerprint() != added


@pytest.mark.parametrize("key", sorted(RULES))
def test_a_method_a_url_does_not_take_is_never_ok(key):
    rule = RULES[key]
    for method in {"get", "post"} - set(rule.methods):
        for persona in PERSONAS:
            for side in ("own", "other"):
                assert "ok" not in rule.expected(persona, side, method)
