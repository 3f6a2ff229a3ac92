"""The round page, inviting the client (link, code, hand-over) and the hand-over lock."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.core.domains import default_domains
from alliantiemonitor.measurements.client_session import HANDOVER_KEY, SESSION_KEY
from alliantiemonitor.measurements.models import Invitation
from alliantiemonitor.measurements.services import (
    invitation_create,
    response_save_answers,
)
from tests.factories import PASSWORD, answer_round

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"/m/([A-Za-z0-9_-]{40,})/")


def detail_url(round_):
    return reverse("measurements:round_detail", kwargs={"uuid": round_.uuid})


def submit(round_, rater, professional=None, value=4):
    answer_round(round_, rater, professional=professional, value=value)
    round_.refresh_from_db()


def item_texts(round_, rater):
    """How the statements read on screen, in both languages (to look for leaks)."""
    texts = []
    for language in ["nl", "en"]:
        vocabulary = default_domains().vocabulary(round_.domain, language)
        texts += [
            item.display_text(language, vocabulary) for item in round_.instrument.items_for(rater)
        ]
    return texts


@pytest.fixture(autouse=True)
def english(client):
    """The pages in their source language, so that the tests read what the code says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def browser():
    """A second, separate browser (the client's phone)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- The round page -------------------------------------------------------------------------


def test_round_page_for_the_professional(client, professional, measurement_round):
    client.force_login(professional)
    response = client.get(detail_url(measurement_round))

    assert response.status_code == 200
    html = response.content.decode()
    assert "K.V." in html
    assert "Alliance monitor — standard, version 1.0.0" in html
    assert measurement_round.instrument_ref not in html
    assert reverse("measurements:fill", kwargs={"uuid": measurement_round.uuid}) in html
    assert reverse("measurements:invite_link", kwargs={"uuid": measurement_round.uuid}) in html
    assert reverse("measurements:invite_code", kwargs={"uuid": measurement_round.uuid}) in html
    assert reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid}) in html
    assert AuditEvent.objects.filter(
        action="round.view", actor=professional, object_uuid=measurement_round.uuid
    ).exists()


@pytest.mark.parametrize("persona", ["colleague", "outsider", "team_lead", "researcher"])
def test_round_page_is_hidden_from_everyone_else(request, client, persona, measurement_round):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(detail_url(measurement_round)).status_code == 404
    for name in ["invite_link", "invite_code", "hand_over_device"]:
        url = reverse(f"measurements:{name}", kwargs={"uuid": measurement_round.uuid})
        assert client.post(url).status_code == 404
    assert not Invitation.objects.exists()
    assert SESSION_KEY not in client.session


def test_round_page_needs_a_login(client, measurement_round):
    response = client.get(detail_url(measurement_round))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_professional_never_sees_the_client_answers_before_both_are_done(
    client, professional, measurement_round
):
    submit(measurement_round, "client", value=1)
    client.force_login(professional)
    html = client.get(detail_url(measurement_round)).content.decode()

    assert "Yes, on" in html
    assert "Not yet" in html
    for text in item_texts(measurement_round, "client"):
        assert text not in html
    assert reverse("conversations:joint", kwargs={"uuid": measurement_round.uuid}) not in html
    # The client has sent: no more invitations, the professional can still fill in.
    assert "Invite the client" not in html
    assert reverse("measurements:fill", kwargs={"uuid": measurement_round.uuid}) in html

    submit(measurement_round, "professional", professional)
    html = client.get(detail_url(measurement_round)).content.decode()
    assert reverse("conversations:joint", kwargs={"uuid": measurement_round.uuid}) in html
    for text in item_texts(measurement_round, "client"):
        assert text not in html


# --- Personal link and short code ------------------------------------------------------------


def all_stored_text():
    """Everything a leak could hide in: sessions, invitations and the audit log."""
    sessions = [str(s.get_decoded()) + s.session_data for s in Session.objects.all()]
    invitations = [str(v) for v in Invitation.objects.values()]
    audit = [str(v) for v in AuditEvent.objects.values()]
    return "\n".join(sessions + invitations + audit)


def test_personal_link_is_shown_once_and_not_stored(client, professional, measurement_round):
    client.force_login(professional)
    url = reverse("measurements:invite_link", kwargs={"uuid": measurement_round.uuid})
    # Made with a POST, shown on a page of its own (so a reload makes no second one).
    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = TOKEN_RE.search(html).group(1)
    assert f"http://testserver/m/{token}/" in html
    assert 'data-copy-target="invite-url"' in html
    assert Invitation.objects.get().kind == "link"
    assert token not in all_stored_text()

    # The link works in another browser and leaves the address bar at once.
    other = browser()
    entered = other.get(f"/m/{token}/")
    assert entered.status_code == 302
    assert entered["Location"] == reverse("client:start")
    assert token not in all_stored_text()


def test_the_round_page_lists_and_revokes_invitations(
    client, professional, colleague, measurement_round
):
    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    revoke_url = reverse(
        "measurements:revoke",
        kwargs={"uuid": measurement_round.uuid, "invitation": invitation.uuid},
    )
    client.force_login(colleague)
    assert client.post(revoke_url).status_code == 404

    client.force_login(professional)
    html = client.get(detail_url(measurement_round)).content.decode()
    assert revoke_url in html
    response = client.post(revoke_url, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(measurement_round)
    assert "The invitation no longer works." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert revoke_url not in response.content.decode()

    other = browser()
    refused = other.get(f"/m/{token}/")
    assert refused.status_code == 404
    assert SESSION_KEY not in other.session


def test_short_code_is_shown_large_and_grouped(client, professional, measurement_round):
    client.force_login(professional)
    url = reverse("measurements:invite_code", kwargs={"uuid": measurement_round.uuid})
    # Made with a POST, shown on a page of its own (so a reload makes no second one).
    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    groups = re.search(r'am-secret--code"[^>]*><span>(\w{4})</span> <span>(\w{4})</span>', html)
    code = groups.group(1) + groups.group(2)
    assert "http://testserver/m/code/" in html
    assert "30 minutes" in html
    assert Invitation.objects.get().kind == "code"
    assert code not in all_stored_text()

    other = browser()
    entered = other.post(reverse("client:code"), {"code": f"{groups.group(1)} {groups.group(2)}"})
    assert entered.status_code == 302
    assert entered["Location"] == reverse("client:start")


def test_no_invitation_once_the_client_has_sent(client, professional, measurement_round):
    submit(measurement_round, "client")
    client.force_login(professional)
    for name in ["invite_link", "invite_code", "hand_over_device"]:
        url = reverse(f"measurements:{name}", kwargs={"uuid": measurement_round.uuid})
        response = client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == detail_url(measurement_round)
        assert "No invitation can be made" in response.content.decode()
    assert not Invitation.objects.exists()
    assert HANDOVER_KEY not in client.session


# --- Hand over this device -------------------------------------------------------------------


@pytest.fixture
def handed_over(client, professional, measurement_round):
    client.force_login(professional)
    url = reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("client:start")
    return client


def test_hand_over_starts_a_locked_client_session(handed_over, professional, measurement_round):
    session = handed_over.session
    assert session[SESSION_KEY]["mode"] == "handed_over_device"
    assert session[SESSION_KEY]["round"] == str(measurement_round.uuid)
    assert session[HANDOVER_KEY]["user"] == professional.pk
    assert AuditEvent.objects.filter(action="round.hand_over_device").exists()


def test_the_lock_holds_for_every_staff_page(
    handed_over, professional, measurement_round, trajectory
):
    start = reverse("client:start")
    _invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    staff_urls = [
        reverse("home"),
        reverse("trajectories:caseload"),
        reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}),
        detail_url(measurement_round),
        reverse("measurements:fill", kwargs={"uuid": measurement_round.uuid}),
        reverse("admin:index"),
        "/metingen/00000000-0000-0000-0000-000000000000/",
        "/does-not-exist/",
        # Entering another link or code would leave the hand-over: not while locked.
        reverse("client:code"),
        f"/m/{token}/",
    ]
    for url in staff_urls:
        response = handed_over.get(url)
        assert (response.status_code, response["Location"]) == (302, start), url
    # Not even logging out or starting another hand-over escapes.
    assert handed_over.post(reverse("logout"))["Location"] == start
    hand_over = reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid})
    assert handed_over.post(hand_over)["Location"] == start
    assert handed_over.session.get("_auth_user_id") == str(professional.pk)
    assert HANDOVER_KEY in handed_over.session
    # The client pages themselves are open.
    assert handed_over.get(start).status_code == 200
    assert handed_over.get(reverse("client:return")).status_code == 200


def test_a_wrong_password_does_not_unlock(handed_over, measurement_round):
    response = handed_over.post(reverse("client:return"), {"password": "not-the-password"})
    assert response.status_code == 400
    assert "That password is not right" in response.content.decode()
    assert "not-the-password" not in response.content.decode()
    assert HANDOVER_KEY in handed_over.session
    assert handed_over.get(detail_url(measurement_round))["Location"] == reverse("client:start")

    empty = handed_over.post(reverse("client:return"), {"password": ""})
    assert empty.status_code == 400
    assert HANDOVER_KEY in handed_over.session


def test_the_password_gives_the_device_back(handed_over, measurement_round):
    response = handed_over.post(reverse("client:return"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == detail_url(measurement_round)
    assert HANDOVER_KEY not in handed_over.session
    assert SESSION_KEY not in handed_over.session
    assert handed_over.get(detail_url(measurement_round)).status_code == 200
    assert AuditEvent.objects.filter(action="round.hand_back").exists()


def test_guessing_the_password_is_slowed_down(handed_over):
    # The login's lockout policy: the fifth wrong password locks, as on the login page.
    for _ in range(4):
        assert handed_over.post(reverse("client:return"), {"password": "guess"}).status_code == 400
    assert handed_over.post(reverse("client:return"), {"password": "guess"}).status_code == 429
    blocked = handed_over.post(reverse("client:return"), {"password": PASSWORD})
    assert blocked.status_code == 429
    assert HANDOVER_KEY in handed_over.session


def test_return_page_without_a_hand_over(client, professional):
    client.force_login(professional)
    assert client.get(reverse("client:return"))["Location"] == reverse("home")


def test_no_hand_over_while_the_client_has_started_on_their_own_device(
    client, professional, measurement_round, instrument
):

    item = instrument.items_for("client")[0].id
    response_save_answers(
        round=measurement_round, rater="client", answers={item: 1}, mode="own_device"
    )
    client.force_login(professional)
    response = client.post(
        reverse("measurements:hand_over_device", args=[measurement_round.uuid]), follow=True
    )
    # Back on the round page with a message, and this browser is not the client's screen.
    assert response.redirect_chain[-1][0].endswith(f"/metingen/{measurement_round.uuid}/")
    assert SESSION_KEY not in client.session
    assert HANDOVER_KEY not in client.session
