"""Re-authentication before sensitive actions: exports and role changes."""

from __future__ import annotations

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliantiemonitor.accounts.constants import SSO_SESSION_KEY
from alliantiemonitor.common.reauth import (
    FULL_AUTH_KEY,
    RecentAuthRequiredMixin,
    require_recent_auth,
)
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REAUTH = reverse("reauthenticate")


def _age_login(client, seconds=11 * 60):
    """Make the session's last full login ``seconds`` old."""
    session = client.session
    session[FULL_AUTH_KEY] = int(time.time()) - seconds
    session.save()


def test_an_export_after_a_recent_login_goes_ahead(client, team_lead, team):
    client.force_login(team_lead)
    assert client.get(reverse("dashboards:team_csv", args=[team.uuid])).status_code == 200


def test_an_old_login_asks_for_password_and_code_before_an_export(client, team_lead, team):
    url = reverse("dashboards:team_csv", args=[team.uuid])
    client.force_login(team_lead)
    _age_login(client)
    response = client.get(url)
    assert response["Location"] == REAUTH + "?next=" + url.replace("/", "%2F")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    assert 'name="code"' in page.content.decode()

    device = TOTPDevice.objects.get(user=team_lead)
    wrong_password = client.post(
        REAUTH, {"password": "not-it", "code": current_code(device), "next": url}
    )
    assert wrong_password.status_code == 400
    assert client.get(url)["Location"].startswith(REAUTH)

    right = client.post(REAUTH, {"password": PASSWORD, "code": current_code(device), "next": url})
    assert right["Location"] == url
    assert client.get(url).status_code == 200


def test_a_wrong_code_at_re_authentication_is_refused(client, team_lead, team):
    client.force_login(team_lead)
    _age_login(client)
    device = TOTPDevice.objects.get(user=team_lead)
    code = current_code(device)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(REAUTH, {"password": PASSWORD, "code": wrong, "next": "/"})
    assert response.status_code == 400
    assert client.session[FULL_AUTH_KEY] < time.time() - 600


def test_wrong_passwords_at_re_authentication_lock_like_the_login(
    client, team_lead, team, settings
):
    client.force_login(team_lead)
    _age_login(client)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(REAUTH, {"password": "guess", "code": "123456"})
    device = TOTPDevice.objects.get(user=team_lead)
    response = client.post(REAUTH, {"password": PASSWORD, "code": current_code(device)})
    assert response.status_code == 429


def test_role_changes_in_the_admin_ask_first(client, org_admin, professional):
    client.force_login(org_admin)
    _age_login(client)
    membership = professional.memberships.get()
    for url in [
        f"/admin/organisations/membership/{membership.pk}/change/",
        "/admin/organisations/membership/add/",
        f"/admin/accounts/user/{professional.pk}/change/",
        f"/admin/accounts/user/{professional.pk}/password/",
    ]:
        assert client.get(url)["Location"].startswith(REAUTH), url
    before = membership.role
    response = client.post(
        f"/admin/organisations/membership/{membership.pk}/change/", {"role": "org_admin"}
    )
    assert response["Location"].startswith(REAUTH)
    membership.refresh_from_db()
    assert membership.role == before
    # Looking at the lists needs no new login.
    assert client.get("/admin/organisations/membership/").status_code == 200


def test_without_a_second_factor_requirement_the_password_is_enough(
    client, team_lead, team, settings
):
    settings.ALLIANTIEMONITOR_REQUIRE_2FA = False
    url = reverse("dashboards:team_csv", args=[team.uuid])
    client.force_login(team_lead)
    _age_login(client)
    page = client.get(REAUTH + "?next=" + url)
    assert 'name="code"' not in page.content.decode()
    assert client.post(REAUTH, {"password": PASSWORD, "next": url})["Location"] == url


def test_a_single_sign_on_session_signs_in_again(client, team_lead, team):
    url = reverse("dashboards:team_csv", args=[team.uuid])
    client.force_login(team_lead)
    session = client.session
    session[SSO_SESSION_KEY] = True
    session.save()
    _age_login(client)
    response = client.get(client.get(url)["Location"])
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_decorator_and_the_mixin_answer_htmx_with_a_full_page_load(rf: RequestFactory):
    from django.contrib.sessions.backends.db import SessionStore
    from django.views import View

    class Export(RecentAuthRequiredMixin, View):
        def get(self, request):
            return HttpResponse("data")

    @require_recent_auth
    def export(request):
        return HttpResponse("data")

    class Someone:
        is_authenticated = True

    for view in [export, Export.as_view()]:
        request = rf.get("/export/", headers={"HX-Request": "true"})
        request.user = Someone()
        request.session = SessionStore()
        response = view(request)
        assert response.status_code == 204
        assert response["HX-Redirect"] == REAUTH + "?next=%2Fexport%2F"
        request.session[FULL_AUTH_KEY] = int(time.time())
        assert view(request).content == b"data"
