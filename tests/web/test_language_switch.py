"""The language switch: on every page, back to a page that still shows what it showed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alliantiemonitor.measurements.client_session import SESSION_KEY
from alliantiemonitor.measurements.constants import ResponseMode
from alliantiemonitor.measurements.models import Invitation
from alliantiemonitor.measurements.services import invitation_create
from tests.factories import answer_round

pytestmark = pytest.mark.django_db

NEXT_RE = re.compile(r'action="/i18n/setlang/".*?name="next" value="([^"]*)"', re.S)
TOKEN_RE = re.compile(r"/m/([A-Za-z0-9_-]{40,})/")
CODE_RE = re.compile(r'am-secret--code"[^>]*><span>(\w{4})</span> <span>(\w{4})</span>')


def switch_next(html: str) -> str:
    """Where the language switch on this page sends the browser back to."""
    found = NEXT_RE.search(html)
    assert found, "the page has no language switch"
    return found.group(1).replace("&amp;", "&")


def switch_language(browser: Client, html: str, language: str) -> Any:
    """Press the language button on the page ``html`` and follow where it leads."""
    return browser.post(
        reverse("set_language"), {"language": language, "next": switch_next(html)}, follow=True
    )


def _client_session(browser: Client, round_: Any, professional: Any) -> None:
    invitation, _secret = invitation_create(round=round_, kind="link", by=professional)
    session = browser.session
    session[SESSION_KEY] = {
        "round": str(round_.uuid),
        "invitation": str(invitation.uuid),
        "mode": ResponseMode.OWN_DEVICE,
    }
    session.save()


# --------------------------------------------------------------------------- the link page


def test_switching_language_keeps_the_new_personal_link(client, professional, measurement_round):
    client.force_login(professional)
    made = client.post(
        reverse("measurements:invite_link", kwargs={"uuid": measurement_round.uuid}), follow=True
    )
    assert made.status_code == 200
    html = made.content.decode()
    token = TOKEN_RE.search(html).group(1)
    assert '<html lang="nl"' in html

    switched = switch_language(client, html, "en")
    assert switched.status_code == 200
    english = switched.content.decode()
    assert '<html lang="en"' in english
    assert f"/m/{token}/" in english
    assert "Personal link for" in english
    # Showing the page again made no second invitation.
    assert Invitation.objects.count() == 1


def test_switching_language_keeps_the_new_short_code(client, professional, measurement_round):
    client.force_login(professional)
    made = client.post(
        reverse("measurements:invite_code", kwargs={"uuid": measurement_round.uuid}), follow=True
    )
    html = made.content.decode()
    code = CODE_RE.search(html).groups()

    switched = switch_language(client, html, "en")
    assert switched.status_code == 200
    assert CODE_RE.search(switched.content.decode()).groups() == code
    assert Invitation.objects.count() == 1


def test_the_shown_link_is_for_this_browser_and_user_only(
    client, professional, colleague, measurement_round
):
    client.force_login(professional)
    made = client.post(reverse("measurements:invite_link", kwargs={"uuid": measurement_round.uuid}))
    assert made.status_code == 302
    page = made["Location"]
    assert client.get(page).status_code == 200
    assert "no-store" in client.get(page)["Cache-Control"]

    # Another browser of the same professional never got the link: it is not shown there.
    other = Client()
    other.force_login(professional)
    elsewhere = other.get(page)
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == reverse(
        "measurements:round_detail", kwargs={"uuid": measurement_round.uuid}
    )


def test_a_revoked_link_is_no_longer_shown(client, professional, measurement_round):
    client.force_login(professional)
    page = client.post(
        reverse("measurements:invite_link", kwargs={"uuid": measurement_round.uuid})
    )["Location"]
    invitation = Invitation.objects.get()
    client.post(
        reverse(
            "measurements:revoke",
            kwargs={"uuid": measurement_round.uuid, "invitation": invitation.uuid},
        )
    )
    gone = client.get(page)
    assert gone.status_code == 302
    assert TOKEN_RE.search(client.get(gone["Location"]).content.decode()) is None


def test_the_link_is_not_kept_on_the_server(client, professional, measurement_round):
    from django.contrib.sessions.models import Session

    client.force_login(professional)
    made = client.post(
        reverse("measurements:invite_link", kwargs={"uuid": measurement_round.uuid}), follow=True
    )
    token = TOKEN_RE.search(made.content.decode()).group(1)
    stored = [str(s.get_decoded()) for s in Session.objects.all()]
    assert not any(token in text for text in stored)


# --------------------------------------------------------------------------- other pages


def test_a_form_page_posted_with_errors_switches_back_to_where_the_form_was(
    client, professional, measurement_round
):
    answer_round(measurement_round, "client", value=3)
    answer_round(measurement_round, "professional", professional=professional, value=3)
    client.force_login(professional)
    joint = reverse("conversations:joint", kwargs={"uuid": measurement_round.uuid})
    refused = client.post(
        reverse("conversations:agreement_add", kwargs={"uuid": measurement_round.uuid}),
        {"text": ""},
        HTTP_REFERER=f"http://testserver{joint}",
    )
    assert refused.status_code in (200, 400)
    assert switch_next(refused.content.decode()) == joint


def test_a_posted_page_without_a_usable_referer_switches_to_the_start_page(client, professional):
    client.force_login(professional)
    refused = client.post(reverse("trajectories:new"), {}, HTTP_REFERER="https://evil.example/")
    assert switch_next(refused.content.decode()) in (reverse("trajectories:new"), "/")


@pytest.mark.parametrize("name", ["start", "fill", "confirm"])
def test_client_questionnaire_pages_have_the_switch(client, professional, measurement_round, name):
    _client_session(client, measurement_round, professional)
    html = client.get(reverse(f"client:{name}")).content.decode()
    assert switch_next(html) == reverse(f"client:{name}")


def test_the_client_done_page_has_the_switch(client, professional, measurement_round):
    _client_session(client, measurement_round, professional)
    answer_round(measurement_round, "client", value=4)
    done = client.get(reverse("client:done"))
    assert done.status_code == 200
    assert switch_next(done.content.decode()) == reverse("client:done")
    switched = switch_language(client, done.content.decode(), "en")
    assert switched.redirect_chain[-1][0] == reverse("client:done")
    assert "Your answers have been sent" in switched.content.decode()


def test_the_client_results_page_has_the_switch(client, professional, measurement_round):
    from alliantiemonitor.conversations.services import conversation_start, round_mark_discussed

    invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    assert invitation
    answer_round(measurement_round, "client", value=4)
    answer_round(measurement_round, "professional", professional=professional, value=4)
    conversation = conversation_start(round=measurement_round, by=professional)
    assert conversation
    round_mark_discussed(round=measurement_round, by=professional)
    entered = client.get(f"/m/{token}/", follow=True)
    assert entered.status_code == 200
    html = entered.content.decode()
    assert switch_next(html) == entered.redirect_chain[-1][0]


@pytest.mark.parametrize("path", ["/m/code/", "/bestaat-niet/", "/m/start/"])
def test_light_pages_without_a_session_have_the_switch(client, path):
    html = client.get(path).content.decode()
    assert switch_next(html) == path


def test_the_switch_sets_the_language_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/m/code/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_switch_on_a_refused_link_does_not_go_back_to_the_token(client):
    # Going back would show the token in the page and count as another wrong try.
    token = "y" * 43
    html = client.get(f"/m/{token}/").content.decode()
    assert token not in html
    assert switch_next(html) == reverse("client:code")
