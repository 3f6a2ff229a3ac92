"""The privacy officer's pages: the clients, "who saw my data?" (page and CSV), erasure."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.verify import verify_chain
from alliantiemonitor.trajectories.models import Client
from alliantiemonitor.trajectories.services import client_reference
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_admin(other_organisation):
    user = UserFactory(username="beheer.elders", is_staff=True)
    MembershipFactory(user=user, organisation=other_organisation, role="org_admin")
    return user


def _urls(client_record) -> list[str]:
    return [
        reverse(name, args=[client_record.uuid])
        for name in (
            "trajectories:privacy_trail",
            "trajectories:privacy_trail_csv",
            "trajectories:privacy_erase",
        )
    ]


def test_client_list_for_the_organisation_admin(client, org_admin, trajectory, other_admin):
    client.force_login(org_admin)
    response = client.get(reverse("trajectories:privacy_clients"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "K.V." in page
    assert client_reference(trajectory.client) in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor) == ("privacy.client_list_view", org_admin)

    assert (
        "K.V."
        not in client.get(reverse("trajectories:privacy_clients"), {"q": "zz"}).content.decode()
    )
    client.force_login(other_admin)
    assert "K.V." not in client.get(reverse("trajectories:privacy_clients")).content.decode()


@pytest.mark.parametrize("persona", ["professional", "team_lead", "researcher", "outsider"])
def test_client_list_refused_to_other_roles(client, request, persona, client_record):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("trajectories:privacy_clients")).status_code == 403


def test_anonymous_is_sent_to_login(client, client_record):
    for url in [reverse("trajectories:privacy_clients"), *_urls(client_record)]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/inloggen/" in response["Location"]


@pytest.mark.parametrize(
    "persona", ["professional", "team_lead", "researcher", "outsider", "other_admin"]
)
def test_client_pages_are_404_for_everyone_but_its_admin(client, request, persona, client_record):
    client.force_login(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    for url in _urls(client_record):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            _urls(client_record)[2], {"reference": client_reference(client_record)}
        ).status_code
        == 404
    )
    assert Client.objects.filter(pk=client_record.pk).exists()
    assert AuditEvent.objects.count() == before


def test_trail_shows_who_saw_what_from_where(client, org_admin, professional, trajectory):
    browser = client
    browser.force_login(professional)
    browser.get(
        reverse("trajectories:hand_over", args=[trajectory.uuid]),
        HTTP_USER_AGENT="Testbrowser/2.0",
        REMOTE_ADDR="198.51.100.4",
    )
    browser.force_login(org_admin)
    response = browser.get(reverse("trajectories:privacy_trail", args=[trajectory.client.uuid]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pim Jansen (pro.jansen)" in page
    assert "trajectory.view" in page
    assert "198.51.100.4" in page
    assert "Testbrowser/2.0" in page
    # The look itself is on the trail, and in the client's own trail.
    assert "privacy.trail_view" in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.client, event.actor) == (
        "privacy.trail_view",
        trajectory.client,
        org_admin,
    )


def test_trail_csv_has_every_event_and_no_formulas(client, org_admin, professional, trajectory):
    client.force_login(professional)
    client.get(
        reverse("trajectories:hand_over", args=[trajectory.uuid]),
        HTTP_USER_AGENT='=HYPERLINK("http://example.org")',
    )
    client.force_login(org_admin)
    response = client.get(reverse("trajectories:privacy_trail_csv", args=[trajectory.client.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    events = AuditEvent.objects.filter(client=trajectory.client)
    assert len(rows) == 1 + events.count()
    assert rows[1][3] == "privacy.trail_export"
    assert any(row[7] == '\'=HYPERLINK("http://example.org")' for row in rows[1:])


def test_erase_asks_for_the_reference_then_erases(client, org_admin, trajectory):
    target = trajectory.client
    url = reverse("trajectories:privacy_erase", args=[target.uuid])
    client.force_login(org_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert client_reference(target) in page.content.decode()
    assert AuditEvent.objects.order_by("-seq").first().action == "privacy.erase_view"

    wrong = client.post(url, {"reference": "K.V."})
    assert wrong.status_code == 200
    assert Client.objects.filter(pk=target.pk).exists()
    assert "Typ het kenmerk van de cliënt precies" in wrong.content.decode()
    assert client.post(url, {"reference": ""}).status_code == 200
    assert Client.objects.filter(pk=target.pk).exists()

    done = client.post(url, {"reference": client_reference(target)})
    assert done.status_code == 302
    assert done["Location"] == reverse("trajectories:privacy_clients")
    assert not Client.objects.filter(pk=target.pk).exists()
    assert AuditEvent.objects.filter(action="client.erase", actor=org_admin).count() == 1
    assert verify_chain().intact
    assert client.get(url).status_code == 404


def test_a_search_with_control_characters_finds_by_the_rest(client, org_admin, trajectory):
    """A NUL in the search made PostgreSQL refuse the query: a 500 (found by hypothesis)."""
    client.force_login(org_admin)
    name = trajectory.client.display_name
    response = client.get(reverse("trajectories:privacy_clients"), {"q": f"\x00{name}\x07"})
    assert response.status_code == 200
    assert name in response.content.decode()
