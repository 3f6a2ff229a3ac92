"""The conversation summary PDF the client takes home (the PDF is parsed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliantiemonitor.conversations import services as conversations
from alliantiemonitor.measurements.services import round_start
from alliantiemonitor.trajectories.services import client_enrol
from tests.factories import answer_round
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def url(round_):
    return reverse("conversations:summary", args=[round_.uuid])


@pytest.fixture
def talked(measurement_round, professional):
    answer_round(measurement_round, "client", value=5)
    answer_round(measurement_round, "professional", professional=professional, value=1)
    measurement_round.refresh_from_db()
    conversation = conversations.conversation_start(round=measurement_round, by=professional)
    conversations.agreement_add(
        conversation=conversation, text="We bellen elke maandag om tien uur.", by=professional
    )
    return measurement_round


def test_the_summary_has_both_views_the_topics_and_the_agreements_in_order(
    client, professional, talked, instrument
):
    client.force_login(professional)
    response = client.get(url(talked))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    headings = [
        "Hoe jullie het allebei zien",
        "Waar jullie over praatten",
        "Wat we hebben afgesproken",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "We bellen elke maandag om tien uur." in text
    assert "5,0 van de 5" in text
    assert "1,0 van de 5" in text
    first_characteristic = instrument.characteristics[0].name["nl"]
    assert first_characteristic in text
    assert "Hier zien jullie het anders." in text  # 5 against 1: far apart
    # Topics: the client's statements, with both answers in plain words.
    item = instrument.items_for("client")[0]
    assert item.display_text("nl", talked.vocabulary("nl"))[:30] in text
    assert "Helemaal eens" in text
    assert "Helemaal oneens" in text


def test_no_other_persons_data(client, professional, talked, organisation, trajectory):
    other = client_enrol(
        organisation=organisation,
        professional=professional,
        display_name="Z.Q.",
        legal_frame="Toezicht",
        start_date=trajectory.start_date,
    )
    other_round = round_start(trajectory=other, by=professional)
    answer_round(other_round, "client", value=3)
    answer_round(other_round, "professional", professional=professional, value=3)
    other_conversation = conversations.conversation_start(round=other_round, by=professional)
    conversations.agreement_add(
        conversation=other_conversation, text="Andere afspraak van iemand anders.", by=professional
    )
    client.force_login(professional)
    text = pdf_text(client.get(url(talked)).content)
    assert "Andere afspraak" not in text
    assert "Z.Q." not in text
    assert "K.V." not in text
    assert professional.last_name not in text


def test_the_summary_speaks_the_clients_language(client, professional, talked, client_record):
    client_record.preferred_language = "en"
    client_record.save()
    client.force_login(professional)
    text = pdf_text(client.get(url(talked)).content)
    assert "What we agreed" in text
    assert "5.0 out of 5" in text


def test_no_summary_before_both_are_done(client, professional, measurement_round):
    answer_round(measurement_round, "professional", professional=professional)
    client.force_login(professional)
    response = client.get(url(measurement_round))
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:joint", args=[measurement_round.uuid])


@pytest.mark.parametrize("who", ["colleague", "outsider", "team_lead"])
def test_others_get_nothing(client, request, who, talked):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(talked)).status_code == 404


def test_the_client_downloads_the_same_summary_from_their_results_page(
    client, professional, measurement_round
):
    from alliantiemonitor.audit.models import AuditEvent
    from alliantiemonitor.measurements.services import invitation_create

    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    answer_round(measurement_round, "client", value=5)
    answer_round(measurement_round, "professional", professional=professional, value=1)
    conversation = conversations.conversation_start(round=measurement_round, by=professional)
    conversations.agreement_add(
        conversation=conversation, text="We bellen elke maandag om tien uur.", by=professional
    )
    conversations.round_mark_discussed(round=measurement_round, by=professional)

    assert client.get(reverse("client:link", kwargs={"token": token})).status_code == 302
    results = client.get(reverse("client:results"), HTTP_ACCEPT_LANGUAGE="nl")
    page = results.content.decode()
    assert "Samenvatting downloaden (PDF)" in page
    assert reverse("client:results_summary") in page

    before = AuditEvent.objects.count()
    response = client.get(reverse("client:results_summary"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.content)
    assert "We bellen elke maandag om tien uur." in text
    assert "Wat we hebben afgesproken" in text
    assert "K.V." not in text
    (event,) = AuditEvent.objects.order_by("pk")[before:]
    assert (event.action, event.actor_kind, event.actor_id) == (
        "results_summary.view",
        "client",
        None,
    )
    assert event.client_id == measurement_round.trajectory.client_id


def test_the_client_gets_no_summary_before_the_results_are_open(
    client, professional, measurement_round
):
    from alliantiemonitor.measurements.services import invitation_create

    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    client.get(reverse("client:link", kwargs={"token": token}))
    response = client.get(reverse("client:results_summary"))
    assert response.status_code == 302
    assert response["Location"] != reverse("client:results_summary")
    assert response.get("Content-Type", "") != "application/pdf"


def test_a_staff_browser_cannot_download_the_clients_summary(client, professional, talked):
    client.force_login(professional)
    assert client.get(reverse("client:results_summary")).status_code == 403
