"""Long pages made short: the actions of a conversation come first, every statement is one click
away, and nothing breaks a word on a phone. Each page is also checked with axe-core."""

from __future__ import annotations

import pytest

from alliantiemonitor.conversations.services import (
    agreement_add,
    conversation_start,
    round_mark_discussed,
)
from alliantiemonitor.measurements.services import invitation_create
from tests.e2e.conftest import assert_accessible, log_in
from tests.monitoring.helpers import fill

pytestmark = pytest.mark.django_db(transaction=True)

AGREEMENT = "We phone each other the day before every appointment."


def far_apart(round_, professional):
    """Both sent, every answer 4 points apart: all 19 statements are on the agenda."""
    instrument = round_.instrument
    for rater, value in (("client", 1), ("professional", 5)):
        answers = {item.id: value for item in instrument.items_for(rater)}
        fill(round_, rater, professional, answers)
    round_.refresh_from_db()


def top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def bottom(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["y"] + box["height"]


def test_joint_view_puts_agreements_and_finish_on_the_first_screen(
    new_page, live_server, professional, measurement_round
):
    far_apart(measurement_round, professional)
    url = f"{live_server.url}/gesprek/{measurement_round.uuid}/"

    desk = new_page(locale="nl-NL")
    log_in(desk, live_server, professional)
    desk.goto(url)
    assert desk.locator(".am-pairs .am-pair").count() >= 19  # a long agenda above all else
    viewport = desk.viewport_size["height"]
    # Even so, the agreement form and the finish button are on the first screen …
    assert bottom(desk, "#id_text") <= viewport
    assert bottom(desk, "#finish-body button") <= viewport
    # … and stay in view while the professional scrolls through scores and statements.
    desk.locator("#pairs").scroll_into_view_if_needed()
    desk.mouse.wheel(0, 10_000)
    box = desk.locator("#id_text").bounding_box()
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= viewport
    # The full list of statements is folded per characteristic, and opens without script.
    groups = desk.locator("#pairs details")
    assert groups.count() == 4
    assert desk.locator("#pairs details[open]").count() == 0
    groups.first.locator("summary").click()
    assert groups.first.locator(".am-pair").first.is_visible()
    assert_accessible(desk)
    assert desk.console_errors == []

    # On a phone the same order holds: agenda, agreements, finish, then the reference.
    phone = new_page(locale="nl-NL", phone=True)
    log_in(phone, live_server, professional)
    phone.goto(url)
    agenda, form = top(phone, "#agenda"), top(phone, "#id_text")
    finish, scores = top(phone, "#finish-body button"), top(phone, "#scores")
    assert agenda < form < finish < scores < top(phone, "#pairs")
    assert_accessible(phone)


def test_client_results_show_the_agreements_first_and_fold_the_statements(
    new_page, live_server, professional, measurement_round
):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    far_apart(measurement_round, professional)
    conversation = conversation_start(round=measurement_round, by=professional)
    agreement_add(conversation=conversation, text=AGREEMENT, by=professional)
    round_mark_discussed(round=measurement_round, by=professional)

    phone = new_page(locale="nl-NL", phone=True)
    phone.goto(f"{live_server.url}/m/{token}/")
    assert "/m/resultaat/" in phone.url
    agreement = phone.get_by_text(AGREEMENT)
    assert bottom(phone, f"text={AGREEMENT}") <= phone.viewport_size["height"]
    assert top(phone, "#agreements") < top(phone, "#agenda") < top(phone, "#scores")
    assert top(phone, "#scores") < top(phone, "#pairs")
    # Every statement sits behind one "show all" that works without JavaScript.
    show_all = phone.locator("#pairs details")
    assert show_all.count() == 1
    assert not show_all.locator(".am-pair").first.is_visible()
    assert agreement.is_visible()
    show_all.locator("summary").click()
    assert show_all.locator(".am-pair").first.is_visible()
    assert_accessible(phone)


def test_score_table_headers_keep_whole_words_on_a_phone(
    new_page, live_server, professional, measurement_round
):
    _, token = invitation_create(round=measurement_round, kind="link", by=professional)
    far_apart(measurement_round, professional)
    conversation = conversation_start(round=measurement_round, by=professional)
    agreement_add(conversation=conversation, text=AGREEMENT, by=professional)
    round_mark_discussed(round=measurement_round, by=professional)

    phone = new_page(locale="nl-NL", phone=True)
    phone.goto(f"{live_server.url}/m/{token}/")
    header = phone.locator("#scores thead").inner_text()
    assert "reclasseringswerker" in header  # the domain's long role noun
    # Each word of each header cell lies on one line: no break inside a word.
    split_words = phone.evaluate(
        """() => {
          const broken = [];
          for (const cell of document.querySelectorAll('#scores th')) {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              for (const match of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
              }
            }
          }
          return broken;
        }"""
    )
    assert split_words == []
    # And the table fits the phone's width: nothing to scroll sideways.
    overflow = phone.evaluate(
        "() => { const r = document.querySelector('#scores .am-table-scroll');"
        " return r.scrollWidth - r.clientWidth; }"
    )
    assert overflow <= 0


def test_course_shows_the_four_charts_side_by_side_on_a_wide_screen(
    new_page, live_server, professional, measurement_round
):
    far_apart(measurement_round, professional)
    desk = new_page(locale="nl-NL")
    log_in(desk, live_server, professional)
    desk.goto(f"{live_server.url}/verloop/{measurement_round.trajectory.uuid}/")
    charts = desk.locator("svg.am-course__chart")
    assert charts.count() == 4
    boxes = [charts.nth(i).bounding_box() for i in range(4)]
    # Two per row: the first two share a row, as do the last two.
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1
    assert abs(boxes[2]["y"] - boxes[3]["y"]) < 1
    assert boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"]
    assert_accessible(desk)
    # On a phone they stack, one chart per screen width.
    phone = new_page(locale="nl-NL", phone=True)
    log_in(phone, live_server, professional)
    phone.goto(f"{live_server.url}/verloop/{measurement_round.trajectory.uuid}/")
    phone_charts = phone.locator("svg.am-course__chart")
    assert phone_charts.nth(1).bounding_box()["y"] > phone_charts.nth(0).bounding_box()["y"]
    assert_accessible(phone)
