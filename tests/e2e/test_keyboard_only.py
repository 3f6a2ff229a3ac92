"""The client's and the professional's flows with the keyboard only: no mouse, no clicks.

Everything after opening the first address is done with page.keyboard (Tab, Shift+Tab, Enter,
Space, arrow keys), as a person without a mouse or with a switch device does. On the way the
tests check that the element with focus shows it (an outline or a ring: WCAG 2.4.7), that
Shift+Tab goes back to where Tab came from, and that Tab reaches what it must within a bounded
number of presses (a keyboard trap, or a control that cannot be reached, fails).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from alliantiemonitor.conversations.models import Agreement
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import invitation_create, round_start
from tests.e2e.conftest import PASSWORD
from tests.factories import answer_round

pytestmark = pytest.mark.django_db(transaction=True)

#: More presses than any page in the flow needs to reach its last control; a trap never gets
#: there.
MAX_TABS = 120

#: What the element with focus looks like: its outline, or a ring drawn around its label.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const shown = (node) => {
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || (style.boxShadow && style.boxShadow !== 'none');
  };
  const label = el.closest('label');
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.id || '').trim().slice(0, 40),
    visible: shown(el) || (label !== null && shown(label)),
  };
}"""


def focused(page: Any) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(FOCUS_STYLE)
    return result


