"""The monitor in practice, in real browsers: a professional and a client, each on their own.

Two browser contexts play the two people. Every page in the flow is checked with axe-core for
WCAG 2.1 A/AA violations, and for console errors (a CSP violation shows up there) and requests
to other hosts. With AM_SCREENSHOTS=<folder> the run also saves the screenshots that the
professional's guide (docs/guide-professional.md) uses.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.models import Agreement
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import (
    invitation_create,
    response_save_answers,
    response_submit,
    round_start,
)
from tests.e2e.conftest import PASSWORD, assert_accessible, log_in
from tests.factories import full_answers

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("AM_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret would inject a style, which the strict CSP refuses.
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True, caret="initial")


def check(page, name: str | None = None) -> None:
    """What every page in the flow must satisfy (once it has loaded)."""
    assert_accessible(page)
    assert page.locator("h1").count() == 1, page.url
    assert page.console_errors == [], page.console_errors
    assert page.external_requests == [], page.external_requests
    if name:
        shot(page, name)


def answer(page, statements: range, choice: int) -> None:
    """Pick scale point ``choice`` (0-based: 0 = strongly disagree) for the given statements."""
    # A click before htmx has started on the page would change the radio but save nothing.
    page.wait_for_load_state()
    fieldsets = page.locator("fieldset.am-statement")
    for index in statements:
        # Each answer is saved as it is given (htmx); wait for that save, as a person's pace
        # would allow, so that what the test does next does not race the last request.
        with page.expect_response(is_autosave):
            fieldsets.nth(index).locator("label.am-choice").nth(choice).click()


def is_autosave(response) -> bool:
    return response.request.method == "POST" and "invullen" in response.url


def test_a_whole_round_from_new_client_to_read_back(new_page, live_server, professional):
    pro = new_page()
    log_in(pro, live_server, professional)
    check(pro, "01-caseload-empty")

    # A new client and trajectory, with minimal data.
    pro.get_by_role("link", name=re.compile("new client", re.I)).first.click()
    check(pro, "02-new-client")
    pro.get_by_label("Display name or initials").fill("T.E.")
    pro.get_by_label("English").check()
    pro.get_by_label("Legal frame").fill("Supervision with special conditions")
    pro.get_by_role("button", name="Add client and start trajectory").click()
    check(pro, "03-trajectory")

    # Start a round: the organisation's default variant.
    pro.get_by_role("button", name="Start a round").click()
    check(pro, "04-round")
    round_url = pro.url
    measurement_round = MeasurementRound.objects.get()
    assert measurement_round.instrument_id == "standaard"

    # The blind rule: the joint view shows nothing before both are done, whatever the URL.
    pro.goto(f"{live_server.url}/gesprek/{measurement_round.uuid}/")
    assert "Strongly agree" not in pro.content()
    pro.goto(round_url)

    # A personal link for the client.
    pro.get_by_role("button", name="Make a personal link").click()
    check(pro, "05-personal-link")
    link = pro.locator("#invite-url").inner_text().strip()
    assert "/m/" in link
    assert pro.locator("img[alt*='QR']").count() == 1

    # The client opens the link on a phone, reads the intro and starts.
    client = new_page(phone=True)
    client.goto(link)
    assert "/m/start/" in client.url  # the secret left the address bar
    check(client, "06-client-intro")
    assert "not" in client.locator("main").inner_text().lower()  # not used against you
    client.get_by_role("link", name="Start", exact=True).click()
    check(client, "07-client-questionnaire")
    statements = client.locator("fieldset.am-statement").count()
    assert statements == 19
    answer(client, range(5), 3)
    client.locator("fieldset.am-statement").nth(1).get_by_label("I want to talk about this").check()
    client.wait_for_load_state("networkidle")  # the flag's autosave
    client.context.close()  # the client closes the tab

    # Coming back with the same link resumes where they were.
    client = new_page(phone=True)
    client.goto(link)
    # Read the questionnaire once it has loaded, not while the intro is being replaced.
    with client.expect_navigation(wait_until="load"):
        client.get_by_role("link", name="Start", exact=True).click()
    first = client.locator("fieldset.am-statement").nth(0)
    assert first.locator("input[type=radio]").nth(3).is_checked()
    assert (
        client.locator("fieldset.am-statement")
        .nth(1)
        .get_by_label("I want to talk about this")
        .is_checked()
    )
    answer(client, range(5, statements), 1)
    client.get_by_role("button", name="Send").first.click()
    check(client, "08-client-confirm")

    # Double submit: the confirmation open in two tabs, both sent.
    second_tab = client.context.new_page()
    second_tab.goto(client.url)
    client.get_by_role("button", name="Send my answers").click()
    second_tab.get_by_role("button", name="Send my answers").click()
    check(client, "09-client-done")
    second_tab.wait_for_load_state("load")
    assert "sent" in second_tab.locator("h1").inner_text().lower()
    assert Response.objects.filter(rater="client", submitted_at__isnull=False).count() == 1

    # Still blind for the professional until their own side is sent.
    pro.goto(f"{live_server.url}/gesprek/{measurement_round.uuid}/")
    assert "Strongly agree" not in pro.content()
    check(pro, "10-joint-waiting")

    # The professional fills in their own side.
    pro.goto(round_url)
    pro.get_by_role("link", name=re.compile("fill in my side", re.I)).click()
    check(pro, "11-professional-questionnaire")
    answer(pro, range(19), 2)
    pro.get_by_role("button", name="Send").first.click()
    pro.get_by_role("button", name=re.compile("send my answers", re.I)).click()

    # The joint conversation view.
    pro.goto(f"{live_server.url}/gesprek/{measurement_round.uuid}/")
    check(pro, "12-joint-view")
    text = pro.locator("main").inner_text()
    assert "Direction and frame" in text
    assert "Friction" in text
    pro.get_by_label("New agreement").fill("We call each other before a missed appointment.")
    with pro.expect_response(lambda r: r.request.method == "POST"):
        pro.get_by_role("button", name="Add agreement").click()
    # Agreements are encrypted at rest: the text is compared after reading, not in the query.
    assert any(a.text.startswith("We call each other") for a in Agreement.objects.all())
    with pro.expect_response(lambda r: r.request.method == "POST"):
        pro.get_by_role("button", name="Mark as discussed").click()
    pro.wait_for_load_state()
    measurement_round.refresh_from_db()
    assert measurement_round.state == "discussed"
    check(pro)

    # The course over time.
    pro.goto(f"{live_server.url}/verloop/{measurement_round.trajectory.uuid}/")
    check(pro, "13-course")
    assert pro.locator("svg[role=img]").count() == 4
    assert pro.locator("table").count() >= 4

    # After the conversation the same link shows the client's results and the agreement.
    client.goto(link)
    assert "/m/resultaat/" in client.url
    check(client, "14-client-results")
    assert "We call each other before a missed appointment." in client.content()


def test_hand_over_this_device_locks_the_browser_to_the_client(
    new_page, live_server, professional, trajectory
):
    trajectory.client.preferred_language = "en"  # the client pages speak the client's language
    trajectory.client.save()
    measurement_round = round_start(trajectory=trajectory, by=professional)
    pro = new_page()
    log_in(pro, live_server, professional)
    pro.goto(f"{live_server.url}/metingen/{measurement_round.uuid}/")
    pro.get_by_role("button", name="Hand over this device").click()
    check(pro)
    assert "/m/start/" in pro.url

    # Nothing of the caseload or the administration is reachable now.
    for path in ("/clienten/", "/admin/", f"/metingen/{measurement_round.uuid}/"):
        pro.goto(f"{live_server.url}{path}")
        assert "/m/" in pro.url, path
        assert professional.username not in pro.content()

    pro.goto(f"{live_server.url}/m/invullen/")
    answer(pro, range(pro.locator("fieldset.am-statement").count()), 4)
    pro.get_by_role("button", name="Send").first.click()
    pro.get_by_role("button", name="Send my answers").click()
    assert Response.objects.get(rater="client").mode == "handed_over_device"

    # Getting back needs the professional's password.
    pro.get_by_role("link", name=re.compile("give the device back", re.I)).click()
    check(pro)
    pro.get_by_label("Password").fill("not-the-password")
    pro.get_by_role("button", name="Back to my screen").click()
    pro.goto(f"{live_server.url}/clienten/")
    assert "/m/" in pro.url
    pro.goto(f"{live_server.url}/m/terug/")
    pro.get_by_label("Password").fill(PASSWORD)
    pro.get_by_role("button", name="Back to my screen").click()
    assert f"/metingen/{measurement_round.uuid}/" in pro.url


def test_a_tampered_link_gets_a_friendly_page_and_changes_nothing(
    new_page, live_server, professional, trajectory
):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    tampered = secret[:-3] + ("aaa" if not secret.endswith("aaa") else "bbb")
    client = new_page(phone=True)
    response = client.goto(f"{live_server.url}/m/{tampered}/")
    assert response.status == 404
    assert "new link" in client.locator("main").inner_text().lower()
    assert_accessible(client)
    assert not Response.objects.exists()
    assert AuditEvent.objects.filter(action="invitation.refuse").exists()


def test_the_professional_cannot_reach_the_clients_answers_early(
    new_page, live_server, professional, trajectory, instrument, outsider
):
    measurement_round = round_start(trajectory=trajectory, by=professional)
    answers = full_answers(instrument, "client", 1)  # "strongly disagree" everywhere
    response_save_answers(
        round=measurement_round, rater="client", answers=answers, mode="own_device"
    )
    response_submit(round=measurement_round, rater="client")
    pro = new_page()
    log_in(pro, live_server, professional)
    for path in (
        f"/metingen/{measurement_round.uuid}/",
        f"/gesprek/{measurement_round.uuid}/",
        f"/verloop/{trajectory.uuid}/",
        f"/metingen/{measurement_round.uuid}/invullen/",
    ):
        pro.goto(f"{live_server.url}{path}")
        assert "Strongly disagree" not in pro.locator("main").inner_text() or path.endswith(
            "/invullen/"
        ), path
    # On their own questionnaire the scale labels appear, but nothing is pre-selected from the
    # client's side.
    assert pro.locator("input[type=radio]:checked").count() == 0
    # Someone from another organisation guessing the URLs gets "not found".
    other = new_page()
    log_in(other, live_server, outsider)
    for path in (f"/metingen/{measurement_round.uuid}/", f"/gesprek/{measurement_round.uuid}/"):
        assert other.goto(f"{live_server.url}{path}").status == 404


def test_easy_read_in_dutch_one_statement_per_screen(
    new_page, live_server, professional, trajectory
):
    trajectory.client.easy_read = True  # Dutch, the default language
    trajectory.client.save()
    measurement_round = round_start(trajectory=trajectory, by=professional)
    assert measurement_round.instrument_id == "eenvoudig"
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)

    client = new_page(phone=True)
    client.goto(f"{live_server.url}/m/{secret}/")
    assert client.locator("html").get_attribute("lang") == "nl"
    check(client, "15-easy-read-intro")
    # The link to the first statement: count statements on that page once it has loaded (the
    # count does not wait, and on the intro or a half-loaded page it is 0).
    with client.expect_navigation(wait_until="load"):
        client.locator("main a.utrecht-button").first.click()
    for screen in range(8):
        statement = client.locator("fieldset.am-statement")
        assert statement.count() == 1  # one statement per screen
        if screen == 0:
            # The domain word is filled in, with a pictogram and faces on the scale.
            assert "reclasseringswerker" in statement.inner_text()
            assert client.locator("svg.am-choice__face").count() == 5
            check(client, "16-easy-read-statement")
        statement.locator("label.am-choice").nth(4).click()
        # "Next" is a plain form post: count on the next page once it has loaded, not
        # on the document being replaced (CI once counted 0 statements mid-load).
        with client.expect_navigation(wait_until="load"):
            client.locator("button[name=action][value=next]").click()
    check(client)
    client.locator("form button[type=submit]").last.click()
    assert Response.objects.get(rater="client").submitted_at is not None


def test_filling_in_and_sending_works_without_javascript(
    browser, live_server, professional, trajectory, instrument
):
    trajectory.client.preferred_language = "en"
    trajectory.client.save()
    measurement_round = round_start(trajectory=trajectory, by=professional)
    _invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/m/{secret}/")
        page.get_by_role("link", name="Start", exact=True).click()
        page.wait_for_load_state("load")
        statements = page.locator("fieldset.am-statement")
        assert statements.count() == 19
        for index in range(statements.count()):
            statements.nth(index).locator("label.am-choice").nth(3).click()
        page.get_by_role("button", name="Save").first.click()  # a plain form POST
        # The click returns once the answer page has started to load again: count on it
        # once it has loaded, not on the document being replaced.
        page.wait_for_load_state("load")
        assert page.locator("input[type=radio]:checked").count() == 19
        page.get_by_role("button", name="Send").first.click()
        page.get_by_role("button", name="Send my answers").click()
        assert "/m/klaar/" in page.url
    finally:
        context.close()
    response = Response.objects.get(rater="client")
    assert response.submitted_at is not None
    assert set(response.answers.values()) == {4}
    assert len(response.answers) == len(instrument.items_for("client"))


def test_a_code_typed_in_the_professionals_own_browser_shows_no_client_draft(
    new_page, live_server, professional, trajectory, instrument
):
    """Review found the blind rule could be bypassed this way; the browser now refuses."""
    measurement_round = round_start(trajectory=trajectory, by=professional)
    first = instrument.items_for("client")[0].id
    response_save_answers(
        round=measurement_round, rater="client", answers={first: 1}, mode="own_device"
    )
    pro = new_page()
    log_in(pro, live_server, professional)
    pro.goto(f"{live_server.url}/metingen/{measurement_round.uuid}/")
    with pro.expect_navigation(wait_until="load"):  # a plain form post
        pro.get_by_role("button", name="Make a short code").click()
    code = pro.locator(".am-secret--code").inner_text().replace(" ", "")

    pro.goto(f"{live_server.url}/m/code/")
    assert "You are logged in as a professional" in pro.locator("h1").inner_text()
    assert_accessible(pro)
    response = pro.goto(f"{live_server.url}/m/{code}/")
    assert response.status == 403
    response = pro.goto(f"{live_server.url}/m/invullen/")
    assert response.status == 403
    assert pro.locator("input[type=radio]:checked").count() == 0
    assert (
        AuditEvent.objects.filter(action="client_page.refuse_staff", actor=professional).count()
        == 3
    )
    assert Response.objects.get(rater="client").answers == {first: 1}
