"""The second login step: enrolment, the code, wrong codes, lockout, recovery codes, reset."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.checks import Error
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliantiemonitor.accounts.constants import SSO_SESSION_KEY
from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.web.checks import check_second_factor_required
from tests.conftest import current_code, second_factor_verified
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

LOGIN = reverse("login")
VERIFY = reverse("second_factor_verify")
ENROL = reverse("second_factor_enrol")


def _password_login(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def _app(user):
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def _unthrottle(user):
    """Forget django-otp's slow-down after wrong codes (to test the lockout on its own)."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    StaticDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def _events(action, user):
    return AuditEvent.objects.filter(action=action, object_uuid=user.uuid)


def _wrong(code):
    """Another six-digit code than ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- Enrolment ----------------------------------------------------------------------------


def test_a_user_without_an_app_sets_it_up_at_the_first_login(client, professional):
    _password_login(client, professional)
    page = client.get(reverse("home"))
    assert page["Location"] == ENROL + "?next=%2F"
    page = client.get(page["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=professional, confirmed=False)
    html = page.content.decode()
    # The QR code inline (no script, no external image) and the key written out.
    assert "<svg" in html
    assert "<script" not in html.split("<main", 1)[1]
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html

    wrong = client.post(ENROL, {"code": _wrong(current_code(device)), "next": "/"})
    assert wrong.status_code == 400
    assert client.get(reverse("home"))["Location"].startswith(ENROL)

    _unthrottle(professional)
    done = client.post(ENROL, {"code": current_code(device), "next": "/"})
    assert done["Location"] == reverse("second_factor_recovery_codes") + "?next=%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert _events(AccountAction.SECOND_FACTOR_ENROL, professional).count() == 1

    # The recovery codes, once: on the page and as a download, until the user goes on.
    codes = list(
        StaticToken.objects.filter(device__user=professional).values_list("token", flat=True)
    )
    assert len(codes) == 10
    shown = client.get(done["Location"]).content.decode()
    assert all(code in shown for code in codes)
    download = client.get(reverse("second_factor_recovery_codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in codes)
    going_on = client.post(reverse("second_factor_recovery_codes"), {"next": "/"})
    assert going_on["Location"] == "/"
    again = client.get(reverse("second_factor_recovery_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert client.get(reverse("home"))["Location"] == reverse("trajectories:caseload")


def test_an_abandoned_set_up_leaves_no_second_device(client, professional):
    _password_login(client, professional)
    client.get(ENROL)
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=professional).count() == 1


def test_enrolment_is_not_offered_to_a_user_with_an_app(client, professional):
    _app(professional)
    _password_login(client, professional)
    assert client.get(ENROL)["Location"].startswith(VERIFY)


# --- The code step ------------------------------------------------------------------------


def test_every_staff_page_waits_for_the_code(client, professional, org_admin):
    _app(professional)
    _password_login(client, professional)
    for url in [
        reverse("home"),
        reverse("trajectories:caseload"),
        reverse("password_change"),
        reverse("scheduling:mail_settings"),
        "/admin/",
    ]:
        assert client.get(url)["Location"].startswith(VERIFY), url
    # A form posted to a staff page does nothing either.
    assert client.post(reverse("password_change"), {})["Location"] == VERIFY


def test_client_pages_are_not_affected(client, professional):
    _app(professional)
    _password_login(client, professional)
    # The client's pages (no account) answer as for anyone, e.g. on a handed-over device.
    for name in ["client:start", "client:fill", "client:done"]:
        response = client.get(reverse(name))
        assert not response.get("Location", "").startswith(VERIFY), name


def test_the_right_code_opens_the_pages_and_counts_as_a_full_login(client, professional):
    device = _app(professional)
    _password_login(client, professional)
    response = client.post(VERIFY, {"code": current_code(device), "next": "/clienten/"})
    assert response["Location"] == "/clienten/"
    assert client.get(reverse("trajectories:caseload")).status_code == 200
    assert "alliantiemonitor.full_auth_at" in client.session


def test_a_wrong_code_is_refused_with_a_message(client, professional):
    device = _app(professional)
    _password_login(client, professional)
    response = client.post(VERIFY, {"code": _wrong(current_code(device))})
    assert response.status_code == 400
    assert "Deze code klopt niet." in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_a_code_cannot_be_used_twice(client, professional):
    device = _app(professional)
    code = current_code(device)
    _password_login(client, professional)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    _password_login(client, professional)
    assert client.post(VERIFY, {"code": code}).status_code == 400


def test_a_next_address_elsewhere_is_ignored(client, professional):
    device = _app(professional)
    _password_login(client, professional)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_wrong_codes_lock_the_login_like_wrong_passwords(client, professional, settings):
    device = _app(professional)
    _password_login(client, professional)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _unthrottle(professional)
        client.post(VERIFY, {"code": _wrong(current_code(device))})
    _unthrottle(professional)
    locked = client.post(VERIFY, {"code": current_code(device)})
    assert locked.status_code == 429
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    # The password step is closed as well, for this user at this address.
    client.logout()
    assert (
        client.post(LOGIN, {"username": professional.username, "password": PASSWORD}).status_code
        == 429
    )


def test_wrong_codes_slow_down_across_new_logins(client, professional):
    """django-otp's throttling lives on the device: a new password login does not reset it."""
    device = _app(professional)
    _password_login(client, professional)
    client.post(VERIFY, {"code": _wrong(current_code(device))})
    # Right away, even the right code waits.
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 400
    assert "Te veel verkeerde codes. Wacht" in response.content.decode()
    client.logout()
    _password_login(client, professional)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # A guesser's hundredth wrong code makes the next try wait for hours.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=20, throttling_failure_timestamp=timezone.now()
    )
    assert client.post(VERIFY, {"code": current_code(device)}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(days=30)
    )
    assert client.post(VERIFY, {"code": current_code(device)}).status_code == 302


