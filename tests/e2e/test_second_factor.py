"""A new staff member sets up the second step in a real browser, then logs in with it."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_code
from tests.e2e.conftest import PASSWORD, assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_second_factor]


def _password(page, live_server, user):
    page.goto(f"{live_server.url}/inloggen/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_enrol_keep_the_recovery_codes_and_log_in_with_the_app(page, live_server, professional):
    professional.set_password(PASSWORD)
    professional.must_change_password = False
    professional.save()

    _password(page, live_server, professional)
    page.wait_for_url("**/tweede-stap/instellen/**")
    assert page.locator("main svg").count() == 1  # the QR code, inline
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=professional, confirmed=False)
    page.get_by_label("Code uit de app").fill(current_code(device))
    page.get_by_role("button", name="Bevestigen en verder").click()

    page.wait_for_url("**/tweede-stap/herstelcodes/**")
    assert page.locator(".am-recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("button", name="Ik heb de codes bewaard, verder").click()
    page.wait_for_url("**/clienten/**")
    assert page.console_errors == []
    assert page.external_requests == []

    # The next login asks for the code.
    page.get_by_role("button", name="Uitloggen").click()
    _password(page, live_server, professional)
    page.wait_for_url("**/tweede-stap/?**")
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url("**/clienten/**")
