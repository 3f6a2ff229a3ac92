"""Opening a button-only address directly: a friendly page in the product's layout."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _pages(round_):
    return [
        reverse("conversations:start", kwargs={"uuid": round_.uuid}),
        reverse("conversations:agreement_add", kwargs={"uuid": round_.uuid}),
        reverse("conversations:mark_discussed", kwargs={"uuid": round_.uuid}),
        reverse("measurements:invite_link", kwargs={"uuid": round_.uuid}),
        reverse("measurements:invite_code", kwargs={"uuid": round_.uuid}),
        reverse("trajectories:start_round", kwargs={"uuid": round_.trajectory.uuid}),
    ]


def test_a_post_only_address_opened_directly_is_a_friendly_page(
    client, professional, measurement_round
):
    client.force_login(professional)
    for path in _pages(measurement_round):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 405, path
        assert "POST" in response["Allow"]
        assert '<html lang="nl"' in html
        assert html.count("<h1") == 1
        assert "utrecht-heading-1" in html
        assert "knop" in html  # says the page opens through a button, in plain Dutch


def test_the_405_page_speaks_english_too(client, professional, measurement_round):
    client.force_login(professional)
    path = reverse("conversations:start", kwargs={"uuid": measurement_round.uuid})
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in html
    assert "button" in html


def test_a_get_only_page_refuses_a_post_friendly_too(client):
    response = client.post(reverse("client:done"))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert "utrecht-heading-1" in response.content.decode()


def test_405_for_htmx_stays_small(client, professional, measurement_round):
    client.force_login(professional)
    path = reverse("conversations:start", kwargs={"uuid": measurement_round.uuid})
    response = client.get(path, HTTP_HX_REQUEST="true")
    assert response.status_code == 405
    assert "<html" not in response.content.decode()
