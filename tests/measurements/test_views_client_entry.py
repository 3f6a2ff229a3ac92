"""How a client gets in by link or code, the friendly refusal, and reading back the results."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.services import (
    agreement_add,
    conversation_start,
    round_mark_discussed,
)
from alliantiemonitor.measurements.client_session import SESSION_KEY
from alliantiemonitor.measurements.models import Invitation, MeasurementRound, Response
from alliantiemonitor.measurements.services import (
    invitation_create,
    invitation_revoke,
    round_start,
)
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory, answer_round

pytestmark = pytest.mark.django_db

FRIENDLY = "Ask your professional for a new link or code."


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def submit(round_, rater, professional=None, value=4):
    answer_round(round_, rater, professional=professional, value=value)
    round_.refresh_from_db()


def discuss(round_, professional, agreement="Every two weeks we meet at the office."):
    submit(round_, "client", value=2)
    submit(round_, "professional", professional, value=4)
    conversation = conversation_start(round=round_, by=professional)
    agreement_add(conversation=conversation, text=agreement, by=professional)
    round_mark_discussed(round=round_, by=professional)
    round_.refresh_from_db()


def snapshot():
    """What a refused entry must not change (the audit log and attempt counter aside)."""
    return (
        list(Invitation.objects.values("pk", "last_used_at", "revoked_at")),
        list(Response.objects.values()),
        list(MeasurementRound.objects.values("pk", "state")),
    )


# --- Entry by link ---------------------------------------------------------------------------


def test_link_starts_the_session_and_drops_the_token(client, professional, measurement_round):
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    client.get(reverse("client:code"))  # a session that existed before the link was opened
    key_before = client.session.session_key

    response = client.get(reverse("client:link", kwargs={"token": token}))

    assert response.status_code == 302
    assert response["Location"] == reverse("client:start")
    assert token not in response["Location"]
    session = client.session
    assert session.session_key != key_before
    stored = dict(session[SESSION_KEY])
    assert stored.pop("entered_at")
    assert stored == {
        "round": str(measurement_round.uuid),
        "invitation": str(invitation.uuid),
        "mode": "own_device",
    }
    assert token not in str(dict(session))


@pytest.mark.parametrize("how", ["tampered", "expired", "revoked", "unknown"])
def test_a_link_that_does_not_work_gets_one_friendly_page(
    client, professional, measurement_round, how
):
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    if how == "tampered":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif how == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    elif how == "revoked":
        invitation_revoke(invitation=invitation, by=professional)
    else:
        token = "x" * 43
    before = snapshot()

    response = client.get(reverse("client:link", kwargs={"token": token}))

    assert response.status_code == 404
    html = response.content.decode()
    assert FRIENDLY in html
    assert "am-client" in html
    assert "am-nav" not in html
    for reason in ["expired", "revoked", "unknown", "tampered"]:
        assert reason not in html.lower()
    assert snapshot() == before
    assert SESSION_KEY not in client.session
    refusal = AuditEvent.objects.get(action="invitation.refuse")
    assert refusal.actor_kind == "client"
    assert token not in str(refusal.detail)


def test_every_refusal_reads_the_same(client, professional, measurement_round):
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    invitation_revoke(invitation=invitation, by=professional)
    revoked = client.get(reverse("client:link", kwargs={"token": token})).content
    unknown = Client(HTTP_ACCEPT_LANGUAGE="en").get("/m/" + "y" * 43 + "/").content
    # The language switch's CSRF token is random on every page and says nothing of the reason.
    assert _without_csrf(revoked) == _without_csrf(unknown)
    assert token.encode() not in revoked


def _without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


def test_link_after_the_client_has_sent_goes_to_done(client, professional, measurement_round):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    submit(measurement_round, "client")
    response = client.get(reverse("client:link", kwargs={"token": token}))
    assert response["Location"] == reverse("client:done")


# --- Entry by code ---------------------------------------------------------------------------


def test_code_page_is_easy_to_type_on(client):
    response = client.get(reverse("client:code"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Type the code you got from your professional" in html
    assert 'autocomplete="off"' in html
    assert 'autocapitalize="characters"' in html
    assert 'inputmode="text"' in html
    assert '<label class="utrecht-form-label" for="id_code">' in html


def test_a_typed_code_starts_the_session(client, professional, measurement_round):
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    response = client.post(reverse("client:code"), {"code": f"{code[:4].lower()}-{code[4:]}"})
    assert response.status_code == 302
    assert response["Location"] == reverse("client:start")
    assert client.session[SESSION_KEY]["invitation"] == str(invitation.uuid)


@pytest.mark.parametrize("how", ["wrong", "expired", "revoked"])
def test_a_code_that_does_not_work(client, professional, measurement_round, how):
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    if how == "expired":
        # No caller may make an invitation that is expired from the start: let time pass.
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=invitation.created_at - dt.timedelta(seconds=1)
        )
    if how == "wrong":
        code = "ACDEFGHJ" if code != "ACDEFGHJ" else "KMNPQRTU"
    elif how == "revoked":
        invitation_revoke(invitation=invitation, by=professional)
    before = snapshot()

    response = client.post(reverse("client:code"), {"code": code})

    assert response.status_code == 400
    html = response.content.decode()
    assert FRIENDLY in html
    assert 'role="alert"' in html
    assert code not in html  # a fresh form
    assert snapshot() == before
    assert SESSION_KEY not in client.session


def test_an_empty_code_asks_again_without_counting(client):
    response = client.post(reverse("client:code"), {"code": "  "})
    assert response.status_code == 400
    assert "Type the code first." in response.content.decode()
    assert not AuditEvent.objects.filter(action="invitation.refuse").exists()


# --- Reading back the results ----------------------------------------------------------------


def test_results_need_a_client_session(client):
    response = client.get(reverse("client:results"))
    assert response.status_code == 404
    assert FRIENDLY in response.content.decode()


def test_no_results_before_the_round_was_discussed(client, professional, measurement_round):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    client.get(reverse("client:link", kwargs={"token": token}))
    assert client.get(reverse("client:results"))["Location"] == reverse("client:start")

    submit(measurement_round, "client")
    submit(measurement_round, "professional", professional)
    # Both are done but the conversation has not been held: nothing to read back yet.
    assert client.get(reverse("client:results"))["Location"] == reverse("client:done")
    assert not AuditEvent.objects.filter(action="results.view").exists()


def test_the_link_shows_the_results_after_the_conversation(client, professional, measurement_round):
    # The results page speaks the client's language (here English, as the assertions read).
    client_record = measurement_round.trajectory.client
    client_record.preferred_language = "en"
    client_record.save()
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    discuss(measurement_round, professional)

    entered = client.get(reverse("client:link", kwargs={"token": token}))
    assert entered["Location"] == reverse("client:results")
    response = client.get(reverse("client:results"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Every two weeks we meet at the office." in html
    assert "All your answers" in html
    view = AuditEvent.objects.get(action="results.view")
    assert view.actor_kind == "client"
    assert view.actor is None
    assert view.object_uuid == measurement_round.uuid


def test_the_link_still_reads_back_after_its_fill_in_window(
    client, professional, measurement_round
):
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    discuss(measurement_round, professional)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=30)
    )

    entered = client.get(reverse("client:link", kwargs={"token": token}))
    assert entered["Location"] == reverse("client:results")
    assert client.get(reverse("client:results")).status_code == 200
    # The questionnaire stays shut: reading back is all an expired link does.
    assert client.get(reverse("client:fill")).status_code == 403

    # Revoking still ends it, for a new visit and for the open session.
    invitation_revoke(invitation=invitation, by=professional)
    assert client.get(reverse("client:results")).status_code == 404
    assert Client().get(reverse("client:link", kwargs={"token": token})).status_code == 404


def test_an_expired_link_of_an_undiscussed_round_stays_shut(
    client, professional, measurement_round
):
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    submit(measurement_round, "client")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert client.get(reverse("client:link", kwargs={"token": token})).status_code == 404


def test_a_client_session_of_one_round_cannot_reach_another(
    client, professional, measurement_round, organisation, team
):
    other_trajectory = trajectory_start(
        client=ClientFactory(organisation=organisation, display_name="B.W."),
        professional=professional,
        legal_frame="Jeugdreclassering",
        start_date=timezone.localdate(),
        team=team,
    )
    other_round = round_start(trajectory=other_trajectory, by=professional)
    _, token_a = invitation_create(round=measurement_round, kind="link", by=professional)
    discuss(measurement_round, professional, agreement="Agreement of round A")
    discuss(other_round, professional, agreement="Agreement of round B")

    client.get(reverse("client:link", kwargs={"token": token_a}))
    html = client.get(reverse("client:results")).content.decode()
    assert "Agreement of round A" in html
    assert "Agreement of round B" not in html
    assert "B.W." not in html
    # Staff addresses of the other round are closed to a client session.
    for url in [
        reverse("measurements:round_detail", kwargs={"uuid": other_round.uuid}),
        reverse("conversations:joint", kwargs={"uuid": other_round.uuid}),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_code_only_governs_entry_the_client_may_finish_after_it_expires(
    client, professional, measurement_round
):
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    client.post(reverse("client:code"), {"code": code})
    assert client.get(reverse("client:fill")).status_code == 200
    # The 30 minutes of the code pass while the client is still answering.
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(reverse("client:fill")).status_code == 200
    # A session that entered long ago does not live on for ever.
    session = client.session
    data = session[SESSION_KEY]
    data["entered_at"] = (timezone.now() - dt.timedelta(days=1)).isoformat()
    session[SESSION_KEY] = data
    session.save()
    assert client.get(reverse("client:fill")).status_code == 403