def assert_focus_visible(page: Any) -> None:
    state = focused(page)
    assert state is not None, f"nothing has focus on {page.url}"
    assert state["visible"], f"focus is not visible on {state} at {page.url}"


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def tab_to(page: Any, locator: Any, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``locator`` has focus; fail after MAX_TABS presses."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(MAX_TABS):
        if locator.count() and is_focused(locator.first):
            assert_focus_visible(page)
            return
        page.keyboard.press(key)
        seen.append(focused(page))
    raise AssertionError(f"{key} never reached {locator} on {page.url}; focus went to {seen[:15]}")


def press_and_load(page: Any, key: str) -> None:
    """Press ``key`` on a link or submit button and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def assert_no_trap_here(page: Any) -> None:
    """Shift+Tab leaves the focused element and Tab comes back to it."""
    here = page.evaluate("() => document.activeElement")
    handle = page.evaluate_handle("() => document.activeElement")
    page.keyboard.press("Shift+Tab")
    assert not page.evaluate("el => el === document.activeElement", handle), (
        f"Shift+Tab stayed on {here}"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("el => el === document.activeElement", handle), (
        "Tab after Shift+Tab did not come back"
    )


def answer_statements_by_keyboard(page: Any, choice: int, *, autosave: bool = True) -> int:
    """Answer every statement on the page: Tab into its radio group, Space picks the first
    answer, the down arrow moves ``choice`` answers further. Returns how many were answered."""
    statements = page.locator("fieldset.am-statement")
    count = statements.count()
    for index in range(count):
        radios = statements.nth(index).locator("input[type=radio]")
        tab_to(page, radios.first)
        if autosave:
            with page.expect_response(_is_save):
                page.keyboard.press("Space")
        else:
            page.keyboard.press("Space")
        for _ in range(choice):
            page.keyboard.press("ArrowDown")
        assert radios.nth(choice).is_checked()
        assert_focus_visible(page)
    if autosave:
        page.wait_for_load_state("networkidle")
    return count


def _is_save(response: Any) -> bool:
    return response.request.method == "POST" and "invullen" in response.url


# ----------------------------------------------------------------------------- the client


def _client_link(professional: Any, trajectory: Any, *, easy_read: bool = False) -> str:
    trajectory.client.preferred_language = "en"
    trajectory.client.easy_read = easy_read
    trajectory.client.save()
    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    return secret


def _send_from_confirm_page(page: Any) -> None:
    assert "/m/versturen/" in page.url
    tab_to(page, page.get_by_role("button", name="Send my answers"))
    press_and_load(page, "Enter")
    assert "/m/klaar/" in page.url
    assert "sent" in page.locator("h1").inner_text().lower()


def test_a_client_fills_in_the_standard_variant_with_the_keyboard_only(
    new_page, live_server, professional, trajectory, instrument
):
    secret = _client_link(professional, trajectory)
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/m/{secret}/")

    # The first Tab shows the skip link; Enter on it moves focus to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert is_focused(skip)
    assert skip.is_visible()
    assert_focus_visible(page)

    tab_to(page, page.get_by_role("link", name="Start", exact=True))
    assert_no_trap_here(page)
    press_and_load(page, "Enter")
    assert "/m/invullen/" in page.url

    answered = answer_statements_by_keyboard(page, 3)
    assert answered == 19
    # The flag of the first statement: Shift+Tab back to its box, Space ticks it.
    flag = page.locator("fieldset.am-statement").first.locator("input[type=checkbox]")
    tab_to(page, flag, backwards=True)
    with page.expect_response(_is_save):
        page.keyboard.press("Space")
    assert flag.is_checked()

    tab_to(page, page.locator("button[name=action][value=review]"))
    press_and_load(page, "Enter")
    _send_from_confirm_page(page)

    response = Response.objects.get(rater="client")
    assert response.submitted_at is not None
    assert set(response.answers.values()) == {4}  # the fourth point, "agree", everywhere
    assert len(response.answers) == len(instrument.items_for("client"))
    assert response.flagged == [instrument.items_for("client")[0].id]
    assert page.console_errors == []


def test_a_client_fills_in_easy_read_one_statement_per_screen_with_the_keyboard_only(
    new_page, live_server, professional, trajectory
):
    secret = _client_link(professional, trajectory, easy_read=True)
    page = new_page(phone=True)
    page.goto(f"{live_server.url}/m/{secret}/")
    tab_to(page, page.get_by_role("link", name="Start", exact=True))
    press_and_load(page, "Enter")

    screens = 0
    while "/m/invullen/" in page.url:
        screens += 1
        assert page.locator("fieldset.am-statement").count() == 1
        # One statement per screen: the answer is saved with the "Next" form post.
        answer_statements_by_keyboard(page, 4, autosave=False)
        if screens == 2:
            # Back to the first screen and on again: both answers are kept.
            tab_to(page, page.get_by_role("button", name="Back"))
            press_and_load(page, "Enter")
            assert page.url.endswith("vraag=1")
            tab_to(page, page.locator("input[type=radio]:checked"))  # Tab lands on the answer
            tab_to(page, page.locator("button[name=action][value=next]"))
            press_and_load(page, "Enter")
            assert page.url.endswith("vraag=2")
            assert page.locator("input[type=radio]").nth(4).is_checked()
        tab_to(page, page.locator("button[name=action][value=next]"))
        press_and_load(page, "Enter")
        assert screens <= 20, "the screens never end"
    assert screens == 8
    _send_from_confirm_page(page)

    response = Response.objects.get(rater="client")
    assert response.submitted_at is not None
    assert set(response.answers.values()) == {5}
    assert len(response.answers) == 8
    assert page.console_errors == []


# ----------------------------------------------------------------------------- the professional


def _type_into(page: Any, locator: Any, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def test_the_professionals_core_flow_with_the_keyboard_only(
    new_page, live_server, professional, trajectory
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import current_code

    professional.set_password(PASSWORD)
    professional.must_change_password = False
    professional.save()
    device = TOTPDevice.objects.create(user=professional, name="Test app", confirmed=True)

    page = new_page()
    page.goto(f"{live_server.url}/inloggen/")
    _type_into(page, page.locator("#id_username"), professional.username)
    _type_into(page, page.locator("#id_password"), PASSWORD)
    press_and_load(page, "Enter")
    _type_into(page, page.locator("#id_code"), current_code(device))
    press_and_load(page, "Enter")
    assert "/tweede-stap/" not in page.url

    # A professional lands on their caseload; from there, the client's trajectory.
    assert page.url.endswith("/clienten/")
    tab_to(page, page.get_by_role("link", name=trajectory.client.display_name).first)
    press_and_load(page, "Enter")
    assert str(trajectory.uuid) in page.url

    tab_to(page, page.get_by_role("button", name="Start a round"))
    assert_no_trap_here(page)
    press_and_load(page, "Enter")
    measurement_round = MeasurementRound.objects.get(trajectory=trajectory)
    round_url = page.url

    tab_to(page, page.get_by_role("button", name="Make a personal link"))
    press_and_load(page, "Enter")
    assert "/m/" in page.locator("#invite-url").inner_text()
    tab_to(page, page.get_by_role("link", name="Back to the round"))
    press_and_load(page, "Enter")
    assert page.url == round_url

    tab_to(page, page.get_by_role("link", name=re.compile("fill in my side", re.I)))
    press_and_load(page, "Enter")
    answer_statements_by_keyboard(page, 2)
    tab_to(page, page.locator("button[name=action][value=review]"))
    press_and_load(page, "Enter")
    tab_to(page, page.get_by_role("button", name=re.compile("send my answers", re.I)))
    press_and_load(page, "Enter")
    assert Response.objects.get(rater="professional").submitted_at is not None

    # Meanwhile the client answered on their phone.
    answer_round(measurement_round, "client", value=4)

    page.reload()  # what F5 does
    tab_to(page, page.get_by_role("link", name="Open the joint view"))
    press_and_load(page, "Enter")
    assert f"/gesprek/{measurement_round.uuid}/" in page.url
    _type_into(page, page.get_by_label("New agreement"), "We meet at the library next time.")
    tab_to(page, page.get_by_role("button", name="Add agreement"))
    # The panel is swapped in place (htmx); the button that had focus is gone, so focus goes
    # back to the agreement field, ready for the next one, instead of the top of the page.
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id", timeout=10_000
    )
    assert page.evaluate("() => document.activeElement.id") == "id_text"
    assert page.get_by_label("New agreement").input_value() == ""
    assert_focus_visible(page)
    assert "has been added" in page.locator("#agreements-panel [role=status]").inner_text()
    assert [a.text for a in Agreement.objects.all()] == ["We meet at the library next time."]
    assert page.console_errors == []
