"""The client's questionnaire in a real browser: what autosave and the layout look like."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import open_client_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)


def test_with_javascript_autosave_replaces_the_save_button_and_boxes_line_up(
    new_page, live_server, professional, trajectory
):
    page = open_client_questionnaire(new_page, live_server, professional, trajectory)

    from playwright.sync_api import expect

    # Every change is saved at once, so no "Save" button beside it; "Send" stays.
    expect(page.locator("button[name=action][value=save]")).to_be_hidden()
    expect(page.locator("button[name=action][value=review]")).to_be_visible()

    statement = page.locator("fieldset.am-statement").first
    radio = statement.locator("input[type=radio]").first.bounding_box()
    checkbox = statement.locator("input[type=checkbox]").bounding_box()
    assert radio is not None
    assert checkbox is not None
    assert abs(checkbox["width"] - radio["width"]) < 1
    assert abs(checkbox["height"] - radio["height"]) < 1
    assert abs(checkbox["x"] - radio["x"]) < 1  # the same column as the radio buttons
    assert page.console_errors == []


@pytest.fixture
def english(trajectory):  # type: ignore[no-untyped-def]
    """The client reads English, so that the tests read the English source texts."""
    trajectory.client.preferred_language = "en"
    trajectory.client.save()
    return trajectory


def _answers(measurement_round):  # type: ignore[no-untyped-def]
    response = measurement_round.responses.current().by_rater("client").first()
    return response.answers if response else {}


def test_autosave_keeps_every_change_in_order_and_updates_the_progress(
    new_page, live_server, professional, trajectory, english
):
    """The own script (instead of htmx) posts each change with the CSRF token, one at a time."""
    from playwright.sync_api import expect

    page = open_client_questionnaire(new_page, live_server, professional, trajectory)
    measurement_round = trajectory.rounds.get()
    statements = page.locator("fieldset.am-statement")
    # Quick clicks, no waiting: the saves queue up and the last choice is the one kept.
    statements.nth(0).locator("label.am-choice").nth(0).click()
    statements.nth(1).locator("label.am-choice").nth(1).click()
    statements.nth(0).locator("label.am-choice").nth(4).click()
    expect(page.locator("#fill-progress-text")).to_have_text("2 of 19 answered")
    expect(page.locator("#fill-status")).to_have_text("Saved. 2 of 19 answered.")
    page.wait_for_load_state("networkidle")
    first, second = (s.get_attribute("id").removeprefix("statement-") for s in statements.all()[:2])
    assert _answers(measurement_round) == {first: 5, second: 2}
    expect(page.locator("progress")).to_have_attribute("value", "2")
    assert page.console_errors == []


def test_autosave_reloads_when_the_round_closed_meanwhile(
    new_page, live_server, professional, trajectory, english
):
    from playwright.sync_api import expect

    from alliantiemonitor.measurements.services import round_cancel

    page = open_client_questionnaire(new_page, live_server, professional, trajectory)
    round_cancel(round=trajectory.rounds.get(), by=professional)
    page.locator("fieldset.am-statement").first.locator("label.am-choice").first.click()
    expect(page.locator("h1")).to_have_text("This questionnaire is closed")


def test_when_autosave_fails_it_says_so_and_the_save_button_returns(
    new_page, live_server, professional, trajectory, english
):
    from playwright.sync_api import expect

    page = open_client_questionnaire(new_page, live_server, professional, trajectory)
    save = page.locator("button[name=action][value=save]")
    expect(save).to_be_hidden()
    page.route("**/m/invullen/**", lambda route: route.abort())
    page.locator("fieldset.am-statement").first.locator("label.am-choice").first.click()
    expect(page.locator("#fill-status")).to_contain_text("could not be saved automatically")
    expect(save).to_be_visible()
    page.unroute("**/m/invullen/**")
    with page.expect_navigation(wait_until="load"):
        save.click()  # the plain form post still saves
    assert len(_answers(trajectory.rounds.get())) == 1
