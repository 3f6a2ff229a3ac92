"""Password policy, the self-service password change, idle timeout, no-store, hand-over cookie."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliantiemonitor.accounts.middleware import LAST_SEEN_KEY
from alliantiemonitor.measurements.services import invitation_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaa", "abababababab", "123412341234", "short-Pw1", "password1234"]
)
def test_weak_passwords_are_refused(password, professional):
    with pytest.raises(ValidationError):
        validate_password(password, professional)


def test_a_strong_password_passes(professional):
    validate_password("Kastanje-Regenboog-2031", professional)


def test_staff_change_their_own_password(client, professional):
    client.force_login(professional)
    home = client.get(reverse("home"), follow=True)
    assert f'href="{reverse("password_change")}"' in home.content.decode()
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a" * 12, "new_password2": "a" * 12},
    )
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]
    new = "Kastanje-Regenboog-2031"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("home")
    professional.refresh_from_db()
    assert professional.check_password(new)
    assert not professional.must_change_password
    # Still logged in (the session follows the new password).
    assert client.get(reverse("trajectories:caseload")).status_code == 200


def test_an_idle_staff_session_ends(client, professional, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(professional)
    caseload = reverse("trajectories:caseload")
    assert client.get(caseload).status_code == 200
    session = client.session
    assert isinstance(session[LAST_SEEN_KEY], int)
    session[LAST_SEEN_KEY] -= 31 * 60
    session.save()
    response = client.get(caseload)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get(caseload).status_code == 302


def test_an_active_session_stays(client, professional, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(professional)
    caseload = reverse("trajectories:caseload")
    client.get(caseload)
    session = client.session
    session[LAST_SEEN_KEY] -= 29 * 60
    session.save()
    assert client.get(caseload).status_code == 200
    # The request counted as activity: the clock starts again.
    assert client.session[LAST_SEEN_KEY] > session[LAST_SEEN_KEY]


def test_staff_and_client_pages_are_not_stored(client, professional, measurement_round):
    client.force_login(professional)
    for url in [
        reverse("trajectories:caseload"),
        reverse("measurements:round_detail", kwargs={"uuid": measurement_round.uuid}),
        reverse("admin:index"),
        reverse("login"),
    ]:
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
    _invitation, token = invitation_create(round=measurement_round, kind="link", by=professional)
    client.logout()
    client.get(f"/m/{token}/")
    for url in [reverse("client:start"), reverse("client:code")]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_handed_over_device_forgets_the_login_when_the_browser_closes(
    client, professional, measurement_round
):
    client.force_login(professional)
    assert not client.session.get_expire_at_browser_close()
    url = reverse("measurements:hand_over_device", kwargs={"uuid": measurement_round.uuid})
    client.post(url)
    assert client.session.get_expire_at_browser_close()
    assert client.cookies["sessionid"]["expires"] == ""
    client.post(reverse("client:return"), {"password": PASSWORD})
    assert client.session.get_expire_at_browser_close()
