"""Double entry by a named colleague: who may be named, what they reach, and when it ends."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.exceptions import (
    InvalidRespondent,
    InvalidTransition,
    PaperEntryInvalidVerifier,
    PaperEntryNotFirstTypist,
)
from alliantiemonitor.measurements.models import PaperEntry, PaperEntryState, Response
from alliantiemonitor.measurements.paper_forms import paper_field_name
from alliantiemonitor.measurements.services.paper import (
    paper_entry_resolve,
    paper_entry_save,
    paper_entry_verifier_assign,
    paper_form_code,
    paper_verifier_candidates,
)
from tests.factories import MembershipFactory, TeamFactory, UserFactory, answer_round, full_answers

pytestmark = pytest.mark.django_db

TO_CHECK = "Papieren formulier om te controleren"


@pytest.fixture
def ready_round(measurement_round, professional):
    answer_round(measurement_round, "professional", professional=professional, value=1)
    measurement_round.refresh_from_db()
    return measurement_round


@pytest.fixture
def second_colleague(organisation, team):
    user = UserFactory(username="collega.smits", first_name="Sam", last_name="Smits")
    MembershipFactory(user=user, organisation=organisation, role="professional", teams=[team])
    return user


@pytest.fixture
def other_team_colleague(organisation):
    user = UserFactory(username="collega.zuid", first_name="Zoë", last_name="Zuidema")
    other_team = TeamFactory(organisation=organisation, name="Team Zuid")
    MembershipFactory(user=user, organisation=organisation, role="professional", teams=[other_team])
    return user


def save(round_, by, *, verify=False, verifier=None, value=3, **answers):
    """Type ``round_``'s client form in through the service (``value`` everywhere)."""
    typed = {**full_answers(round_.instrument, "client", value), **answers}
    return paper_entry_save(round=round_, answers=typed, by=by, verify=verify, verifier=verifier)


@pytest.fixture
def named(ready_round, professional, colleague):
    """The professional typed the form in once and named ``colleague`` to check it."""
    return save(ready_round, professional, verify=True, verifier=colleague)


def entry_url(round_):
    return reverse("measurements:paper_entry", args=[round_.uuid])


def keys(instrument, value="4", **overrides):
    typed = {paper_field_name(item.id): value for item in instrument.items_for("client")}
    return {**typed, **overrides}


def type_in(browser, round_, instrument, *, value="4", finish="now", verifier=None, **overrides):
    data = {
        "step": "save",
        "finish": finish,
        "code": paper_form_code(round_, "client"),
        **keys(instrument, value, **overrides),
    }
    if verifier is not None:
        data["verifier"] = str(verifier.uuid)
    return browser.post(entry_url(round_), data)


def test_only_professionals_of_a_shared_team_can_be_named(
    ready_round,
    professional,
    colleague,
    second_colleague,
    other_team_colleague,
    outsider,
    team_lead,
):
    candidates = set(paper_verifier_candidates(round=ready_round, by=professional))
    assert candidates == {colleague, second_colleague}
    colleague.is_active = False
    colleague.save()
    assert set(paper_verifier_candidates(round=ready_round, by=professional)) == {second_colleague}


def test_the_select_shows_names_only_and_never_the_typist(
    client, ready_round, professional, colleague, instrument
):
    client.force_login(professional)
    code = paper_form_code(ready_round, "client")
    page = client.post(
        entry_url(ready_round), {"step": "check", "code": code, **keys(instrument)}
    ).content.decode()
    assert f'<option value="{colleague.uuid}">Cas de Vries</option>' in page
    assert f'value="{professional.uuid}"' not in page
    assert colleague.email not in page
    # The help text is the one the select points to (screen readers read it with the field).
    assert 'aria-describedby="id_verifier_helptext"' in page
    assert 'id="id_verifier_helptext"' in page


