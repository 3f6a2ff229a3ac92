"""Read aloud in a real browser: the server's audio where the device has no voice of its own."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

#: Before any page script: no speech synthesis at all (many phones lack a Dutch voice), and a
#: note of every media element that is asked to play.
WITHOUT_VOICES = """
delete window.speechSynthesis;
delete window.SpeechSynthesisUtterance;
window.__played = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__played.push(this.src);
  return play.call(this);
};
"""

#: A device with a local Dutch voice: what it is asked to say is noted, nothing is spoken.
WITH_A_LOCAL_VOICE = """
window.__spoken = [];
const voice = {name: "Lokaal", lang: "nl-NL", localService: true};
Object.defineProperty(window, "speechSynthesis", {value: {
  getVoices: () => [voice],
  speak: (utterance) => window.__spoken.push(utterance.text),
  cancel: () => {},
  addEventListener: () => {},
}});
window.SpeechSynthesisUtterance = function (text) {
  this.text = text;
  this.addEventListener = () => {};
};
"""


def _open_easy_read(new_page, live_server, professional, trajectory, script):  # type: ignore[no-untyped-def]
    from alliantiemonitor.measurements.services import invitation_create, round_start

    measurement_round = round_start(
        trajectory=trajectory, by=professional, instrument_id="eenvoudig"
    )
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    page = new_page(phone=True)
    page.add_init_script(script)
    page.audio_requests = []
    page.on(
        "request", lambda r: page.audio_requests.append(r.url) if "/voorlezen/" in r.url else None
    )
    page.goto(f"{live_server.url}/m/{secret}/")
    with page.expect_navigation(wait_until="load"):
        page.locator("main a.utrecht-button").first.click()
    return page


def test_without_a_local_voice_the_button_plays_the_servers_audio(
    new_page, live_server, professional, trajectory, speech_dir
):
    from playwright.sync_api import expect

    page = _open_easy_read(new_page, live_server, professional, trajectory, WITHOUT_VOICES)
    button = page.get_by_role("button", name="Voorlezen")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert_accessible(page)
    address = button.get_attribute("data-read-aloud-audio")
    assert address
    assert page.audio_requests == []  # nothing loaded before the press

    button.focus()
    with page.expect_response(lambda r: "/voorlezen/" in r.url) as answer:
        page.keyboard.press("Enter")
    response = answer.value
    assert response.url == f"{live_server.url}{address}"
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    assert page.evaluate("window.__played") == [f"{live_server.url}{address}"]
    assert len(list(speech_dir.rglob("*.wav"))) == 1
    expect(button).to_have_attribute("aria-pressed", "true")  # reading (some 10 seconds)

    # Pressing again stops, by keyboard too.
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.console_errors == []


def test_a_local_voice_speaks_and_nothing_is_fetched(
    new_page, live_server, professional, trajectory, speech_dir
):
    from playwright.sync_api import expect

    page = _open_easy_read(new_page, live_server, professional, trajectory, WITH_A_LOCAL_VOICE)
    button = page.get_by_role("button", name="Voorlezen")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1
    assert "reclasseringswerker" in spoken[0]  # the statement, in the domain's words
    assert "Helemaal eens" in spoken[0]  # and the answer options
    assert "praten" not in spoken[0]  # not the "I want to talk about this" box
    assert page.audio_requests == []
    assert not speech_dir.exists()
