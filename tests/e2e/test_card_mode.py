"""The card game in a real browser: tapping, the keyboard alone, dragging, no script, Arabic."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

#: With AM_SCREENSHOTS=<folder> the run saves the screenshots of docs/images (client-cards*).
SHOTS = os.environ.get("AM_SCREENSHOTS")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret would inject a style, which the strict CSP refuses.
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True, caret="initial")


def _open_link(new_page: Any, live_server: Any, professional: Any, trajectory: Any, **kw: Any):
    from alliantiemonitor.measurements.services import invitation_create, round_start

    measurement_round = round_start(
        trajectory=trajectory, by=professional, instrument_id=kw.pop("variant", "standaard")
    )
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    page = new_page(phone=kw.pop("phone", True), locale=kw.pop("locale", "nl-NL"))
    page.goto(f"{live_server.url}/m/{secret}/")
    return page, measurement_round


def _client_items(measurement_round: Any) -> list[str]:
    return [item.id for item in measurement_round.instrument.items_for("client")]


def _client_response(measurement_round: Any) -> Any:
    return measurement_round.responses.current().by_rater("client").get()


def _pile(page: Any, value: str) -> Any:
    return page.locator(f'[data-pile="{value}"] [data-pile-button]')


def _send(page: Any, live_server: Any) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator("button[value=review]").click()
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/m/klaar/")


def test_a_client_taps_a_whole_round_on_a_phone(new_page, live_server, professional, trajectory):
    from playwright.sync_api import expect

    page, measurement_round = _open_link(new_page, live_server, professional, trajectory)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Start als kaartspel").click()
    expect(page.locator(".am-cards.is-live")).to_be_visible()
    items = _client_items(measurement_round)
    assert page.locator("[data-card]").count() == len(items)
    expect(page.locator("[data-card].is-current")).to_have_attribute("data-card", "1")
    assert_accessible(page)

    # Tapping a pile lays the card in hand and deals the next one.
    choices = [str(n % 5 + 1) for n in range(len(items))]
    for number, choice in enumerate(choices, start=1):
        expect(page.locator("[data-card].is-current")).to_have_attribute("data-card", str(number))
        _pile(page, choice).click()
        if number == 7:
            page.wait_for_load_state("networkidle")
            shot(page, "client-cards")
    expect(page.locator("[data-deck-count]")).to_have_text("0")
    expect(page.locator('[data-pile="1"] [data-count]')).to_have_text(str(choices.count("1")))
    expect(page.locator("#cards-live")).to_contain_text(f"Kaart {len(items)} ligt op")

    # Card 3 moves to another pile: tap it, then the pile.
    page.locator('[data-card="3"] .am-card__pick').click()
    expect(page.locator('[data-card="3"] .am-card__pick')).to_have_attribute("aria-pressed", "true")
    _pile(page, "skip").click()
    expect(page.locator('[data-pile="skip"] [data-card="3"]')).to_have_count(1)
    choices[2] = "skip"
    # Card 5 is put aside as well ("I want to talk about this"), keeping its answer.
    page.locator('[data-card="5"] .am-card__pick').click()
    _pile(page, "aside").click()
    expect(page.locator('[data-card="5"]')).to_have_class(re.compile(r"\bis-aside\b"))
    # It stays on its answer's pile and is counted on the aside pile too.
    expect(page.locator(f'[data-pile="{choices[4]}"] [data-card="5"]')).to_have_count(1)
    expect(page.locator('[data-pile="aside"] [data-count]')).to_have_text("1")
    # Said in words on the card, not by its dashed edge alone.
    expect(page.locator('[data-card="5"] .am-choice--flag')).to_be_visible()
    expect(page.locator("#cards-live")).to_contain_text("Kaart 5")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)

    # Every target is big enough for a thumb.
    for target in page.locator(".am-pile__button, .am-card__pick").all():
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 44
        assert box["width"] >= 44

    _send(page, live_server)
    response = _client_response(measurement_round)
    assert response.is_submitted
    assert response.presentation == "cards"
    expected = {
        item: (None if choice == "skip" else int(choice))
        for item, choice in zip(items, choices, strict=True)
    }
    assert response.answers == expected
    assert response.flagged == [items[4]]
    assert page.console_errors == []


def test_the_card_game_by_keyboard_alone(new_page, live_server, professional, trajectory):
    from playwright.sync_api import expect

    page, measurement_round = _open_link(new_page, live_server, professional, trajectory)
    page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
    items = _client_items(measurement_round)

    def focused(selector: str) -> bool:
        return bool(page.evaluate("s => document.activeElement.matches(s)", selector))

    def tab_to(selector: str, limit: int = 150) -> None:
        for _ in range(limit):
            if focused(selector):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")

    tab_to('[data-card="1"] .am-card__pick')
    # F sets card 1 aside, without an answer; the next card comes into hand and focus.
    page.keyboard.press("f")
    assert focused('[data-card="2"] .am-card__pick')
    expect(page.locator('[data-pile="aside"] [data-card="1"]')).to_have_count(1)
    for _number in range(2, len(items) + 1):
        page.keyboard.press("4")
    expect(page.locator("[data-deck-count]")).to_have_text("0")
    expect(page.locator('[data-pile="4"] [data-count]')).to_have_text(str(len(items) - 1))
    # A placed card moves again: on card 2, press 0 ("don't know").
    page.locator('[data-card="2"] .am-card__pick').focus()
    page.keyboard.press("0")
    expect(page.locator('[data-pile="skip"] [data-card="2"]')).to_have_count(1)
    assert focused('[data-card="2"] .am-card__pick')
    expect(page.locator("#cards-live")).to_contain_text("Kaart 2 ligt op")
    # The focus ring is visible.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"

    tab_to("button[value=review]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    tab_to("main form button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/m/klaar/")
    response = _client_response(measurement_round)
    assert response.is_submitted
    assert response.flagged == [items[0]]
    assert items[0] not in response.answers
    assert response.answers[items[1]] is None
    assert all(response.answers[item] == 4 for item in items[2:])


def test_a_card_dragged_with_the_mouse(new_page, live_server, professional, trajectory):
    from playwright.sync_api import expect

    page, measurement_round = _open_link(
        new_page, live_server, professional, trajectory, phone=False
    )
    page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
    card = page.locator('[data-card="2"]')
    target = page.locator('[data-pile="5"]')
    card.scroll_into_view_if_needed()
    start = card.locator("legend").bounding_box()
    end = target.bounding_box()
    assert start is not None
    assert end is not None
    page.mouse.move(start["x"] + 10, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    expect(target).to_have_class(re.compile(r"\bis-over\b"))
    page.mouse.up()
    expect(page.locator('[data-pile="5"] [data-card="2"]')).to_have_count(1)
    expect(page.locator(f"#answer-{_client_items(measurement_round)[1]}-5")).to_be_checked()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#fill-status")).to_contain_text("1 van")
    assert _client_response(measurement_round).answers == {_client_items(measurement_round)[1]: 5}


def test_without_javascript_the_card_page_is_a_form_that_sends(
    browser, live_server, professional, trajectory
):
    from alliantiemonitor.measurements.services import invitation_create, round_start

    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    context = browser.new_context(
        java_script_enabled=False, locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/m/{secret}/")
        page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
        assert page.locator("[data-table]").is_hidden()
        items = _client_items(measurement_round)
        page.locator(f'label[for="answer-{items[0]}-2"]').click()
        page.locator(f'label[for="answer-{items[1]}-skip"]').click()
        page.locator(f'label[for="flag-{items[2]}"]').click()
        with page.expect_navigation(wait_until="load"):
            page.locator("button[value=review]").click()
        with page.expect_navigation(wait_until="load"):
            page.locator("main form button[type=submit]").click()
        assert page.url.endswith("/m/klaar/")
    finally:
        context.close()
    response = _client_response(measurement_round)
    assert response.is_submitted
    assert response.answers == {items[0]: 2, items[1]: None}
    assert response.flagged == [items[2]]
    assert response.presentation == "cards"


def test_the_card_game_in_arabic_mirrors(new_page, live_server, professional, trajectory):
    from playwright.sync_api import expect

    page, _round = _open_link(new_page, live_server, professional, trajectory, variant="eenvoudig")
    with page.expect_navigation(wait_until="load"):
        page.locator(".am-language-choice button[value=ar]").click()
    page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".am-cards.is-live")).to_be_visible()
    # The piles run from the right: the first pile lies right of the second.
    first = page.locator('[data-pile="1"]').bounding_box()
    second = page.locator('[data-pile="2"]').bounding_box()
    assert first is not None
    assert second is not None
    assert first["x"] > second["x"]
    # The card's button sits at the inline start (right) of the card.
    card = page.locator('[data-card="1"]').bounding_box()
    button = page.locator('[data-card="1"] .am-card__pick').bounding_box()
    assert card is not None
    assert button is not None
    assert button["x"] + button["width"] > card["x"] + card["width"] / 2
    _pile(page, "3").click()
    expect(page.locator('[data-pile="3"] [data-card="1"]')).to_have_count(1)
    _pile(page, "4").click()
    page.wait_for_load_state("networkidle")
    shot(page, "client-cards-ar")
    assert_accessible(page)
    assert page.console_errors == []


def test_the_professional_plays_their_own_side(page, live_server, professional, measurement_round):
    from django.urls import reverse
    from playwright.sync_api import expect

    from tests.e2e.conftest import log_in

    log_in(page, live_server, professional)
    url = reverse("measurements:fill", args=[measurement_round.uuid])
    page.goto(f"{live_server.url}{url}?weergave=kaarten")
    expect(page.locator(".am-cards.is-live")).to_be_visible()
    assert page.locator('[data-pile="aside"]').count() == 0
    _pile(page, "2").click()
    expect(page.locator('[data-pile="2"] [data-card="1"]')).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_the_joint_view_lays_both_sides_cards_side_by_side(
    page, live_server, professional, measurement_round
):
    from django.urls import reverse
    from playwright.sync_api import expect

    from tests.conversations.conftest import answer
    from tests.e2e.conftest import log_in

    answer(measurement_round, "client", 4, c_direction_1=1, flagged=["c_bond_2"])
    answer(measurement_round, "professional", 4, professional=professional)
    log_in(page, live_server, professional)
    url = reverse("conversations:joint", args=[measurement_round.uuid])
    page.goto(f"{live_server.url}{url}?weergave=kaarten")
    tables = page.locator("table.am-card-table")
    expect(tables.first).to_be_visible()
    first = tables.first
    # Card 1 (the first direction pair) lies on "strongly disagree" for the client, "agree"
    # for the professional, and is marked for the agenda in words.
    client_row = first.locator("tbody tr").nth(0)
    expect(client_row.locator("td").nth(0)).to_contain_text("1 agenda")
    professional_row = first.locator("tbody tr").nth(1)
    expect(professional_row.locator("td").nth(3)).to_contain_text("1 agenda")
    assert_accessible(page)
    if SHOTS:
        page.locator("#cards").screenshot(path=str(Path(SHOTS) / "joint-cards.png"))


_LAYOUT_SHIFT = """
window.__shift = 0;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (!entry.hadRecentInput) { window.__shift += entry.value; }
  });
}).observe({ type: "layout-shift", buffered: true });
"""


def test_the_card_table_is_laid_without_the_page_jumping(
    new_page, live_server, professional, trajectory
):
    """A slow script must not first show the plain form and then move everything (Lighthouse's
    cumulative layout shift); without any script the plain form still appears."""
    import time

    from playwright.sync_api import expect

    page, _round = _open_link(new_page, live_server, professional, trajectory)
    page.add_init_script(_LAYOUT_SHIFT)

    def slow_script(route: Any) -> None:
        time.sleep(1.0)  # a phone on a poor connection: the page paints before the script runs
        route.continue_()

    page.route(re.compile(r"cards\.bundle.*\.js"), slow_script)
    page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
    expect(page.locator(".am-cards.is-live")).to_be_visible()
    page.wait_for_timeout(500)
    shift = page.evaluate("window.__shift")
    assert shift < 0.1, f"cumulative layout shift {shift:.3f} (good is below 0.1)"

    # No script at all: the cards are the plain form, visible after a short wait.
    page.unroute(re.compile(r"cards\.bundle.*\.js"))
    page.route(re.compile(r"cards\.bundle.*\.js"), lambda route: route.abort())
    page.goto(f"{live_server.url}/m/invullen/?weergave=kaarten")
    expect(page.locator("[data-card]").first).to_be_visible(timeout=10_000)
    expect(page.locator(".am-cards.is-live")).to_have_count(0)