@pytest.mark.parametrize("who", ["outsider", "other_team_colleague", "team_lead", "professional"])
def test_the_form_refuses_someone_who_may_not_be_named(
    client, request, who, ready_round, professional, instrument
):
    named = request.getfixturevalue(who)
    client.force_login(professional)
    response = type_in(client, ready_round, instrument, finish="verify", verifier=named)
    assert response.status_code == 400
    assert not PaperEntry.objects.exists()
    with pytest.raises(PaperEntryInvalidVerifier):
        save(ready_round, professional, verify=True, verifier=named)
    assert not PaperEntry.objects.exists()


def test_the_named_colleague_checks_end_to_end(
    client, ready_round, professional, colleague, instrument
):
    client.force_login(professional)
    saved = type_in(client, ready_round, instrument, value="2", finish="verify", verifier=colleague)
    assert saved.status_code == 302
    entry = PaperEntry.objects.get(round=ready_round)
    assert entry.verifier == colleague
    typed = AuditEvent.objects.get(action="paper_entry.type")
    assert typed.detail["verifier"] == str(colleague.uuid)

    client.force_login(colleague)
    caseload = client.get(reverse("trajectories:caseload"), HTTP_ACCEPT_LANGUAGE="nl")
    body = caseload.content.decode()
    assert TO_CHECK in body
    assert entry_url(ready_round) in body
    assert "K.V." not in body  # not their client: the list names the typist, not the client

    first = client.get(entry_url(ready_round), HTTP_ACCEPT_LANGUAGE="nl")
    assert first.status_code == 200
    page = first.content.decode()
    assert "Pim Jansen" in page  # who asked
    round_page = reverse("measurements:round_detail", args=[ready_round.uuid])
    assert f'href="{round_page}"' not in page  # no link into the round
    seen = AuditEvent.objects.filter(action="round.view", actor_id=colleague.pk).get()
    assert seen.detail == {"as": "paper_verifier"}

    code = paper_form_code(ready_round, "client")
    keys_page = client.post(entry_url(ready_round), {"step": "code", "code": code})
    assert keys_page.status_code == 200
    # Blind double entry: nothing of the first typing (all 2) is on the screen.
    assert 'value="2"' not in keys_page.content.decode()

    done = type_in(client, ready_round, instrument, value="2")
    assert done.status_code == 302
    assert done["Location"] == reverse("trajectories:caseload")
    entry.refresh_from_db()
    assert entry.state == PaperEntryState.FINAL
    assert (entry.first_by, entry.second_by) == (professional, colleague)
    assert Response.objects.filter(round=ready_round, rater="client").count() == 1

    # The check is stored: their access ends, and the caseload no longer lists it.
    assert client.get(entry_url(ready_round)).status_code == 404
    assert type_in(client, ready_round, instrument, value="2").status_code == 404  # twice
    assert Response.objects.filter(round=ready_round, rater="client").count() == 1
    assert TO_CHECK not in client.get(reverse("trajectories:caseload")).content.decode()


def test_differences_show_both_values_to_the_verifier_who_may_resolve(
    client, ready_round, professional, colleague, instrument
):
    items = [item.id for item in instrument.items_for("client")]
    save(ready_round, professional, verify=True, verifier=colleague, value=2)
    client.force_login(colleague)
    differ = type_in(
        client, ready_round, instrument, value="2", **{paper_field_name(items[1]): "5"}
    )
    assert differ["Location"] == entry_url(ready_round)
    page = client.get(entry_url(ready_round), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "First typed 2, then 5." in page
    resolved = client.post(entry_url(ready_round), {paper_field_name(items[1]): "5"})
    assert resolved["Location"] == reverse("trajectories:caseload")
    entry = PaperEntry.objects.get(round=ready_round)
    assert entry.resolved_by == colleague
    assert entry.response.answers[items[1]] == 5
    assert client.get(entry_url(ready_round)).status_code == 404


def test_the_first_typist_can_resolve_the_verifiers_differences_too(
    named, ready_round, professional, colleague, instrument
):
    items = [item.id for item in instrument.items_for("client")]
    entry = save(ready_round, colleague, **{items[0]: 1})
    entry = paper_entry_resolve(entry=entry, answers={items[0]: 3}, by=professional)
    assert entry.state == PaperEntryState.FINAL


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("measurements:round_detail", lambda r: [r.uuid]),
        ("measurements:fill", lambda r: [r.uuid]),
        ("measurements:paper_form", lambda r: [r.uuid, "client"]),
        ("conversations:joint", lambda r: [r.uuid]),
        ("conversations:summary", lambda r: [r.uuid]),
        ("monitoring:course", lambda r: [r.trajectory.uuid]),
        ("monitoring:timeline", lambda r: [r.trajectory.uuid]),
        ("trajectories:detail", lambda r: [r.trajectory.uuid]),
    ],
)
def test_the_verifier_reaches_nothing_else_of_the_trajectory(
    client, named, ready_round, colleague, name, args
):
    client.force_login(colleague)
    assert client.get(reverse(name, args=args(ready_round))).status_code == 404


