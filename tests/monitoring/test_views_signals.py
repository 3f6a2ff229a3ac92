"""Signals on the pages: the course view, acknowledging, the caseload, the team lead, thresholds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.monitoring.forms import ThresholdsForm
from alliantiemonitor.monitoring.models import Signal, organisation_signal_settings
from alliantiemonitor.monitoring.services import signals_recompute
from tests.monitoring.test_signals_services import client_view_deterioration, deteriorating

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal(trajectory, professional):
    deteriorating(trajectory, professional)
    signals_recompute(trajectory=trajectory)
    assert client_view_deterioration(trajectory).exists()
    # The deterioration card's first row: the one its acknowledge form posts to.
    return (
        Signal.objects.open()
        .filter(trajectory=trajectory, kind="deterioration")
        .order_by("raised_at", "pk")
        .first()
    )


def deterioration_rows(signal):
    return Signal.objects.open().filter(trajectory=signal.trajectory, kind=signal.kind).count()


def login(client, user):
    client.force_login(user)
    return client


def course(client, trajectory):
    return client.get(
        reverse("monitoring:course", args=[trajectory.uuid]), HTTP_ACCEPT_LANGUAGE="en"
    )


def acknowledge_url(signal):
    return reverse("monitoring:signal_acknowledge", args=[signal.uuid])


def test_course_view_shows_the_signal_in_plain_words(client, professional, trajectory, signal):
    html = course(login(client, professional), trajectory).content.decode()
    assert 'id="signals"' in html
    assert "Deterioration" in html
    # One card per kind, with the words of each row of the rule in it.
    assert "The client&#x27;s scores have clearly worsened over the rounds" in html
    assert "all characteristics of the client and the professional taken together" in html
    assert "The scores on trust have fallen clearly" in html
    assert "Friction has risen clearly over the rounds" in html
    assert "Since the round of" in html
    assert "What to talk about:" in html
    joint = reverse("conversations:joint", args=[signal.round.uuid])
    assert f'href="{joint}#prompts"' in html
    assert acknowledge_url(signal) in html
    assert " style=" not in html


def test_acknowledge_without_javascript(client, professional, trajectory, signal):
    browser = login(client, professional)
    response = browser.post(acknowledge_url(signal), {"note": "Besproken op maandag."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#signal-{signal.uuid}")
    signal.refresh_from_db()
    assert signal.is_acknowledged
    assert signal.acknowledged_by == professional
    assert signal.acknowledgement_note == "Besproken op maandag."
    # Every row of the one change is marked seen, each audited.
    assert AuditEvent.objects.filter(action="signal.acknowledge").count() == deterioration_rows(
        signal
    )
    html = course(browser, trajectory).content.decode()
    assert "am-signal--seen" in html
    assert "Besproken op maandag." in html
    assert acknowledge_url(signal) not in html  # no second form


def test_acknowledge_with_htmx_swaps_the_signal(client, professional, signal):
    response = login(client, professional).post(
        acknowledge_url(signal),
        {"note": "Gezien"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="signal-{signal.uuid}"' in html
    assert "marked as seen" in html
    assert "<html" not in html


def test_double_submit_acknowledges_once(client, professional, signal):
    browser = login(client, professional)
    browser.post(acknowledge_url(signal), {"note": "Eerste"})
    response = browser.post(acknowledge_url(signal), {"note": "Tweede"}, follow=True)
    assert response.status_code == 200
    signal.refresh_from_db()
    assert signal.acknowledgement_note == "Eerste"
    assert AuditEvent.objects.filter(action="signal.acknowledge").count() == deterioration_rows(
        signal
    )


def test_empty_note_is_refused(client, professional, signal):
    login(client, professional).post(acknowledge_url(signal), {"note": ""})
    signal.refresh_from_db()
    assert not signal.is_acknowledged


@pytest.mark.parametrize("persona", ["colleague", "team_lead", "org_admin", "outsider"])
def test_nobody_else_acknowledges(client, request, signal, persona):
    user = request.getfixturevalue(persona)
    response = login(client, user).post(acknowledge_url(signal), {"note": "Niet van mij"})
    assert response.status_code == 404
    signal.refresh_from_db()
    assert not signal.is_acknowledged


def test_caseload_shows_the_signal_badge(client, professional, trajectory, signal):
    html = (
        login(client, professional)
        .get(reverse("trajectories:caseload"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "am-tag--signal" in html
    assert f"{reverse('monitoring:course', args=[trajectory.uuid])}#signals" in html
    # Several rows of the rule for one change: the kind is named once.
    assert Signal.objects.open().filter(kind="deterioration").count() > 1
    assert html.count(">Deterioration<") == 1


def test_team_leads_see_no_single_client_s_signals(client, team_lead, trajectory, signal):
    """Team leads see aggregates of at least 5 clients (the dashboards), never one client's."""
    browser = login(client, team_lead)
    assert browser.get("/verloop/team/signalen/").status_code == 404
    assert browser.get(reverse("monitoring:course", args=[trajectory.uuid])).status_code == 404
    url = reverse("monitoring:signal_acknowledge", args=[signal.uuid])
    assert browser.post(url, {"note": "gezien"}).status_code == 404


def test_org_admin_sets_thresholds(client, org_admin, organisation):
    url = reverse("monitoring:thresholds", args=[organisation.uuid])
    browser = login(client, org_admin)
    page = browser.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Default: 28." in page
    form = ThresholdsForm(current=organisation_signal_settings(organisation))
    data = {name: field.initial for name, field in form.fields.items()}
    response = browser.post(url, {**data, "not_discussed_days": 21})
    assert response.status_code == 302
    assert organisation_signal_settings(organisation).not_discussed_days == 21
    bad = browser.post(url, {**data, "not_discussed_days": -3})
    assert bad.status_code == 200
    assert organisation_signal_settings(organisation).not_discussed_days == 21


@pytest.mark.parametrize("persona", ["professional", "team_lead", "outsider"])
def test_thresholds_only_for_the_organisation_admin(client, request, organisation, persona):
    user = request.getfixturevalue(persona)
    url = reverse("monitoring:thresholds", args=[organisation.uuid])
    assert login(client, user).get(url).status_code == 404
    assert not Signal.objects.exists()
