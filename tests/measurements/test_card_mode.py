"""The card game: a presentation of the same questionnaire (same form, same save, same send)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alliantiemonitor.measurements.constants import Presentation, Rater
from alliantiemonitor.measurements.services import response_save_answers, round_start
from tests.factories import full_answers
from tests.measurements.test_views_fill import _client_response, _client_session

pytestmark = pytest.mark.django_db

FILL = "/m/invullen/"
CARDS = f"{FILL}?weergave=kaarten"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_page(client, measurement_round, professional):
    _client_session(client, measurement_round, professional)
    return client


def _items(instrument: Any, rater: str = Rater.CLIENT) -> list[Any]:
    return list(instrument.items_for(rater))


def _post_all(page: Any, url: str, instrument: Any, flag: str | None = None) -> Any:
    data: dict[str, Any] = {
        f"answer-{item.id}": str(n % 5 + 1) for n, item in enumerate(_items(instrument))
    }
    data[f"answer-{_items(instrument)[-1].id}"] = "skip"
    if flag:
        data["flag"] = [flag]
    data["action"] = "save"
    return page.post(url, data)


def test_card_page_has_cards_piles_and_a_plain_form(client_page, instrument):
    page = client_page.get(CARDS)
    assert page.status_code == 200
    html = page.content.decode()
    items = _items(instrument)
    # Every statement a card, each a fieldset of radio buttons the form sends without a script.
    assert html.count('data-card="') == len(items)
    assert html.count('type="radio"') == len(items) * 6
    assert html.count('name="flag"') == len(items)
    # The piles: five answers and "don't know", with faces and words, and the aside pile.
    assert html.count("data-pile-button") == 7
    assert html.count('<use href="#am-pic-face-') == len(items) * 5 + 5
    assert 'id="am-pic-face-1"' in html
    assert "Helemaal eens" in html or "eens" in html.lower()
    assert "measurements/js/cards.bundle" in html
    assert "measurements/js/fill.bundle" not in html
    # The table is laid by the script; without it the page is the form with its buttons.
    assert "data-table hidden" in html
    assert 'value="review"' in html
    assert 'value="save"' in html
    assert 'aria-live="polite"' in html
    # The way back to the list.
    assert "?weergave=lijst" in html


def test_list_page_offers_the_card_game_and_is_unchanged(client_page, instrument):
    html = client_page.get(FILL).content.decode()
    assert "?weergave=kaarten" in html
    assert "data-card=" not in html
    assert "measurements/js/fill.bundle" in html


def test_the_choice_is_remembered_for_the_side(client_page):
    client_page.get(CARDS)
    assert b"data-cards" in client_page.get(FILL).content
    client_page.get(f"{FILL}?weergave=lijst")
    assert b"data-cards" not in client_page.get(FILL).content


def test_an_unknown_word_changes_nothing(client_page):
    client_page.get(CARDS)
    assert b"data-cards" in client_page.get(f"{FILL}?weergave=%3Cscript%3E").content


@pytest.mark.parametrize(
    ("word", "presentation"), [("kaarten", Presentation.CARDS), ("lijst", Presentation.LIST)]
)
def test_card_post_saves_exactly_like_the_list(
    client_page, measurement_round, instrument, word, presentation
):
    items = _items(instrument)
    flag = items[2].id
    client_page.get(f"{FILL}?weergave={word}")
    assert _post_all(client_page, FILL, instrument, flag=flag).status_code == 302
    response = _client_response(measurement_round)
    expected = {item.id: n % 5 + 1 for n, item in enumerate(items)}
    expected[items[-1].id] = None  # "don't know": not answered
    assert response.answers == expected
    assert response.flagged == [flag]
    assert response.presentation == presentation


def test_the_aside_flag_round_trips(client_page, measurement_round, instrument):
    item = _items(instrument)[4]
    client_page.get(CARDS)
    # Aside with no answer yet: the flag alone.
    client_page.post(FILL, {"flag": [item.id], "action": "save"})
    response = _client_response(measurement_round)
    assert response.flagged == [item.id]
    assert item.id not in response.answers
    html = client_page.get(FILL).content.decode()
    assert f'id="flag-{item.id}" name="flag" value="{item.id}" checked' in html
    # Taken back: the flag goes, an answer stays.
    client_page.post(FILL, {f"answer-{item.id}": "2", "action": "save"})
    assert _client_response(measurement_round).flagged == []
    assert _client_response(measurement_round).answers[item.id] == 2


def test_autosave_from_the_card_page(client_page, measurement_round, instrument):
    item = _items(instrument)[0]
    client_page.get(CARDS)
    page = client_page.post(FILL, {f"answer-{item.id}": "4"}, **HTMX)
    assert page.status_code == 200
    assert _client_response(measurement_round).answers == {item.id: 4}


def test_switching_keeps_the_answers(client_page, measurement_round, instrument):
    item = _items(instrument)[1]
    client_page.get(CARDS)
    client_page.post(FILL, {f"answer-{item.id}": "5", "action": "save"})
    html = client_page.get(f"{FILL}?weergave=lijst").content.decode()
    assert f'id="answer-{item.id}-5" name="answer-{item.id}" value="5" checked' in html
    response = _client_response(measurement_round)
    client_page.post(FILL, {f"answer-{_items(instrument)[0].id}": "1", "action": "save"})
    response.refresh_from_db()
    assert response.answers == {item.id: 5, _items(instrument)[0].id: 1}
    assert response.presentation == Presentation.LIST


def test_card_page_sends_through_the_same_summary(client_page, measurement_round, instrument):
    client_page.get(CARDS)
    page = client_page.post(FILL, {f"answer-{_items(instrument)[0].id}": "3", "action": "review"})
    assert page["Location"] == reverse("client:confirm")
    confirm = client_page.get(reverse("client:confirm")).content.decode()
    assert f'href="{FILL}"' in confirm
    client_page.post(reverse("client:confirm"))
    client_page.post(reverse("client:confirm"))  # a double click: still one submission
    response = _client_response(measurement_round)
    assert response.is_submitted
    assert measurement_round.responses.by_rater(Rater.CLIENT).count() == 1


def test_easy_read_cards_lay_every_statement_with_its_pictogram(client, trajectory, professional):
    easy = round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")
    _client_session(client, easy, professional)
    html = client.get(CARDS).content.decode()
    items = list(easy.instrument.items_for(Rater.CLIENT))
    assert html.count('data-card="') == len(items)  # all at once, not one per screen
    assert html.count("am-statement__pictogram") == len(items)
    assert "vraag=" not in html
    # The way back is to one statement at a time.
    assert "?weergave=lijst" in html
    confirm = client.get(reverse("client:confirm")).content.decode()
    assert "vraag=" not in confirm


def test_professional_cards_have_no_aside(client, measurement_round, professional, instrument):
    client.force_login(professional)
    url = reverse("measurements:fill", args=[measurement_round.uuid])
    html = client.get(f"{url}?weergave=kaarten").content.decode()
    assert html.count('data-card="') == len(_items(instrument, Rater.PROFESSIONAL))
    assert 'name="flag"' not in html
    assert 'data-pile="aside"' not in html
    assert html.count("data-pile-button") == 6
    item = _items(instrument, Rater.PROFESSIONAL)[0]
    client.post(url, {f"answer-{item.id}": "2", "action": "save"})
    response = measurement_round.responses.current().by_rater(Rater.PROFESSIONAL).get()
    assert response.answers == {item.id: 2}
    assert response.presentation == Presentation.CARDS
    # The professional's choice is theirs: a client on the same browser starts with the list.
    assert client.session.get("alliantiemonitor.presentation.client") is None


def test_card_page_never_shows_the_other_sides_answers(
    client_page, measurement_round, professional, instrument
):
    response_save_answers(
        round=measurement_round,
        rater=Rater.PROFESSIONAL,
        answers=full_answers(instrument, Rater.PROFESSIONAL, 1),
        mode="professional_self",
        respondent=professional,
    )
    html = client_page.get(CARDS).content.decode()
    assert " checked" not in html
    for item in _items(instrument, Rater.PROFESSIONAL):
        assert f"answer-{item.id}" not in html


def test_start_page_offers_the_card_game(client_page):
    html = client_page.get(reverse("client:start")).content.decode()
    assert f"{FILL}?weergave=kaarten" in html


def test_presentation_is_checked_by_the_service(measurement_round, instrument):
    from alliantiemonitor.measurements.exceptions import InvalidAnswers

    with pytest.raises(InvalidAnswers):
        response_save_answers(
            round=measurement_round,
            rater=Rater.CLIENT,
            answers={_items(instrument)[0].id: 3},
            mode="own_device",
            presentation="dance",
        )
    assert not measurement_round.responses.exists()


@pytest.mark.parametrize(("word", "cards"), [("kaarten", True), (None, False)])
def test_hand_over_as_a_card_game(client, professional, measurement_round, word, cards):
    client.force_login(professional)
    url = reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid})
    assert (
        "Overhandigen als kaartspel"
        in client.get(
            reverse("measurements:round_detail", args=[measurement_round.uuid])
        ).content.decode()
    )
    response = client.post(url, {"weergave": word} if word else {})
    assert response["Location"] == reverse("client:start")
    html = client.get(FILL).content.decode()
    assert ("data-cards" in html) is cards
    assert "?weergave=lijst" in html if cards else "?weergave=kaarten" in html


def test_a_saved_page_keeps_its_own_presentation_when_another_tab_switched(
    client, trajectory, professional
):
    """Review: an easy-read page saved after another tab chose the cards lost the flags."""
    easy = round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")
    _client_session(client, easy, professional)
    items = list(easy.instrument.items_for(Rater.CLIENT))
    page = client.get(f"{FILL}?vraag=1")
    assert 'name="weergave" value="lijst"' in page.content.decode()
    for number in (1, 2):
        client.post(
            f"{FILL}?vraag={number}",
            {
                f"answer-{items[number - 1].id}": "4",
                "flag": [items[number - 1].id],
                "weergave": "lijst",
                "action": "save",
            },
        )
    client.get(CARDS)  # another tab: the card game
    response = client.post(
        f"{FILL}?vraag=3",
        {f"answer-{items[2].id}": "2", "weergave": "lijst", "action": "next"},
    )
    assert response.status_code == 302
    saved = _client_response(easy)
    assert sorted(saved.flagged) == sorted([items[0].id, items[1].id])
    assert saved.answers[items[2].id] == 2
    # And the other way round: a card page saved after a tab went back to the list.
    client.get(f"{FILL}?weergave=lijst")
    every = {f"answer-{item.id}": "3" for item in items}
    response = client.post(FILL, {**every, "weergave": "kaarten", "action": "save"})
    assert response.status_code == 302
    assert set(_client_response(easy).answers.values()) == {3}


def test_a_plain_hand_over_after_a_card_game_one_opens_the_list(
    client, professional, measurement_round
):
    """Review: the card-game choice stayed in the session for every later hand-over."""
    client.force_login(professional)
    session = client.session
    session["alliantiemonitor.presentation.client"] = "kaarten"
    session.save()
    url = reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid})
    client.post(url, {})
    assert "data-cards" not in client.get(FILL).content.decode()


def test_a_new_client_session_forgets_the_previous_clients_card_game(
    client, professional, measurement_round
):
    from alliantiemonitor.measurements.services import invitation_create

    session = client.session
    session["alliantiemonitor.presentation.client"] = "kaarten"
    session.save()
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    client.get(f"/m/{secret}/", follow=True)
    assert "data-cards" not in client.get(FILL).content.decode()
