"""Single sign-on in a real browser: Chromium, the app and the loopback OpenID provider."""

from __future__ import annotations

import copy
import re

import pytest

from alliantiemonitor.accounts.models import SsoIdentity
from tests.accounts.oidc_provider import OidcProvider, point_app_at
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sso(settings):  # type: ignore[no-untyped-def]
    with OidcProvider() as provider:
        point_app_at(settings, provider)
        # As settings.py does when OIDC_OP_LOGOUT_ENDPOINT is set: the logout form's redirect
        # to the provider is a form action.
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(provider.issuer)
        settings.CONTENT_SECURITY_POLICY = policy
        yield provider


def test_professional_logs_in_and_out_through_the_provider(page, live_server, sso, professional):
    SsoIdentity.objects.create(user=professional, issuer=sso.issuer, subject="e2e-subject")
    sso.claims = {"sub": "e2e-subject"}
    page.goto(f"{live_server.url}/inloggen/")
    assert_accessible(page)
    page.get_by_role("link", name="Inloggen via Loopback-ID").click()
    page.wait_for_url(re.compile(r"/clienten/"))
    assert page.locator("h1").count() == 1

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{live_server.url}/inloggen/")
    assert len(sso.logouts) == 1
    assert page.console_errors == []  # a CSP violation (the redirect to the provider) shows here


def test_unlinked_person_gets_an_accessible_refusal(page, live_server, sso, professional):
    sso.claims = {"sub": "stranger", "email": "vreemde@example.org", "email_verified": True}
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_role("link", name="Inloggen via Loopback-ID").click()
    page.wait_for_url(re.compile(r"/sso/callback/"))
    assert "Je account is nog niet gekoppeld" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Terug naar de inlogpagina").click()
    page.wait_for_url(f"{live_server.url}/inloggen/")
