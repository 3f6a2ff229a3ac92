"""Webhooks: signing, what is recorded when, sending to a real server, retries, address rules."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.api import webhook_outbound
from alliantiemonitor.api.constants import WEBHOOK_MAX_ATTEMPTS, DeliveryState
from alliantiemonitor.api.exceptions import InvalidWebhookEvents, NotAnOrganisationAdmin
from alliantiemonitor.api.models import WebhookDelivery
from alliantiemonitor.api.services_webhooks import (
    deliveries_retry_due,
    delivery_attempt,
    delivery_body,
    retry_delay,
    webhook_create,
    webhook_deactivate,
    webhook_test,
)
from alliantiemonitor.api.webhook_signing import (
    SIGNATURE_HEADER,
    signature_header,
    verify_signature,
)
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.jobs.registry import periodic_job
from alliantiemonitor.measurements.services import response_submit
from alliantiemonitor.monitoring.models import Signal
from tests.api.webhook_server import webhook_receiver
from tests.factories import answer_round
from tests.jobs.conftest import run_worker  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

EVENTS = ["round.completed", "signal.created"]


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.ALLIANTIEMONITOR_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def receiver() -> Any:
    with webhook_receiver() as running:
        yield running


def make_endpoint(organisation: Any, admin: Any, url: str, events: Any = None) -> Any:
    return webhook_create(
        organisation=organisation, name="Zaaksysteem", url=url, events=events or EVENTS, by=admin
    )


def complete(round_: Any, professional: Any) -> None:
    answer_round(round_, "professional", professional=professional, value=5)
    answer_round(round_, "client", value=1)


# -- Signing and checking -----------------------------------------------------------------


def test_a_signature_verifies_and_any_change_breaks_it():
    body = b'{"event":"round.completed"}'
    header = signature_header("whsec_s", 1_800_000_000, body)
    assert header.startswith("t=1800000000,v1=")
    assert verify_signature("whsec_s", header, body, now=1_800_000_010)
    assert not verify_signature("whsec_other", header, body, now=1_800_000_010)
    assert not verify_signature("whsec_s", header, body + b" ", now=1_800_000_010)
    forged = header.replace("t=1800000000", "t=1800000005")
    assert not verify_signature("whsec_s", forged, body, now=1_800_000_010)


def test_an_old_or_future_timestamp_is_a_replay():
    body = b"{}"
    header = signature_header("whsec_s", 1_800_000_000, body)
    assert verify_signature("whsec_s", header, body, now=1_800_000_300)
    assert not verify_signature("whsec_s", header, body, now=1_800_000_301)
    assert not verify_signature("whsec_s", header, body, now=1_799_999_699)


@pytest.mark.parametrize(
    "header",
    ["", "t=,v1=", "v1=abc", "t=1800000000", "t=abc,v1=00", "t=1800000000,v1=é", "garbage", None],
)
def test_a_malformed_header_is_refused(header):
    assert not verify_signature("whsec_s", header, b"{}", now=1_800_000_000)


def test_a_second_signature_is_accepted_beside_a_wrong_one():
    good = signature_header("whsec_s", 1_800_000_000, b"{}").split("v1=")[1]
    header = f"t=1800000000,v1={'0' * 64},v1={good}"
    assert verify_signature("whsec_s", header, b"{}", now=1_800_000_000)


# -- Endpoints ----------------------------------------------------------------------------


def test_only_the_admin_makes_an_endpoint_and_the_secret_is_stored_encrypted(
    organisation, org_admin, professional
):
    with pytest.raises(NotAnOrganisationAdmin):
        make_endpoint(organisation, professional, "https://hooks.example.org/am")
    with pytest.raises(InvalidWebhookEvents):
        make_endpoint(organisation, org_admin, "https://hooks.example.org/am", ["round.started"])
    endpoint, secret = make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    assert secret.startswith("whsec_")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored
    assert stored.startswith("enc1$")
    event = AuditEvent.objects.with_action(Action.WEBHOOK_CREATE).get()
    assert secret not in json.dumps(event.detail)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/am",
        "ftp://hooks.example.org/am",
        "https://user:pw@hooks.example.org/am",
        "https://127.0.0.1/am",
        "https://10.1.2.3/am",
        "https://[::1]/am",
        "https://[::ffff:127.0.0.1]/am",
        "https://169.254.169.254/latest/meta-data",
        "https://224.0.0.1/am",
        "https://0.0.0.0/am",
        "https:///am",
        "https://hooks.example.org:99999/am",
        "https://hooks.example.org/a m",
    ],
)
def test_an_unsafe_address_is_refused_when_made(organisation, org_admin, url):
    with pytest.raises(webhook_outbound.UnsafeWebhookUrl):
        make_endpoint(organisation, org_admin, url)


def test_public_addresses_are_public_and_the_rest_not():
    public = ["93.184.215.14", "2606:4700::1111", "1.1.1.1"]
    private = [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
    ]
    import ipaddress

    assert all(webhook_outbound.address_is_public(ipaddress.ip_address(a)) for a in public)
    assert not any(webhook_outbound.address_is_public(ipaddress.ip_address(a)) for a in private)


# -- Recording: same transaction, identifiers only, once ----------------------------------


def test_a_completed_round_records_one_delivery_with_identifiers_only(
    organisation, org_admin, professional, measurement_round, trajectory
):
    make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    answer_round(measurement_round, "professional", professional=professional, value=5)
    assert not WebhookDelivery.objects.exists()
    answer_round(measurement_round, "client", value=1)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "round.completed"
    assert delivery.object_uuid == measurement_round.uuid
    assert delivery.state == DeliveryState.PENDING
    body = json.loads(delivery_body(delivery))
    assert set(body) == {"id", "event", "created_at", "organisation", "trajectory", "round"}
    assert body["organisation"] == organisation.slug
    assert body["trajectory"] == str(trajectory.uuid)
    assert body["round"] == {"id": str(measurement_round.uuid), "state": "both_done"}
    text = json.dumps(body)
    # No answers, scores or names: not an item id, not the client's or professional's name.
    for item in measurement_round.instrument.items_for("client"):
        assert item.id not in text
    assert trajectory.client.display_name not in text
    assert professional.get_full_name() not in text
    assert "score" not in text

    # Another save of the completed round's state records nothing more.
    measurement_round.save(update_fields=["state", "updated_at"])
    assert WebhookDelivery.objects.count() == 1


def test_the_delivery_is_rolled_back_with_the_submit(
    organisation, org_admin, professional, measurement_round
):
    make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    answer_round(measurement_round, "professional", professional=professional)
    answer_round(measurement_round, "client", submit=False)

    class Undo(Exception):
        pass

    def submit_then_fail() -> None:
        with transaction.atomic():
            response_submit(round=measurement_round, rater="client")
            assert WebhookDelivery.objects.count() == 1
            raise Undo

    with pytest.raises(Undo):
        submit_then_fail()
    assert not WebhookDelivery.objects.exists()
    measurement_round.refresh_from_db()
    assert measurement_round.state == "professional_done"


def test_an_endpoint_gets_only_the_events_it_chose_of_its_own_organisation(
    organisation, org_admin, professional, measurement_round, other_organisation, outsider
):
    from alliantiemonitor.organisations.models import Membership

    Membership.objects.filter(user=outsider).update(role="org_admin")
    make_endpoint(organisation, org_admin, "https://hooks.example.org/s", ["signal.created"])
    make_endpoint(other_organisation, outsider, "https://hooks.example.org/o")
    complete(measurement_round, professional)
    assert not WebhookDelivery.objects.exists()


def test_a_new_signal_records_a_delivery_with_its_kind(
    organisation, org_admin, professional, measurement_round, trajectory
):
    make_endpoint(organisation, org_admin, "https://hooks.example.org/s", ["signal.created"])
    signal = Signal.objects.create(
        trajectory=trajectory,
        kind="not_discussed",
        round=measurement_round,
        detail="round 1",
        raised_at=timezone.now(),
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "signal.created"
    assert delivery.payload == {
        "organisation": organisation.slug,
        "trajectory": str(trajectory.uuid),
        "round": {"id": str(measurement_round.uuid), "state": measurement_round.state},
        # No kind: that follows from the answers, which an organisation-wide system may not
        # read (the API gives signals to tokens bound to a professional only).
        "signal": {"id": str(signal.uuid)},
    }
    assert "not_discussed" not in json.dumps(delivery.payload)
    # A change to the signal is no new event.
    signal.detail = "round 2"
    signal.save()
    assert WebhookDelivery.objects.count() == 1


def test_a_switched_off_endpoint_records_nothing_and_its_waiting_deliveries_fail(
    organisation, org_admin, professional, measurement_round
):
    endpoint, _secret = make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    webhook_deactivate(endpoint=endpoint, by=org_admin)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    complete(measurement_round, professional)
    assert WebhookDelivery.objects.count() == 1
    assert delivery_attempt(delivery_id=delivery.uuid) is None


def test_erasing_the_client_deletes_the_deliveries_about_them(
    organisation, org_admin, professional, measurement_round, trajectory
):
    from alliantiemonitor.trajectories.services import client_erase, client_reference

    endpoint, _secret = make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    complete(measurement_round, professional)
    test = webhook_test(endpoint=endpoint, by=org_admin)
    assert WebhookDelivery.objects.count() == 2
    client = trajectory.client
    result = client_erase(client=client, by=org_admin, confirmation=client_reference(client))
    assert list(WebhookDelivery.objects.all()) == [test]
    assert result["deleted"]["api.WebhookDelivery"] == 1


# -- Sending ------------------------------------------------------------------------------


def test_the_worker_sends_after_the_commit_with_a_valid_signature(
    organisation,
    org_admin,
    professional,
    measurement_round,
    allow_private,
    receiver,
    run_worker,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _endpoint, secret = make_endpoint(organisation, org_admin, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        complete(measurement_round, professional)
    job = DBTaskResult.objects.get(task_path="alliantiemonitor.api.tasks.webhook_deliver_job")
    delivery = WebhookDelivery.objects.get()
    assert job.args_kwargs["kwargs"] == {"delivery_id": str(delivery.uuid)}
    assert receiver.calls == []  # nothing is sent before the worker runs

    run_worker()

    [call] = receiver.calls
    assert call.path == "/hook"
    assert call.headers["Content-Type"] == "application/json"
    assert call.headers["Alliantiemonitor-Event"] == "round.completed"
    assert call.headers["Alliantiemonitor-Delivery"] == str(delivery.uuid)
    assert verify_signature(secret, call.headers[SIGNATURE_HEADER], call.body, now=time.time())
    late = time.time() + 301
    assert not verify_signature(secret, call.headers[SIGNATURE_HEADER], call.body, now=late)
    assert json.loads(call.body)["round"]["state"] == "both_done"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)
    assert AuditEvent.objects.with_action(Action.WEBHOOK_DELIVER).get().organisation == organisation
    # A second run of the same job sends nothing again.
    assert delivery_attempt(delivery_id=delivery.uuid) is None
    assert len(receiver.calls) == 1


def test_a_500_is_retried_with_a_doubling_wait_then_fails(
    organisation, org_admin, allow_private, receiver
):
    receiver.status = 500
    receiver.body = b"x" * 5000
    endpoint, _secret = make_endpoint(organisation, org_admin, receiver.url())
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    now = timezone.now()
    waits = []
    for attempt in range(1, WEBHOOK_MAX_ATTEMPTS + 1):
        # Not due a second early.
        if attempt > 1:
            early = now - dt.timedelta(seconds=1)
            assert delivery_attempt(delivery_id=delivery.uuid, now=early) is None
        state = delivery_attempt(delivery_id=delivery.uuid, now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        assert len(delivery.last_error) == 200
        if attempt < WEBHOOK_MAX_ATTEMPTS:
            assert state == "pending"
            waits.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at
        else:
            assert state == "failed"
            assert delivery.next_attempt_at is None
    assert waits == [60, 120, 240, 480, 960, 1920, 3840]
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert len(receiver.calls) == WEBHOOK_MAX_ATTEMPTS
    assert delivery_attempt(delivery_id=delivery.uuid, now=now + dt.timedelta(days=1)) is None


def test_a_time_out_is_retried_and_the_periodic_job_sends_it_later(
    organisation, org_admin, allow_private, receiver, monkeypatch
):
    monkeypatch.setattr(webhook_outbound, "WEBHOOK_TIMEOUT", 0.3)
    receiver.delay = 1.0
    endpoint, _secret = make_endpoint(organisation, org_admin, receiver.url())
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    assert delivery_attempt(delivery_id=delivery.uuid) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_status_code is None
    assert "timed out" in delivery.last_error

    receiver.delay = 0
    assert deliveries_retry_due(now=timezone.now()) == 0  # not due yet
    later = delivery.next_attempt_at
    assert deliveries_retry_due(now=later) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)


def test_an_answer_that_drips_in_is_cut_off(
    organisation, org_admin, allow_private, receiver, monkeypatch
):
    monkeypatch.setattr(webhook_outbound, "WEBHOOK_TIMEOUT", 0.3)
    receiver.drip = 0.1  # each wait is short, the whole answer would take five seconds
    endpoint, _secret = make_endpoint(organisation, org_admin, receiver.url())
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    started = time.monotonic()
    assert delivery_attempt(delivery_id=delivery.uuid) == "pending"
    assert time.monotonic() - started < 2.5
    delivery.refresh_from_db()
    assert "whole call" in delivery.last_error


def test_a_redirect_is_not_followed(organisation, org_admin, allow_private, receiver):
    receiver.status = 302
    receiver.location = receiver.url("/elsewhere")
    endpoint, _secret = make_endpoint(organisation, org_admin, receiver.url())
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    assert delivery_attempt(delivery_id=delivery.uuid) == "pending"
    assert [call.path for call in receiver.calls] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302


def _endpoint_written_around_the_check(organisation: Any, org_admin: Any, url: str) -> Any:
    endpoint, _secret = make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    type(endpoint).objects.filter(pk=endpoint.pk).update(url=url)
    return endpoint


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1:{port}/hook", "https://10.0.0.8/hook", "https://[::1]:{port}/hook"],
)
def test_without_the_allowance_internal_addresses_are_not_called(
    organisation, org_admin, receiver, url
):
    endpoint = _endpoint_written_around_the_check(
        organisation, org_admin, url.format(port=receiver.port)
    )
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    assert delivery_attempt(delivery_id=delivery.uuid) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_status_code is None
    assert delivery.last_error
    assert receiver.calls == []


def test_without_the_allowance_a_name_that_resolves_to_loopback_is_not_called(
    organisation, org_admin, receiver
):
    endpoint, _secret = make_endpoint(
        organisation, org_admin, f"https://localhost:{receiver.port}/hook"
    )
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    assert delivery_attempt(delivery_id=delivery.uuid) == "pending"
    delivery.refresh_from_db()
    # The same words as for a name that does not resolve: the list tells the admin nothing
    # about the server's own network (review finding).
    assert delivery.last_error == webhook_outbound.NOT_ALLOWED
    assert receiver.calls == []
    # Plain http is refused as well without the allowance.
    with pytest.raises(webhook_outbound.UnsafeWebhookUrl):
        webhook_outbound.post(receiver.url(), b"{}", {})


def test_a_name_resolving_to_any_internal_address_is_refused(monkeypatch):
    def answer(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", port)),
        ]

    monkeypatch.setattr(webhook_outbound.socket, "getaddrinfo", answer)
    with pytest.raises(webhook_outbound.WebhookCallFailed, match=webhook_outbound.NOT_ALLOWED):
        webhook_outbound.resolve("hooks.example.org", 443, private_allowed=False)
    assert webhook_outbound.resolve("hooks.example.org", 443, private_allowed=True) == (
        "93.184.215.14"
    )


def test_the_call_goes_to_the_address_that_was_checked(
    organisation, org_admin, allow_private, receiver, monkeypatch
):
    """The name is resolved once; the connection uses that address, the name only as Host."""
    looked_up = []
    real = socket.getaddrinfo

    def answer(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(host)
        if host == "hooks.example.org":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(webhook_outbound.socket, "getaddrinfo", answer)
    endpoint, _secret = make_endpoint(
        organisation, org_admin, f"http://hooks.example.org:{receiver.port}/hook"
    )
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    assert delivery_attempt(delivery_id=delivery.uuid) == "sent"
    assert looked_up.count("hooks.example.org") == 1
    assert receiver.calls[0].headers["Host"] == f"hooks.example.org:{receiver.port}"


def test_the_retry_job_is_registered_every_minute():
    job = periodic_job("webhooks.retry")
    assert job is not None
    assert job.every == dt.timedelta(minutes=1)


def test_one_test_event_at_a_time_and_a_cap_on_webhooks(organisation, org_admin):
    """An admin cannot pile up calls for the shared worker (review finding): a second test
    waits until the first was sent or failed, and an organisation has at most ten webhooks."""
    from alliantiemonitor.api.exceptions import TooManyWebhooks, WebhookTestPending
    from alliantiemonitor.api.services_webhooks import MAX_WEBHOOKS

    endpoint, _secret = make_endpoint(organisation, org_admin, "https://hooks.example.org/am")
    first = webhook_test(endpoint=endpoint, by=org_admin)
    with pytest.raises(WebhookTestPending):
        webhook_test(endpoint=endpoint, by=org_admin)
    assert WebhookDelivery.objects.count() == 1
    first.state = DeliveryState.SENT
    first.save(update_fields=["state"])
    webhook_test(endpoint=endpoint, by=org_admin)
    assert WebhookDelivery.objects.count() == 2

    for number in range(MAX_WEBHOOKS - 1):
        make_endpoint(organisation, org_admin, f"https://hooks.example.org/{number}")
    with (
        translation.override("en"),
        pytest.raises(TooManyWebhooks, match=f"at most {MAX_WEBHOOKS} "),
    ):
        make_endpoint(organisation, org_admin, "https://hooks.example.org/one-too-many")


def test_old_site_local_ipv6_addresses_are_not_public():
    import ipaddress

    assert not webhook_outbound.address_is_public(ipaddress.ip_address("fec0::1"))
    assert webhook_outbound.address_is_public(ipaddress.ip_address("2606:4700::1111"))


def test_a_failed_connection_keeps_no_exception_text(organisation, org_admin, allow_private):
    """A closed port and a refused TLS handshake read the same in the list (no port scanner)."""
    import socket as sockets

    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoint, _secret = make_endpoint(organisation, org_admin, f"http://127.0.0.1:{closed_port}/")
    delivery = webhook_test(endpoint=endpoint, by=org_admin)
    delivery_attempt(delivery_id=delivery.uuid)
    delivery.refresh_from_db()
    assert delivery.last_error == "no connection or no answer"