def test_codes_of_no_known_shape_count_as_wrong(client, professional):
    _app(professional)
    _password_login(client, professional)
    assert client.post(VERIFY, {"code": "<script>"}).status_code == 400
    assert TOTPDevice.objects.get(user=professional).throttling_failure_count == 1


# --- Recovery codes -----------------------------------------------------------------------


def _with_recovery_codes(user):
    from alliantiemonitor.accounts.second_factor import recovery_codes_renew

    _app(user)
    return recovery_codes_renew(user=user)


def test_a_recovery_code_works_once_instead_of_the_app(client, professional):
    codes = _with_recovery_codes(professional)
    _password_login(client, professional)
    typed = codes[0].upper()[:4] + " " + codes[0][4:]  # as people type it
    response = client.post(VERIFY, {"code": typed}, follow=True)
    assert response.status_code == 200
    assert "9" in response.content.decode()  # "9 recovery codes are left"
    event = _events(AccountAction.RECOVERY_CODE_USE, professional).get()
    assert event.detail == {"left": 9}
    assert event.actor == professional

    client.logout()
    _password_login(client, professional)
    _unthrottle(professional)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400
    _unthrottle(professional)
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, professional):
    old = _with_recovery_codes(professional)
    client.force_login(professional)
    second_factor_verified(client, professional)
    page = client.get(reverse("second_factor_recovery_codes")).content.decode()
    assert "10" in page
    renewals = _events(AccountAction.RECOVERY_CODES_RENEW, professional).count()
    response = client.post(reverse("second_factor_recovery_codes_renew"))
    assert response["Location"] == reverse("second_factor_recovery_codes")
    new = list(
        StaticToken.objects.filter(device__user=professional).values_list("token", flat=True)
    )
    assert len(new) == 10
    assert not set(new) & set(old)
    assert all(code in client.get(response["Location"]).content.decode() for code in new)
    assert _events(AccountAction.RECOVERY_CODES_RENEW, professional).count() == renewals + 1


# --- Administrator reset ------------------------------------------------------------------


def _reset_action(client, user):
    return client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [user.pk]},
    )


def test_a_superuser_resets_a_users_second_factor(client, superuser, professional):
    _with_recovery_codes(professional)
    # The professional is logged in and verified somewhere.
    elsewhere = Client()
    elsewhere.force_login(professional)
    second_factor_verified(elsewhere, professional)
    assert elsewhere.get(reverse("home"))["Location"] == reverse("trajectories:caseload")

    client.force_login(superuser)
    second_factor_verified(client, superuser)
    response = _reset_action(client, professional)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=professional).exists()
    assert not StaticDevice.objects.filter(user=professional).exists()
    event = _events(AccountAction.SECOND_FACTOR_RESET, professional).get()
    assert event.actor == superuser
    assert event.detail == {"devices": 2}
    # The open session lost its verification at once: the professional enrols again.
    assert elsewhere.get(reverse("home"))["Location"].startswith(ENROL)


