"""The organisation admin's webhook pages: make (secret shown once), list, test, off, delete."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.api.models import WebhookDelivery, WebhookEndpoint
from alliantiemonitor.api.services_webhooks import webhook_create
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _endpoint(organisation, admin):
    endpoint, _secret = webhook_create(
        organisation=organisation,
        name="Zaaksysteem",
        url="https://hooks.example.org/am",
        events=["round.completed", "signal.created"],
        by=admin,
    )
    return endpoint


def test_the_admin_makes_a_webhook_and_sees_its_secret_once(client, organisation, org_admin):
    client.force_login(org_admin)
    url = reverse("api_webhooks:new", kwargs={"organisation_uuid": organisation.uuid})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Zaaksysteem",
            "url": "https://hooks.example.org/am",
            "events": ["round.completed"],
        },
    )
    assert response.status_code == 200
    secret = re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.events == ["round.completed"]
    assert AuditEvent.objects.with_action(Action.WEBHOOK_CREATE).get().actor == org_admin

    listing = client.get(
        reverse("api_webhooks:list", kwargs={"organisation_uuid": organisation.uuid})
    ).content.decode()
    assert "Zaaksysteem" in listing
    assert "https://hooks.example.org/am" in listing
    assert secret not in listing
    assert AuditEvent.objects.with_action(Action.WEBHOOK_LIST_VIEW).exists()


@pytest.mark.parametrize(
    "address", ["http://hooks.example.org/am", "https://10.0.0.8/am", "https://[::1]/am"]
)
def test_an_internal_or_plain_http_address_is_refused_with_a_message(
    client, organisation, org_admin, address
):
    client.force_login(org_admin)
    url = reverse("api_webhooks:new", kwargs={"organisation_uuid": organisation.uuid})
    response = client.post(url, {"name": "Zaaksysteem", "url": address, "events": ["test"]})
    assert response.status_code == 200
    assert "whsec_" not in response.content.decode()
    response = client.post(
        url, {"name": "Zaaksysteem", "url": address, "events": ["round.completed"]}
    )
    assert "whsec_" not in response.content.decode()
    assert "https://" in response.content.decode()  # the message says what is needed
    assert not WebhookEndpoint.objects.exists()


def test_a_test_event_is_queued_for_the_worker_and_shown_in_the_list(
    client, organisation, org_admin, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(organisation, org_admin)
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api_webhooks:test", kwargs={"endpoint_uuid": endpoint.uuid})
        )
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "test"
    job = DBTaskResult.objects.get(task_path="alliantiemonitor.api.tasks.webhook_deliver_job")
    assert job.args_kwargs["kwargs"] == {"delivery_id": str(delivery.uuid)}
    assert AuditEvent.objects.with_action(Action.WEBHOOK_TEST).get().actor == org_admin
    listing = client.get(response["Location"]).content.decode()
    assert "<code>test</code>" in listing


def test_switching_off_asks_first(client, organisation, org_admin):
    endpoint = _endpoint(organisation, org_admin)
    client.force_login(org_admin)
    url = reverse("api_webhooks:deactivate", kwargs={"endpoint_uuid": endpoint.uuid})
    page = client.get(url)
    assert page.status_code == 200
    assert "Zaaksysteem" in page.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.active
    assert client.post(url).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert AuditEvent.objects.with_action(Action.WEBHOOK_DEACTIVATE).get().actor == org_admin
    # A second time is refused calmly; a test event is refused too.
    assert client.post(url).status_code == 302
    client.post(reverse("api_webhooks:test", kwargs={"endpoint_uuid": endpoint.uuid}))
    assert not WebhookDelivery.objects.exists()


def test_deleting_asks_first(client, organisation, org_admin):
    endpoint = _endpoint(organisation, org_admin)
    client.force_login(org_admin)
    url = reverse("api_webhooks:delete", kwargs={"endpoint_uuid": endpoint.uuid})
    assert client.get(url).status_code == 200
    assert WebhookEndpoint.objects.exists()
    assert client.post(url).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    event = AuditEvent.objects.with_action(Action.WEBHOOK_DELETE).get()
    assert event.actor == org_admin
    assert event.object_uuid == endpoint.uuid


def test_nobody_but_the_organisation_admin_reaches_the_pages(
    client, organisation, org_admin, professional, team_lead, other_organisation, outsider
):
    endpoint = _endpoint(organisation, org_admin)
    for user in (professional, team_lead, outsider):
        client.force_login(user)
        for name in ("api_webhooks:list", "api_webhooks:new"):
            url = reverse(name, kwargs={"organisation_uuid": organisation.uuid})
            assert client.get(url).status_code == 404
        for name in ("api_webhooks:deactivate", "api_webhooks:delete", "api_webhooks:test"):
            url = reverse(name, kwargs={"endpoint_uuid": endpoint.uuid})
            assert client.post(url).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.active
    assert not WebhookDelivery.objects.exists()
    client.logout()
    url = reverse("api_webhooks:list", kwargs={"organisation_uuid": organisation.uuid})
    assert client.get(url).status_code == 302
