"""Hand-back passwords and login passwords share one lockout policy (django-axes).

A wrong hand-back password counts as a failed login of that user from that address; a user
locked out at the login page cannot guess on through the hand-back page; and the lockout is
per user *and* address, like the login's, so it does not follow the professional to every
other device.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alliantiemonitor.measurements.client_session import HANDOVER_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
OFFICE = "192.0.2.20"
HOME = "198.51.100.30"


def _device(address):
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def _handed_over(professional, measurement_round, address=OFFICE):
    device = _device(address)
    device.force_login(professional)
    url = reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid})
    assert device.post(url)["Location"] == reverse("client:start")
    return device


def _hand_back(device, password):
    return device.post(reverse("client:return"), {"password": password})


def _log_in(device, user, password):
    return device.post(reverse("login"), {"username": user.username, "password": password})


def test_wrong_hand_back_passwords_count_as_failed_logins(professional, measurement_round):
    device = _handed_over(professional, measurement_round)
    for _ in range(LIMIT - 2):
        assert _hand_back(device, "guess").status_code == 400
    login_page = _device(OFFICE)
    assert _log_in(login_page, professional, "another-guess").status_code == 200
    # The limit is reached together: no extra guesses through the other page.
    assert _log_in(login_page, professional, "one-more-guess").status_code == 429
    assert _log_in(login_page, professional, PASSWORD).status_code == 429
    assert "_auth_user_id" not in login_page.session
    locked = _hand_back(device, PASSWORD)
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    assert HANDOVER_KEY in device.session


def test_a_user_locked_out_at_login_cannot_guess_through_hand_back(professional, measurement_round):
    device = _handed_over(professional, measurement_round)
    login_page = _device(OFFICE)
    for _ in range(LIMIT):
        _log_in(login_page, professional, "guess")
    assert _hand_back(device, PASSWORD).status_code == 429
    assert HANDOVER_KEY in device.session


def test_a_hand_back_lockout_does_not_follow_the_professional_elsewhere(
    professional, measurement_round
):
    office_device = _handed_over(professional, measurement_round)
    for _ in range(LIMIT):
        _hand_back(office_device, "guess")
    assert _hand_back(office_device, PASSWORD).status_code == 429

    # At home the professional logs in as usual and can hand over and back again.
    home = _device(HOME)
    assert _log_in(home, professional, PASSWORD)["Location"] == reverse("home")
    home_device = _handed_over(professional, measurement_round, address=HOME)
    assert _hand_back(home_device, PASSWORD).status_code == 302
    assert HANDOVER_KEY not in home_device.session


def test_a_good_hand_back_resets_the_count_like_a_login(professional, measurement_round):
    device = _handed_over(professional, measurement_round)
    for _ in range(LIMIT - 1):
        _hand_back(device, "guess")
    assert _hand_back(device, PASSWORD).status_code == 302
    login_page = _device(OFFICE)
    for _ in range(LIMIT - 1):
        _log_in(login_page, professional, "guess")
    assert _log_in(login_page, professional, PASSWORD)["Location"] == reverse("home")


def test_the_login_lockout_page_is_translated(professional):
    login_page = Client(REMOTE_ADDR=OFFICE)  # Dutch, the default language
    for _ in range(LIMIT):
        response = _log_in(login_page, professional, "guess")
    assert response.status_code == 429
    assert "Te veel" in response.content.decode()
    assert response["Cache-Control"].count("no-store") == 1
