"""The professional's "sent" page says what comes next: wait, or open the joint view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import answer_round

pytestmark = pytest.mark.django_db


def done_page(client, professional, round_):
    client.force_login(professional)
    return client.get(
        reverse("measurements:fill_done", args=[round_.uuid]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()


def test_before_the_client_has_sent_it_says_to_wait(client, professional, measurement_round):
    answer_round(measurement_round, "professional", professional=professional)

    html = done_page(client, professional, measurement_round)

    assert "Once the client has sent theirs too" in html
    assert reverse("conversations:joint", args=[measurement_round.uuid]) not in html


def test_when_the_client_had_already_sent_it_links_to_the_joint_view(
    client, professional, measurement_round
):
    answer_round(measurement_round, "client")
    answer_round(measurement_round, "professional", professional=professional)

    html = done_page(client, professional, measurement_round)

    assert "Once the client has sent theirs too" not in html
    assert "The client has sent their answers too" in html
    assert f'href="{reverse("conversations:joint", args=[measurement_round.uuid])}"' in html
