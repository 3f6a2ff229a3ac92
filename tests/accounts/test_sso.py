"""Single sign-on against a real OpenID Connect provider on loopback (no mock of the library).

The browser's part is played by Django's test client (the app) and ``requests`` (the provider):
the app sends the browser to the provider, the provider sends it back with a code, and the app
redeems the code over real HTTP, checks the id token and decides which account it opens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core.checks import Error
from django.test import Client
from django.urls import reverse

from alliantiemonitor.accounts.checks import check_sso_https, check_sso_settings
from alliantiemonitor.accounts.constants import SSO_SESSION_KEY, SsoRefusal
from alliantiemonitor.accounts.models import SsoIdentity
from alliantiemonitor.accounts.services import SsoRefused, sso_identity_link
from alliantiemonitor.audit.constants import AccountAction
from alliantiemonitor.audit.models import AuditEvent
from tests.accounts.oidc_provider import TAMPERINGS, OidcProvider, point_app_at
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = "b6f0c1e2-loopback-subject-0001"


@pytest.fixture
def provider() -> Any:
    with OidcProvider() as running:
        yield running


@pytest.fixture
def sso(provider: OidcProvider, settings: Any) -> OidcProvider:
    """The app configured for the running loopback provider."""
    return point_app_at(settings, provider)


def _to_provider(client: Client, provider: OidcProvider, next_url: str | None = None) -> str:
    """Start a login at the app; return the provider's answer: the app's callback address."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    response = client.get(reverse("sso_login") + query)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.issuer}/authorize?")
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.netloc == "testserver"
    return f"{callback.path}?{callback.query}"


def sso_login(client: Client, provider: OidcProvider, next_url: str | None = None) -> Any:
    """Run the whole flow; return the app's answer to the provider's redirect."""
    return client.get(_to_provider(client, provider, next_url))


def _logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def _refusals(reason: SsoRefusal) -> Any:
    return AuditEvent.objects.filter(action=AccountAction.SSO_REFUSED, detail__reason=reason.value)


def assert_refused(client: Client, response: Any, status: int, reason: SsoRefusal) -> Any:
    """The refusal page with ``status``, nobody logged in, one audit event; return the event."""
    assert response.status_code == status
    assert "niet gelukt" in response.content.decode()
    assert not _logged_in(client)
    assert SSO_SESSION_KEY not in client.session
    return _refusals(reason).get()


def _link(user: Any, provider: OidcProvider, subject: str = SUBJECT) -> SsoIdentity:
    return SsoIdentity.objects.create(user=user, issuer=provider.issuer, subject=subject)


# --- off unless configured ----------------------------------------------------------------------