def test_an_organisation_admin_cannot_reset_a_second_factor(client, org_admin, professional):
    _app(professional)
    client.force_login(org_admin)
    second_factor_verified(client, org_admin)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "reset_second_factor" not in page
    _reset_action(client, professional)
    assert TOTPDevice.objects.filter(user=professional).exists()
    assert not _events(AccountAction.SECOND_FACTOR_RESET, professional).exists()


# --- Single sign-on, fail closed, the demo ------------------------------------------------


def test_a_single_sign_on_session_counts_as_verified(client, professional):
    _password_login(client, professional)
    session = client.session
    session[SSO_SESSION_KEY] = True
    session.save()
    assert client.get(reverse("home"))["Location"] == reverse("trajectories:caseload")
    # Its first request is its full login (the sign-on marks the session after Django's login).
    assert "alliantiemonitor.full_auth_at" in client.session


def test_an_error_in_the_check_refuses_the_request(client, professional, monkeypatch):
    _app(professional)
    _password_login(client, professional)

    def broken(request):
        raise RuntimeError("database gone")

    monkeypatch.setattr("alliantiemonitor.accounts.middleware.second_factor_satisfied", broken)
    assert client.get(reverse("trajectories:caseload")).status_code == 403


def test_without_the_requirement_the_password_is_enough_and_every_page_says_so(
    client, professional
):
    with override_settings(ALLIANTIEMONITOR_REQUIRE_2FA=False):
        _password_login(client, professional)
        page = client.get(reverse("trajectories:caseload"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Demo: inloggen zonder tweede stap staat aan; in productie is die verplicht." in html
        # A fresh full login for re-authentication too (no code to ask).
        assert "alliantiemonitor.full_auth_at" in client.session
    client.logout()
    assert "Demo:" not in client.get(LOGIN).content.decode()


def test_production_refuses_the_requirement_off():
    with override_settings(ALLIANTIEMONITOR_REQUIRE_2FA=False, DEBUG=False):
        errors = check_second_factor_required()
    assert [type(e) for e in errors] == [Error]
    assert errors[0].id == "alliantiemonitor.E010"
    with override_settings(ALLIANTIEMONITOR_REQUIRE_2FA=False, DEBUG=True):
        assert check_second_factor_required() == []
    with override_settings(ALLIANTIEMONITOR_REQUIRE_2FA=True, DEBUG=False):
        assert check_second_factor_required() == []


def test_the_deploy_check_is_registered():
    """The web app's checks were once never registered (two app configs, none the default)."""
    from django.core.checks import registry

    from alliantiemonitor.web.checks import check_frontend_packages

    checks = registry.registry.get_checks(include_deployment_checks=True)
    assert check_second_factor_required in checks
    assert check_frontend_packages in registry.registry.get_checks()


def test_the_demo_tells_how_to_log_in():
    from alliantiemonitor.web.management.commands.demo import _second_factor_lines

    with override_settings(ALLIANTIEMONITOR_REQUIRE_2FA=False):
        assert "no second step" in " ".join(_second_factor_lines())
    with override_settings(ALLIANTIEMONITOR_REQUIRE_2FA=True):
        assert "authenticator app" in " ".join(_second_factor_lines())


@pytest.mark.parametrize("target", ["caseload", "f¿ô", "javascript:alert(1)", "//evil.example/"])
def test_a_next_that_is_not_a_path_on_this_site_sends_home(client, professional, target):
    """A bare word as ``next`` made ``redirect`` look for a view of that name: a 500."""
    client.force_login(professional)
    response = client.get(reverse("second_factor_verify"), {"next": target})
    assert response.status_code == 302
    # Home, or on to the set-up first (this user has none yet) with home as what comes next.
    assert response["Location"] in (
        reverse("home"),
        reverse("second_factor_enrol") + "?next=%2F",
    )
