"""Arabic in a real browser: the easy-read questionnaire laid out right to left, accessible."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_easy_read_in_arabic_mirrors_and_stays_accessible(
    new_page, live_server, professional, trajectory
):
    from playwright.sync_api import expect

    from alliantiemonitor.measurements.services import invitation_create, round_start

    measurement_round = round_start(
        trajectory=trajectory, by=professional, instrument_id="eenvoudig"
    )
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    page = new_page(phone=True, locale="nl-NL")
    page.goto(f"{live_server.url}/m/{secret}/")

    # The first screen: the language choice, then Arabic.
    with page.expect_navigation(wait_until="load"):
        page.locator(".am-language-choice button[value=ar]").click()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator(".am-language-choice button[value=ar]")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page)

    with page.expect_navigation(wait_until="load"):
        page.locator("main a.utrecht-button").first.click()
    expect(page.locator("legend.am-statement__text")).to_contain_text("مسؤول المراقبة")

    # The answer scale runs from the right: the first option lies right of the last.
    options = page.locator("fieldset.am-statement .am-scale label.am-choice")
    first = options.first.bounding_box()
    last = options.last.bounding_box()
    assert first is not None
    assert last is not None
    if abs(first["y"] - last["y"]) < 1:  # one row
        assert first["x"] > last["x"]
    else:  # stacked on a narrow screen: each option starts at the right edge
        assert abs((first["x"] + first["width"]) - (last["x"] + last["width"])) < 1
    # The radio button sits at the inline start (right) of its label.
    radio = options.first.locator("input[type=radio]").bounding_box()
    assert radio is not None
    assert radio["x"] + radio["width"] > first["x"] + first["width"] / 2
    assert_accessible(page)

    # An answer saved in Arabic is kept when the client switches to Dutch.
    options.nth(3).click()
    page.wait_for_load_state("networkidle")
    with page.expect_navigation(wait_until="load"):
        page.locator(".am-language-switch button[value=nl]").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.goto(f"{live_server.url}/m/invullen/?vraag=1")
    expect(page.locator("#answer-c_direction_1-4")).to_be_checked()
    assert page.console_errors == []