def test_off_by_default_no_button_and_no_pages(client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "Inloggen via" not in page.content.decode()
    assert client.get(reverse("sso_login")).status_code == 404
    assert client.get(reverse("sso_callback") + "?code=x&state=y").status_code == 404


def test_login_page_offers_the_provider_next_to_the_password(client, sso):
    page = client.get(reverse("login") + "?next=/planning/")
    html = page.content.decode()
    assert "Inloggen via Loopback-ID" in html
    assert f'href="{reverse("sso_login")}?next=%2Fplanning%2F"' in html
    assert 'name="password"' in html  # the password form stays


# --- who gets in --------------------------------------------------------------------------------


def test_linked_user_logs_in_and_the_session_counts_as_two_factor(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT, "email": "ander.adres@example.org", "email_verified": True}
    response = sso_login(client, sso)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(professional.pk)
    # The contract with the two-factor rules: the provider's login is the second factor.
    assert client.session[SSO_SESSION_KEY] is True
    assert client.get(reverse("trajectories:caseload")).status_code == 200
    event = AuditEvent.objects.get(action=AccountAction.SSO_LOGIN)
    assert event.actor == professional
    assert event.detail == {"issuer": sso.issuer}
    assert SsoIdentity.objects.get(user=professional).last_login_at is not None


def test_first_login_links_by_verified_email_then_the_subject_counts(client, sso, professional):
    sso.claims = {"sub": SUBJECT, "email": professional.email.upper(), "email_verified": True}
    assert sso_login(client, sso).status_code == 302
    identity = SsoIdentity.objects.get(user=professional)
    assert (identity.issuer, identity.subject) == (sso.issuer, SUBJECT)
    link = AuditEvent.objects.get(action=AccountAction.SSO_LINK)
    assert link.object_uuid == professional.uuid
    assert link.detail == {"issuer": sso.issuer, "subject": SUBJECT}

    # Later the address changes at the provider: the subject still opens the same account.
    client.logout()
    sso.claims = {"sub": SUBJECT, "email": "nieuw@example.org", "email_verified": False}
    assert sso_login(client, sso).status_code == 302
    assert client.session[SESSION_KEY] == str(professional.pk)


def test_login_returns_to_the_page_asked_for(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    response = sso_login(client, sso, next_url=reverse("password_change"))
    assert response["Location"] == reverse("password_change")


def test_login_never_goes_to_another_site(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    response = sso_login(client, sso, next_url="https://evil.example/")
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        # Nobody with this subject or address.
        ({"sub": "unknown", "email": "niemand@example.org", "email_verified": True}, "not_linked"),
        # The address matches, but the provider did not verify it.
        ({"sub": "s2", "email": "pro.jansen@example.org", "email_verified": False}, "not_linked"),
        ({"sub": "s3", "email": "pro.jansen@example.org"}, "not_linked"),
    ],
)
def test_unknown_or_unverified_person_is_refused(client, sso, professional, claims, reason):
    sso.claims = claims
    response = sso_login(client, sso)
    event = assert_refused(client, response, 403, SsoRefusal(reason))
    assert "Je account is nog niet gekoppeld" in response.content.decode()
    assert not SsoIdentity.objects.exists()
    # Nothing of what the provider sent (address, tokens) is kept for a stranger.
    assert event.detail == {"reason": reason, "issuer": sso.issuer}


def test_linking_by_email_can_be_switched_off(client, sso, professional, settings):
    settings.ALLIANTIEMONITOR_SSO_LINK_BY_EMAIL = False
    sso.claims = {"sub": SUBJECT, "email": professional.email, "email_verified": True}
    assert sso_login(client, sso).status_code == 403
    assert not SsoIdentity.objects.exists()


def test_account_without_membership_is_refused(client, sso, organisation):
    user = UserFactory(username="zonder.rol")
    MembershipFactory(user=user, organisation=organisation, role="professional", active=False)
    sso.claims = {"sub": SUBJECT, "email": user.email, "email_verified": True}
    response = sso_login(client, sso)
    event = assert_refused(client, response, 403, SsoRefusal.NO_MEMBERSHIP)
    assert event.object_uuid == user.uuid
    assert "Je account is nog niet gekoppeld" in response.content.decode()
    assert not SsoIdentity.objects.exists()  # no link without a way in


def test_deactivated_user_is_refused(client, sso, professional):
    _link(professional, sso)
    professional.is_active = False
    professional.save()
    sso.claims = {"sub": SUBJECT}
    response = sso_login(client, sso)
    event = assert_refused(client, response, 403, SsoRefusal.DEACTIVATED)
    assert event.object_uuid == professional.uuid
    assert "gedeactiveerd" in response.content.decode()


def test_deactivation_ends_a_running_sso_session(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    sso_login(client, sso)
    assert client.get(reverse("trajectories:caseload")).status_code == 200
    professional.is_active = False
    professional.save()
    response = client.get(reverse("trajectories:caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_two_accounts_with_the_address_are_not_guessed_between(client, sso, organisation):
    for name in ("een", "twee"):
        user = UserFactory(username=f"dubbel.{name}", email="gedeeld@example.org")
        MembershipFactory(user=user, organisation=organisation, role="professional")
    sso.claims = {"sub": SUBJECT, "email": "gedeeld@example.org", "email_verified": True}
    response = sso_login(client, sso)
    assert_refused(client, response, 403, SsoRefusal.AMBIGUOUS)


def test_an_address_does_not_take_over_an_account_linked_to_another_subject(
    client, sso, professional
):
    _link(professional, sso, subject="the-first-subject")
    sso.claims = {"sub": "a-new-subject", "email": professional.email, "email_verified": True}
    response = sso_login(client, sso)
    assert SsoIdentity.objects.get().subject == "the-first-subject"
    assert_refused(client, response, 403, SsoRefusal.OTHER_SUBJECT)


def test_sso_session_is_not_sent_to_change_a_password_it_did_not_use(client, sso, professional):
    professional.must_change_password = True
    professional.save()
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    sso_login(client, sso)
    assert client.get(reverse("trajectories:caseload")).status_code == 200


# --- what the provider sends is checked ---------------------------------------------------------


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS - {"slow"}))
def test_forged_or_stale_answers_are_refused(client, sso, professional, tampering):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT, "email": professional.email, "email_verified": True}
    sso.tamper = {tampering}
    response = sso_login(client, sso)
    assert_refused(client, response, 400, SsoRefusal.INVALID)
    assert "Inloggen via Loopback-ID is niet gelukt" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AccountAction.SSO_LOGIN).exists()


