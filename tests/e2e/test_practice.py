"""Practice mode in a real browser: a professional plays a round by keyboard only.

Every practice page is checked with axe-core (WCAG 2.1 A/AA), must say that it is practice,
and may not touch a client table.
"""

from __future__ import annotations

import pytest

from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.trajectories.models import Client
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_monitor_flow import check

pytestmark = pytest.mark.django_db(transaction=True)

BANNER = "Oefenen — fictieve cliënt, er worden geen cliëntgegevens opgeslagen"


def _tab_to(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focus is on an element matching ``selector``, as a person would."""
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector!r} is not reachable by keyboard on {page.url}")


def _practice_page(page, name: str | None = None) -> None:  # type: ignore[no-untyped-def]
    check(page, name)
    assert page.locator(".am-practice-banner").inner_text().strip() == BANNER
    assert page.title().startswith("Oefenen: ")


def test_a_round_played_by_keyboard_ends_in_the_joint_view(page, live_server, professional):
    clients, rounds, responses = Client.objects.count(), MeasurementRound.objects.count(), 0
    log_in(page, live_server, professional)
    page.goto(f"{live_server.url}/oefenen/")
    _practice_page(page, "practice-start")

    # The course: a deteriorating alliance (the third choice); the version: the short one.
    _tab_to(page, "input[name=course]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "input[name=variant]")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=course]:checked").get_attribute("value") == "deteriorating"
    assert page.locator("input[name=variant]:checked").get_attribute("value") == "kort"
    _tab_to(page, "button[type=submit]:not(.utrecht-button--subtle)")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "/oefenen/casus/kort-verslechterend-" in page.url
    _practice_page(page, "practice-case")
    assert "(fictief)" in page.locator("h1").inner_text()

    _tab_to(page, "main a.utrecht-button")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    _practice_page(page)
    statements = page.locator("fieldset.am-statement").count()
    assert statements > 0
    # Each statement: Tab into its group, Space picks the first answer, the arrows move on.
    _tab_to(page, "fieldset.am-statement input[type=radio]")
    for number in range(statements):
        page.keyboard.press("Space")
        for _ in range(number % 4):
            page.keyboard.press("ArrowRight")
        if number < statements - 1:
            page.keyboard.press("Tab")
    assert page.locator("fieldset.am-statement input:checked").count() == statements
    _tab_to(page, "button[value=review]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    _practice_page(page)

    _tab_to(page, "main form button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/gesprek/")
    _practice_page(page, "practice-joint")
    assert page.locator("#agenda").count() == 1
    assert page.locator("#scores table").count() == 1
    assert page.locator("#prompts").count() == 1
    assert page.locator(".am-practice-course").count() == 1

    # Play the same case again: the own side is empty, the client the same.
    _tab_to(page, "form[action$='/opnieuw/'] button")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == (
        "Speel deze casus opnieuw"
    )
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    _practice_page(page)
    assert page.locator("fieldset.am-statement input:checked").count() == 0

    assert Client.objects.count() == clients
    assert MeasurementRound.objects.count() == rounds
    assert Response.objects.count() == responses


def test_an_unknown_case_code_is_accessible_and_says_so(page, live_server, professional):
    log_in(page, live_server, professional)
    response = page.goto(f"{live_server.url}/oefenen/casus/kort-zijwaarts-reclassering-1/")
    assert response.status == 404
    # Not check(): the browser logs the 404 itself as a console error.
    assert_accessible(page)
    assert page.locator(".am-practice-banner").inner_text().strip() == BANNER
    assert page.locator("h1").inner_text() == "Deze oefencasus bestaat niet"


def test_a_practice_round_as_a_card_game(page, live_server, professional):
    """The switch on the practice fill page opens the card game; tapping piles fills the side."""
    from playwright.sync_api import expect

    rounds = MeasurementRound.objects.count()
    log_in(page, live_server, professional)
    page.goto(f"{live_server.url}/oefenen/casus/kort-stabiel-reclassering-77/invullen/")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Als kaartspel").click()
    expect(page.locator(".am-cards.is-live")).to_be_visible()
    _practice_page(page, "practice-cards")
    assert page.locator('[data-pile="aside"]').count() == 0
    cards = page.locator("[data-card]").count()
    for number in range(1, cards + 1):
        expect(page.locator("[data-card].is-current")).to_have_attribute("data-card", str(number))
        page.locator(f'[data-pile="{number % 5 + 1}"] [data-pile-button]').click()
    expect(page.locator("[data-deck-count]")).to_have_text("0")
    with page.expect_navigation(wait_until="load"):
        page.locator("button[value=review]").click()
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/gesprek/")
    _practice_page(page)
    assert MeasurementRound.objects.count() == rounds
