"""The professional's caseload: contents, order, search, filter, empty states, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.dashboards.caseload import add_months, phase_of
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.scheduling.models import OrganisationSchedule
from alliantiemonitor.trajectories.services import (
    client_create,
    trajectory_end,
    trajectory_hand_over,
    trajectory_start,
)
from tests.factories import MeasurementRoundFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = reverse("trajectories:caseload")


def start(organisation, professional, name, **kwargs):
    client = client_create(organisation=organisation, display_name=name, by=professional)
    return trajectory_start(
        client=client,
        professional=professional,
        legal_frame=kwargs.pop("legal_frame", "Toezicht"),
        start_date=timezone.localdate() - dt.timedelta(days=200),
        **kwargs,
    )


def add_round(trajectory, professional, state, days_ago=10, due_date=None):
    return MeasurementRoundFactory(
        trajectory=trajectory,
        state=state,
        opened_by=professional,
        professional=professional,
        opened_at=timezone.now() - dt.timedelta(days=days_ago),
        due_date=due_date,
    )


def names_in_order(response):
    return [row.trajectory.client.display_name for row in response.context["rows"]]


@pytest.fixture
def caseload(organisation, professional):
    """One trajectory per phase; the names say which."""
    made = {}
    made["discussed"] = start(organisation, professional, "Discussed")
    add_round(made["discussed"], professional, "discussed", days_ago=20)
    made["waiting_client"] = start(organisation, professional, "WaitClient")
    add_round(made["waiting_client"], professional, "professional_done")
    made["ready"] = start(organisation, professional, "Ready")
    add_round(made["ready"], professional, "both_done")
    made["none"] = start(organisation, professional, "NoRound")
    made["me"] = start(organisation, professional, "WaitMe")
    add_round(made["me"], professional, "client_done")
    return made


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["team_lead", "researcher", "org_admin"])
def test_only_professionals_have_a_caseload(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_home_sends_a_professional_to_the_caseload(client, professional):
    client.force_login(professional)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == URL


def test_lists_own_clients_with_words_a_professional_uses(client, professional, caseload):
    client.force_login(professional)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    rows = {row.trajectory.client.display_name: row for row in response.context["rows"]}
    for row in rows.values():
        assert str(row.state_label) in html
    assert rows["Ready"].phase == "ready_to_discuss"
    assert rows["WaitMe"].phase == "waiting_for_me"
    assert rows["WaitClient"].phase == "waiting_for_client"
    assert rows["NoRound"].phase == "no_round"
    assert rows["Discussed"].phase == "discussed"
    for trajectory in caseload.values():
        assert reverse("trajectories:detail", kwargs={"uuid": trajectory.uuid}) in html


def test_what_needs_action_comes_first(client, professional, caseload):
    client.force_login(professional)
    response = client.get(URL)
    assert names_in_order(response) == ["Ready", "WaitMe", "NoRound", "WaitClient", "Discussed"]


def test_next_round_is_the_due_date_or_a_suggestion(client, professional, organisation):
    due = timezone.localdate() + dt.timedelta(days=5)
    waiting = start(organisation, professional, "Waiting")
    add_round(waiting, professional, "open", due_date=due)
    old = start(organisation, professional, "Old")
    old_round = add_round(old, professional, "discussed", days_ago=120)
    recent = start(organisation, professional, "Recent")
    recent_round = add_round(recent, professional, "discussed", days_ago=10)
    client.force_login(professional)
    rows = {r.trajectory.client.display_name: r for r in client.get(URL).context["rows"]}
    assert rows["Waiting"].next_date == due
    assert not rows["Waiting"].next_is_suggestion
    old_date = timezone.localdate(old_round.opened_at)
    assert rows["Old"].next_date == add_months(old_date, 3)
    assert rows["Old"].next_is_suggestion
    assert rows["Old"].next_is_due
    recent_date = timezone.localdate(recent_round.opened_at)
    assert rows["Recent"].next_date == add_months(recent_date, 3)
    assert not rows["Recent"].next_is_due
    # A suggested round that has come due is work to do: before what waits for others.
    order = [r.trajectory.client.display_name for r in client.get(URL).context["rows"]]
    assert order.index("Old") < order.index("Recent")


def test_shows_only_own_current_clients(client, professional, colleague, organisation, trajectory):
    theirs = start(organisation, colleague, "Theirs")
    handed = start(organisation, professional, "Handed")
    trajectory_hand_over(trajectory=handed, to_professional=colleague, by=professional)
    client.force_login(professional)
    html = client.get(URL).content.decode()
    assert "K.V." in html
    assert "Theirs" not in html
    assert str(theirs.uuid) not in html
    assert "Handed" not in html
    client.force_login(colleague)
    names = names_in_order(client.get(URL))
    assert sorted(names) == ["Handed", "Theirs"]


def test_search_by_display_name(client, professional, caseload):
    client.force_login(professional)
    response = client.get(URL, {"q": "wait"})
    assert names_in_order(response) == ["WaitMe", "WaitClient"]


def test_filter_by_state(client, professional, caseload):
    client.force_login(professional)
    assert names_in_order(client.get(URL, {"state": "waiting_for_me"})) == ["WaitMe"]
    assert names_in_order(client.get(URL, {"state": "no_round"})) == ["NoRound"]
    assert names_in_order(client.get(URL, {"state": "ready_to_discuss"})) == ["Ready"]


def test_unknown_filter_value_shows_everything(client, professional, caseload):
    client.force_login(professional)
    response = client.get(URL, {"state": "nonsense"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == len(caseload)


def test_ended_trajectories_only_when_asked(client, professional, organisation, trajectory):
    ended = start(organisation, professional, "Gone")
    trajectory_end(
        trajectory=ended,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
        by=professional,
    )
    client.force_login(professional)
    assert names_in_order(client.get(URL)) == ["K.V."]
    assert names_in_order(client.get(URL, {"ended": "on"})) == ["K.V.", "Gone"]


def response_has_empty_state(html):
    return 'class="am-empty"' in html and html.count(reverse("trajectories:new")) == 2


def test_empty_caseload_invites_a_new_client(client, professional):
    client.force_login(professional)
    html = client.get(URL).content.decode()
    assert response_has_empty_state(html)
    assert reverse("trajectories:new") in html


def test_search_without_result_has_its_own_empty_state(client, professional, trajectory):
    client.force_login(professional)
    response = client.get(URL, {"q": "nobody-like-this"})
    assert response.context["rows"] == []
    assert response.context["has_any"] is True
    html = response.content.decode()
    assert 'class="am-empty"' in html
    assert html.count(reverse("trajectories:new")) == 1  # only the header button


def test_only_ended_trajectories_points_to_them(client, professional, trajectory):
    trajectory_end(
        trajectory=trajectory,
        end_date=timezone.localdate(),
        reason_kind="regular_completion",
        by=professional,
    )
    client.force_login(professional)
    response = client.get(URL)
    assert response.context["has_ended"] is True
    assert "?ended=on" in response.content.decode()


def test_htmx_gets_only_the_table(client, professional, caseload):
    client.force_login(professional)
    response = client.get(URL, {"q": "Ready"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Ready" in html
    assert "WaitMe" not in html
    assert 'hx-swap-oob="true"' in html


def test_one_audit_event_per_view(client, professional, caseload):
    client.force_login(professional)
    client.get(URL)
    events = AuditEvent.objects.filter(action="caseload.view", actor=professional)
    assert events.count() == 1
    assert events.get().detail["count"] == len(caseload)


def _caseload_queries(client, professional, organisation, colleague, size, first):
    """Grow the caseload to ``size`` (a round, a signal, a handover each); count one page."""
    for n in range(first, size):
        trajectory = start(organisation, professional, f"C{n}")
        round_ = add_round(trajectory, professional, "both_done" if n % 2 else "discussed")
        Signal.objects.create(
            trajectory=trajectory,
            kind="deterioration",
            round=round_,
            raised_at=timezone.now(),
        )
        if n % 3 == 0:
            handed = start(organisation, colleague, f"H{n}")
            trajectory_hand_over(trajectory=handed, to_professional=professional, by=colleague)
    client.force_login(professional)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert "am-tag--signal" in response.content.decode()
    return len(response.context["rows"]), len(queries)


def test_query_count_does_not_grow_with_the_caseload(client, professional, organisation, colleague):
    # Every hook reads all rows at once. With a schedule: session, user, the second factor's
    # device (still there and confirmed?), the organisations the user is a professional in
    # (the page's door and its "several organisations" column, one query: was two), the
    # trajectories with their last round and client name (to sort), the page's trajectories
    # in full, the schedule hook (organisation schedules, trajectory schedules, rounds,
    # handovers), the signals hook (open signals), the audit event (three: lock the chain
    # head, insert, move the head) and the paper forms a colleague asked this user to check:
    # 15, whatever the number of clients.
    OrganisationSchedule.objects.create(organisation=organisation, every_weeks=8)
    rows, small = _caseload_queries(client, professional, organisation, colleague, 2, 0)
    assert rows == 3
    rows, large = _caseload_queries(client, professional, organisation, colleague, 25, 2)
    assert rows == 25 + 9
    assert large == small
    assert large <= 15


def test_the_organisation_column_appears_for_a_professional_in_several_organisations(
    client, professional, organisation, other_organisation
):
    start(organisation, professional, "Anna")
    client.force_login(professional)
    header = '<th scope="col" class="utrecht-table__header-cell">{}</th>'
    page = client.get(URL).content.decode()
    assert header.format("Domein") in page
    assert header.format("Organisatie") not in page
    MembershipFactory(user=professional, organisation=other_organisation, role="professional")
    # A role elsewhere that holds no caseload does not count.
    MembershipFactory(user=professional, organisation=OrganisationFactory(), role="researcher")
    page = client.get(URL).content.decode()
    assert header.format("Organisatie") in page
    assert "Reclassering Voorbeeldstad" in page
    Membership.objects.filter(user=professional, organisation=other_organisation).update(
        active=False
    )
    assert header.format("Domein") in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("state", "phase"),
    [
        (None, "no_round"),
        ("open", "waiting_for_me"),
        ("client_done", "waiting_for_me"),
        ("professional_done", "waiting_for_client"),
        ("both_done", "ready_to_discuss"),
        ("discussed", "discussed"),
        ("closed", "discussed"),
        ("expired", "not_completed"),
        ("cancelled", "not_completed"),
    ],
)
def test_phase_of_every_round_state(state, phase):
    assert phase_of(state) == phase


def test_add_months_clips_to_the_month_end():
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 1, 15), 3) == dt.date(2025, 4, 15)
    assert add_months(dt.date(2025, 10, 1), 3) == dt.date(2026, 1, 1)


# --------------------------------------------------------------------------- pages


def _many(organisation, professional, count):
    """``count`` trajectories of ``professional``, named so that their order is known."""
    from tests.factories import AssignmentFactory, ClientFactory, TrajectoryFactory

    for n in range(count):
        trajectory = TrajectoryFactory(
            client=ClientFactory(organisation=organisation, display_name=f"P{n:03d}")
        )
        AssignmentFactory(trajectory=trajectory, professional=professional)


def _page(client, number=None, **params):
    if number is not None:
        params["page"] = number
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return response, len(queries)


def test_a_long_caseload_comes_in_pages_of_fifty(client, professional, organisation):
    _many(organisation, professional, 200)
    client.force_login(professional)
    first, first_queries = _page(client)
    html = first.content.decode()
    assert names_in_order(first) == [f"P{n:03d}" for n in range(50)]
    assert html.count('<tr class="utrecht-table__row">') == 50 + 1  # and the header row
    assert "P050" not in html
    assert "200 clients, 1–50 shown" in html or "200 cliënten, 1–50 getoond" in html
    # The pager: a labelled navigation, the current page marked for screen readers.
    assert '<nav class="am-pages" aria-label="' in html
    assert html.count('aria-current="page"') == 1
    assert 'href="?page=2"' in html
    fourth, fourth_queries = _page(client, 4)
    assert names_in_order(fourth) == [f"P{n:03d}" for n in range(150, 200)]
    assert fourth_queries == first_queries
    # Past the end, or not a number: the last and the first page, never an error.
    assert names_in_order(_page(client, 99)[0]) == names_in_order(fourth)
    assert names_in_order(_page(client, "x")[0]) == names_in_order(first)
    events = AuditEvent.objects.filter(action="caseload.view").order_by("seq")
    assert [e.detail["page"] for e in events] == [1, 4, 4, 1]
    assert events.first().detail["count"] == 50


def test_the_html_does_not_grow_with_the_caseload(client, professional, organisation):
    _many(organisation, professional, 60)
    client.force_login(professional)
    size_60, queries_60 = len(_page(client)[0].content), _page(client)[1]
    _many(organisation, professional, 140)
    response, queries_200 = _page(client)
    assert len(response.context["rows"]) == 50
    assert queries_200 == queries_60
    # Only the counts in the status line and the page links change.
    assert abs(len(response.content) - size_60) < 400


def test_search_and_filter_are_kept_across_pages(client, professional, organisation):
    _many(organisation, professional, 120)
    client.force_login(professional)
    response, _queries = _page(client, 2, q="P", state="no_round")
    html = response.content.decode()
    assert names_in_order(response) == [f"P{n:03d}" for n in range(50, 100)]
    assert 'href="?q=P&amp;state=no_round&amp;page=3"' in html
    assert 'href="?q=P&amp;state=no_round&amp;page=1"' in html
    # A new search starts at the first page: the form does not carry the page.
    assert 'name="page"' not in html