def test_wrong_state_is_refused(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    callback = urlsplit(_to_provider(client, sso))
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    response = client.get(callback.path, {**query, "state": "forged-state"})
    assert_refused(client, response, 400, SsoRefusal.INVALID)


def test_callback_of_a_login_started_in_another_browser_is_refused(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    callback = _to_provider(client, sso)
    other_browser = Client()
    response = other_browser.get(callback)
    assert response.status_code == 400
    assert SESSION_KEY not in other_browser.session


def test_a_callback_works_once(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    callback = _to_provider(client, sso)
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code == 400
    assert not _logged_in(client)


def test_provider_error_is_refused_clearly(client, sso):
    response = client.get(reverse("sso_callback"), {"error": "access_denied", "state": "x"})
    assert_refused(client, response, 400, SsoRefusal.PROVIDER_ERROR)
    assert "Inloggen via Loopback-ID is niet gelukt" in response.content.decode()


def test_unreachable_provider_gets_a_clear_page(client, professional, settings):
    with OidcProvider() as provider:
        point_app_at(settings, provider)
        _link(professional, provider)
        provider.claims = {"sub": SUBJECT}
        callback = _to_provider(client, provider)
    response = client.get(callback)  # the provider has stopped
    assert "kon niet worden bereikt" in response.content.decode()
    assert_refused(client, response, 502, SsoRefusal.UNREACHABLE)


def test_a_provider_that_hangs_gets_a_clear_page_in_time(client, sso, professional, settings):
    settings.OIDC_TIMEOUT = 1
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    sso.tamper = {"slow"}
    response = sso_login(client, sso)
    assert_refused(client, response, 502, SsoRefusal.UNREACHABLE)


# --- logout -------------------------------------------------------------------------------------


def test_logout_of_an_sso_session_also_logs_out_at_the_provider(client, sso, professional):
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    sso_login(client, sso)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{sso.issuer}/logout?")
    assert not _logged_in(client)
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://testserver" + reverse("login")
    (call,) = sso.logouts
    assert call["client_id"] == sso.client_id
    assert call["id_token_hint"].count(".") == 2  # the id token the login got


def test_logout_without_provider_logout_or_of_a_password_session_stays_local(
    client, sso, professional, settings
):
    client.force_login(professional)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")

    settings.OIDC_OP_LOGOUT_ENDPOINT = ""
    _link(professional, sso)
    sso.claims = {"sub": SUBJECT}
    sso_login(client, sso)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert not _logged_in(client)
    assert sso.logouts == []


# --- configuration -----------------------------------------------------------------------


def test_half_configured_sso_is_an_error(settings):
    assert check_sso_settings() == []
    settings.ALLIANTIEMONITOR_SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    (error,) = check_sso_settings()
    assert isinstance(error, Error)
    assert error.id == "alliantiemonitor.E201"
    assert "OIDC_OP_TOKEN_ENDPOINT" in error.msg


def test_production_insists_on_https(sso, settings):
    (error,) = check_sso_https()
    assert error.id == "alliantiemonitor.E202"
    assert "OIDC_OP_TOKEN_ENDPOINT" in error.msg
    for name, value in sso.settings().items():
        if name.startswith("OIDC_OP_") and value:
            setattr(settings, name, value.replace("http://", "https://"))
    assert check_sso_https() == []
    assert check_sso_settings() == []


# --- unlinking in the admin ---------------------------------------------------------------------


def test_org_admin_sees_and_unlinks_an_identity_audited(client, org_admin, professional):
    identity = SsoIdentity.objects.create(
        user=professional, issuer="https://id.example.org", subject=SUBJECT
    )
    client.force_login(org_admin)
    url = f"/admin/accounts/user/{professional.pk}/change/"
    page = client.get(url)
    assert SUBJECT in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "is_active": "on",
            "date_joined_0": professional.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": professional.date_joined.strftime("%H:%M:%S"),
        }
    )
    membership = professional.memberships.get()
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    prefix = SsoIdentity._meta.get_field("user").remote_field.get_accessor_name()
    data.update(
        {
            "memberships-0-id": str(membership.pk),
            "memberships-0-user": str(professional.pk),
            "memberships-0-organisation": str(membership.organisation_id),
            "memberships-0-role": membership.role,
            "memberships-0-teams": [str(t.pk) for t in membership.teams.all()],
            "memberships-0-active": "on",
            f"{prefix}-0-id": str(identity.pk),
            f"{prefix}-0-user": str(professional.pk),
            f"{prefix}-0-DELETE": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert not SsoIdentity.objects.exists()
    event = AuditEvent.objects.get(action="ssoidentity.admin_delete")
    assert event.actor == org_admin
    assert event.detail == {"object": str(identity.uuid)}


def test_admin_shows_no_sso_rows_for_an_account_without_links(client, org_admin, professional):
    client.force_login(org_admin)
    page = client.get(f"/admin/accounts/user/{professional.pk}/change/")
    assert "sso_identities-TOTAL_FORMS" not in page.content.decode()


def _settings_from_environment(tmp_path: Path, **environment: str) -> dict[str, Any]:
    """What settings.py makes of an environment (read in a fresh process)."""
    code = (
        "import json; from alliantiemonitor import settings as s; print(json.dumps({"
        "'backends': s.AUTHENTICATION_BACKENDS, 'enabled': s.ALLIANTIEMONITOR_SSO_ENABLED,"
        "'form_action': [str(v) for v in s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']],"
        "'store_id_token': s.OIDC_STORE_ID_TOKEN, 'secret': s.OIDC_RP_CLIENT_SECRET}))"
    )
    src = Path(__file__).resolve().parents[2] / "src"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(src),
        "SECRET_KEY": "x",
        "ALLIANTIEMONITOR_DATA_DIR": str(tmp_path),
        **environment,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_environment_turns_sso_on_and_opens_the_logout_redirect(tmp_path):
    off = _settings_from_environment(tmp_path)
    assert not off["enabled"]
    assert "alliantiemonitor.accounts.sso.SsoBackend" not in off["backends"]
    assert off["form_action"] == ["'self'"]

    secret_file = tmp_path / "oidc_secret"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    on = _settings_from_environment(
        tmp_path,
        OIDC_RP_CLIENT_ID="alliantiemonitor",
        OIDC_RP_CLIENT_SECRET_FILE=str(secret_file),
        OIDC_OP_LOGOUT_ENDPOINT="https://id.example.org/realms/zorg/logout",
    )
    assert on["enabled"]
    assert on["backends"][-1] == "alliantiemonitor.accounts.sso.SsoBackend"
    assert on["secret"] == "from-a-file"
    assert on["store_id_token"] is True
    # Browsers hold a form's redirect to the form-action policy: without the provider's origin
    # the logout form could not reach the provider's logout (seen in Chromium).
    assert on["form_action"] == ["'self'", "https://id.example.org"]


# --- the link service ---------------------------------------------------------------------------


def test_a_subject_links_one_account_and_an_account_one_subject_per_provider(
    professional, colleague
):
    issuer = "https://id.example.org"
    first = sso_identity_link(user=professional, issuer=issuer, subject=SUBJECT)
    # The same link again (a second first login racing the first) is that link, not a refusal.
    assert sso_identity_link(user=professional, issuer=issuer, subject=SUBJECT) == first
    with pytest.raises(SsoRefused) as taken:
        sso_identity_link(user=colleague, issuer=issuer, subject=SUBJECT)
    assert taken.value.reason == SsoRefusal.OTHER_SUBJECT
    with pytest.raises(SsoRefused):
        sso_identity_link(user=professional, issuer=issuer, subject="second-subject")
    # Another provider is another key.
    sso_identity_link(user=professional, issuer="https://other.example.org", subject=SUBJECT)
    assert SsoIdentity.objects.filter(user=professional).count() == 2
    assert AuditEvent.objects.filter(action=AccountAction.SSO_LINK).count() == 2
