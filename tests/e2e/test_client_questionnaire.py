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