def test_an_unnamed_colleague_gets_nothing(
    client, named, ready_round, second_colleague, instrument
):
    client.force_login(second_colleague)
    assert client.get(entry_url(ready_round)).status_code == 404
    assert type_in(client, ready_round, instrument).status_code == 404
    assert TO_CHECK not in client.get(reverse("trajectories:caseload")).content.decode()
    with pytest.raises(InvalidRespondent):
        save(ready_round, second_colleague)
    assert PaperEntry.objects.get().state == PaperEntryState.AWAITING_SECOND


def test_the_verifier_cannot_type_it_in_first(ready_round, colleague):
    with pytest.raises(InvalidRespondent):
        save(ready_round, colleague, verify=True)
    assert not PaperEntry.objects.exists()


def test_the_first_typist_changes_or_withdraws_the_named_person(
    client, ready_round, professional, colleague, second_colleague, instrument
):
    client.force_login(professional)
    type_in(client, ready_round, instrument, finish="verify", verifier=colleague)
    waiting = client.get(entry_url(ready_round), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cas de Vries is asked to check it." in waiting

    changed = client.post(
        entry_url(ready_round), {"step": "verifier", "verifier": str(second_colleague.uuid)}
    )
    assert changed.status_code == 302
    assert PaperEntry.objects.get().verifier == second_colleague
    assignments = AuditEvent.objects.filter(action="paper_entry.verifier_assign")
    assert [e.detail["verifier"] for e in assignments] == [str(second_colleague.uuid)]

    browser = client.__class__()
    browser.force_login(colleague)
    assert browser.get(entry_url(ready_round)).status_code == 404
    browser.force_login(second_colleague)
    assert browser.get(entry_url(ready_round)).status_code == 200

    withdrawn = client.post(entry_url(ready_round), {"step": "verifier", "withdraw": "1"})
    assert withdrawn.status_code == 302
    assert PaperEntry.objects.get().verifier is None
    assert browser.get(entry_url(ready_round)).status_code == 404
    assert AuditEvent.objects.filter(action="paper_entry.verifier_assign").count() == 2

    for hostile in ["x", "\x00", "9" * 5000, str(professional.uuid), ""]:
        refused = client.post(entry_url(ready_round), {"step": "verifier", "verifier": hostile})
        assert refused.status_code == 400
    assert PaperEntry.objects.get().verifier is None


def test_only_the_first_typist_names_and_only_while_it_waits(
    named, ready_round, professional, colleague, second_colleague
):
    entry = named
    with pytest.raises(PaperEntryNotFirstTypist):
        paper_entry_verifier_assign(entry=entry, verifier=second_colleague, by=colleague)
    save(ready_round, colleague)
    with pytest.raises(InvalidTransition):
        paper_entry_verifier_assign(entry=entry, verifier=second_colleague, by=professional)


def test_a_verifier_whose_role_lapsed_loses_access(client, named, ready_round, colleague):
    colleague.memberships.update(active=False)
    client.force_login(colleague)
    assert client.get(entry_url(ready_round)).status_code in (403, 404)


def test_deleting_the_named_account_withdraws_the_request(named, colleague):
    colleague.delete()
    named.refresh_from_db()
    assert named.verifier is None
    assert named.state == PaperEntryState.AWAITING_SECOND
