"""An old login is asked for password and code again before erasure, the audit-trail export
and the client's copy of their data; nothing is shown, changed or recorded before that."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client as Browser
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.common.reauth import FULL_AUTH_KEY
from alliantiemonitor.trajectories.models import Client
from alliantiemonitor.trajectories.services import client_reference

pytestmark = pytest.mark.django_db

REAUTH = reverse("reauthenticate")


def _old_login(browser: Browser, user) -> Browser:  # type: ignore[no-untyped-def]
    """``user`` logged in with both factors an hour ago."""
    browser.force_login(user)
    session = browser.session
    session[FULL_AUTH_KEY] = int(time.time()) - 3600
    session.save()
    return browser


def _asked_again(response, url: str) -> bool:  # type: ignore[no-untyped-def]
    """A redirect to the re-authentication page that comes back to ``url`` afterwards."""
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == REAUTH and parse_qs(location.query).get("next") == [url]


def test_an_old_login_is_asked_again_before_erasure(client, org_admin, trajectory):
    target = trajectory.client
    url = reverse("trajectories:privacy_erase", args=[target.uuid])
    browser = _old_login(client, org_admin)
    events = AuditEvent.objects.count()
    assert _asked_again(browser.get(url), url)
    posted = browser.post(url, {"reference": client_reference(target)})
    assert _asked_again(posted, url)
    assert Client.objects.filter(pk=target.pk).exists()
    assert not AuditEvent.objects.filter(action="client.erase").exists()
    assert AuditEvent.objects.count() == events  # not even the page's view was recorded

    # After a fresh login the same request goes ahead.
    browser.force_login(org_admin)
    assert browser.post(url, {"reference": client_reference(target)}).status_code == 302
    assert not Client.objects.filter(pk=target.pk).exists()


def test_an_old_login_is_asked_again_before_the_audit_trail_export(client, org_admin, trajectory):
    url = reverse("trajectories:privacy_trail_csv", args=[trajectory.client.uuid])
    browser = _old_login(client, org_admin)
    assert _asked_again(browser.get(url), url)
    assert not AuditEvent.objects.filter(action="privacy.trail_export").exists()
    browser.force_login(org_admin)
    response = browser.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("name", ["privacy:access", "privacy:access_json"])
def test_an_old_login_is_asked_again_before_the_right_of_access_copy(
    client, professional, trajectory, name
):
    url = reverse(name, args=[trajectory.uuid])
    browser = _old_login(client, professional)
    events = AuditEvent.objects.count()
    response = browser.get(url)
    assert _asked_again(response, url)
    assert trajectory.client.display_name not in response.content.decode()
    assert AuditEvent.objects.count() == events
    browser.force_login(professional)
    assert browser.get(url).status_code == 200
