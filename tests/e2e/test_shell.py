"""A person logs in, switches language and reaches the administration, in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_professional_logs_in_and_switches_to_english(page, live_server, professional):
    page.goto(f"{live_server.url}/inloggen/")
    assert_accessible(page)
    log_in(page, live_server, professional)
    assert_accessible(page)
    assert page.locator("html").get_attribute("lang") == "nl"
    page.keyboard.press("Tab")  # the skip link is the first thing the keyboard reaches
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    # The language switch is a plain form post: read the next page once it has loaded (the
    # count of headings does not wait, and console errors arrive while it loads).
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.console_errors == []
    assert page.external_requests == []


def test_organisation_admin_reaches_the_administration_under_strict_csp(
    page, live_server, org_admin, organisation
):
    org_admin.is_staff = True
    org_admin.save()
    log_in(page, live_server, org_admin)
    # Each step follows a link: act on and read each page once it has loaded (``.last`` on a
    # half-loaded list can pick another link; a CSP violation is reported while a page loads).
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Beheer").click()
    with page.expect_navigation(wait_until="load"):
        admin_index = page.locator("#content-main")
        admin_index.get_by_role("link", name="Organisaties", exact=True).last.click()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=organisation.name).click()
    assert page.url.endswith("/change/")
    assert organisation.name in page.locator("#content").inner_text()
    assert page.console_errors == []  # a CSP violation would be reported here
    assert page.external_requests == []
