"""The organisation admin's pages of API tokens: make (the secret shown once), list, revoke."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from alliantiemonitor.api.models import ApiToken
from alliantiemonitor.api.services import token_authenticate
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db


def test_the_admin_makes_a_token_and_sees_its_secret_once(client, organisation, org_admin):
    client.force_login(org_admin)
    url = reverse("api_tokens:new", kwargs={"organisation_uuid": organisation.uuid})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "Zaaksysteem", "scopes": ["trajectories:read"], "lifetime_days": 30},
    )
    assert response.status_code == 200
    secret = re.search(r'value="(amt_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token_authenticate(secret) == token
    assert AuditEvent.objects.with_action(Action.API_TOKEN_CREATE).get().actor == org_admin
    listing = client.get(
        reverse("api_tokens:list", kwargs={"organisation_uuid": organisation.uuid})
    ).content.decode()
    assert "Zaaksysteem" in listing
    assert token.hint in listing
    assert secret not in listing
    assert AuditEvent.objects.with_action(Action.API_TOKEN_LIST_VIEW).exists()


def test_an_organisation_token_with_results_is_refused_with_a_message(
    client, organisation, org_admin
):
    client.force_login(org_admin)
    url = reverse("api_tokens:new", kwargs={"organisation_uuid": organisation.uuid})
    response = client.post(
        url, {"name": "Zaaksysteem", "scopes": ["results:read"], "lifetime_days": 30}
    )
    assert response.status_code == 200
    assert "amt_" not in response.content.decode()
    assert "utrecht-form-field-error-message" in response.content.decode() or 'role="alert"' in (
        response.content.decode()
    )
    assert not ApiToken.objects.exists()


def test_the_admin_binds_a_token_to_a_professional(client, organisation, org_admin, professional):
    client.force_login(org_admin)
    url = reverse("api_tokens:new", kwargs={"organisation_uuid": organisation.uuid})
    response = client.post(
        url,
        {
            "name": "Zaaksysteem",
            "scopes": ["trajectories:read", "results:read"],
            "acting_for": professional.pk,
            "lifetime_days": 30,
        },
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().acting_for == professional


def test_revoke(client, organisation, org_admin):
    token, secret = make_token(organisation, org_admin)
    client.force_login(org_admin)
    response = client.post(reverse("api_tokens:revoke", kwargs={"token_uuid": token.uuid}))
    assert response.status_code == 302
    assert token_authenticate(secret) is None


def test_nobody_else_reaches_the_pages(
    client, organisation, org_admin, professional, other_organisation, outsider
):
    token, secret = make_token(organisation, org_admin)
    for user in (professional, outsider):
        client.force_login(user)
        for name in ("api_tokens:list", "api_tokens:new"):
            url = reverse(name, kwargs={"organisation_uuid": organisation.uuid})
            assert client.get(url).status_code == 404
        response = client.post(reverse("api_tokens:revoke", kwargs={"token_uuid": token.uuid}))
        assert response.status_code == 404
    assert token_authenticate(secret) == token


def test_the_docs_page_lists_every_operation_with_its_scope(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "/api/v1/rounds/{uuid}/results/" in page
    assert "results:read" in page
    schema = client.get(reverse("api:schema") + "?format=json").json()
    results = schema["paths"]["/api/v1/rounds/{uuid}/results/"]["get"]
    assert results["x-scope"] == "results:read"
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_an_error_of_the_schema_is_json(client):
    response = client.post(reverse("api:schema"))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
