"""A study's consent counts: small numbers hidden, and nothing hidden that can be worked out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.research.counts import STATES, consent_table
from alliantiemonitor.research.services import consent_record, consent_withdraw, trajectory_enrol
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _enrol(study: Any, organisation: Any, professional: Any, count: int) -> list[Any]:
    rows = []
    for n in range(count):
        trajectory = trajectory_start(
            client=ClientFactory(organisation=organisation, display_name=f"Client {n}"),
            professional=professional,
            legal_frame="Toezicht",
            start_date=timezone.localdate() - dt.timedelta(days=5),
        )
        rows.append(trajectory_enrol(study=study, trajectory=trajectory, by=professional))
    return rows


def test_counts_of_five_or_more_clients_are_shown(study, organisation, professional):
    rows = _enrol(study, organisation, professional, 10)
    for row in rows[:5]:
        consent_record(enrolled=row, given=True, mode="client_flow")
    table = consent_table(study)
    assert table.enrolled.value == 10
    assert table.states["given"].value == 5
    assert table.states["open"].value == 5
    assert table.states["refused"].value == 0  # a 0 describes nobody
    assert not table.any_hidden


def test_a_single_withdrawal_is_hidden_and_cannot_be_worked_out(study, organisation, professional):
    rows = _enrol(study, organisation, professional, 12)
    for row in rows[:7]:
        consent_record(enrolled=row, given=True, mode="client_flow")
    consent_withdraw(enrolled=rows[0], by=professional)  # 6 given, 1 withdrawn, 5 open
    table = consent_table(study)
    assert table.states["withdrawn"].hidden
    # The total and the other states would give the withdrawal away: one more is hidden.
    shown = [table.states[state].value for state in STATES if not table.states[state].hidden]
    assert table.enrolled.hidden or len(shown) <= len(STATES) - 2
    (row,) = table.rows
    assert row.states["withdrawn"].hidden


def test_one_client_with_two_trajectories_counts_once_for_the_threshold(
    study, organisation, professional, client_record
):
    for _ in range(2):
        trajectory = trajectory_start(
            client=client_record,
            professional=professional,
            legal_frame="Toezicht",
            start_date=timezone.localdate() - dt.timedelta(days=5),
        )
        trajectory_enrol(study=study, trajectory=trajectory, by=professional)
    table = consent_table(study)
    # Two trajectories, one client: fewer than five clients, so hidden.
    assert table.enrolled.hidden
    assert table.states["open"].hidden


def test_the_study_page_hides_small_counts(study, organisation, professional, researcher):
    rows = _enrol(study, organisation, professional, 3)
    consent_record(enrolled=rows[0], given=False, mode="client_flow")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(researcher)
    text = browser.get(reverse("research:study_detail", args=[study.uuid])).content.decode()
    assert "hidden" in text
    assert "fewer than 5 clients" in text
    assert ">3<" not in text
