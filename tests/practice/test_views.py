"""Practice mode on the web: a whole game, replay, who may play, and that nothing is stored.

The game goes through the test client as a browser would (POST-redirect-GET), with the
session as the only memory of the player's answers.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.core.practice import practice_case
from alliantiemonitor.core.scoring import score_answers
from alliantiemonitor.instruments.registry import get_registry
from alliantiemonitor.practice.cases import SESSION_KEY, parse_code

pytestmark = pytest.mark.django_db

CODE = "kort-verslechterend-reclassering-4821"
BANNER = "fictieve cliënt, er worden geen cliëntgegevens opgeslagen"


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def url(name: str, code: str = CODE) -> str:
    return reverse(f"practice:{name}", args=[code])


def client_tables() -> dict[str, int]:
    """Row counts of every table that holds client data (and the conversation's)."""
    labels = [
        "trajectories.Client",
        "trajectories.Trajectory",
        "trajectories.Assignment",
        "measurements.MeasurementRound",
        "measurements.Response",
        "measurements.Invitation",
        "conversations.Conversation",
        "conversations.Agreement",
        "conversations.Evaluation",
    ]
    return {label: apps.get_model(label).objects.count() for label in labels}


def professional_items(code: str = CODE):
    return parse_code(code).instrument.items_for("professional")


def answer_all(client, value: int = 4, code: str = CODE):
    data = {f"answer-{item.id}": str(value) for item in professional_items(code)}
    return client.post(url("fill", code), {**data, "action": "review"})


def test_a_whole_game_stores_no_client_data(client, professional, measurement_round):
    client.force_login(professional)
    before = client_tables()
    client_events_before = AuditEvent.objects.exclude(client=None).count()

    start = client.get(reverse("practice:start"))
    assert start.status_code == 200
    assert BANNER in start.text
    started = client.post(
        reverse("practice:start"),
        {"variant": "kort", "course": "deteriorating", "domain": "reclassering"},
    )
    assert started.status_code == 302
    code = started["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert parse_code(code) is not None
    assert code.startswith("kort-verslechterend-reclassering-")

    case = client.get(started["Location"])
    assert case.status_code == 200
    assert "(fictief)" in case.text
    assert BANNER in case.text
    # Blind, as in a real round: no joint view before the own side is sent.
    assert client.get(url("joint", code))["Location"] == url("fill", code)

    fill = client.get(url("fill", code))
    assert fill.status_code == 200
    assert BANNER in fill.text
    assert re.search(r"<title>Oefenen: ", fill.text)
    # The card game is offered as on a real fill page.
    assert f'href="{url("fill", code)}?weergave=kaarten"' in fill.text
    assert answer_all(client, 2, code)["Location"] == url("confirm", code)
    confirm = client.get(url("confirm", code))
    assert confirm.status_code == 200
    assert client.post(url("confirm", code))["Location"] == url("joint", code)

    joint = client.get(url("joint", code))
    assert joint.status_code == 200
    assert BANNER in joint.text
    results = joint.context["results"]
    assert results.round is None
    assert results.professional_submitted
    own = score_answers(
        results.instrument, {i.id: 2 for i in professional_items(code)}, "professional"
    )
    assert {c.key: c.professional.score for c in results.characteristics} == own
    assert joint.context["prompts"]
    # Nothing that belongs to a real round is offered: agreements, evaluation, the summary.
    for address in ("/afspraken/", "/evaluatie/", "/besproken/", "samenvatting.pdf"):
        assert address not in joint.text

    assert client_tables() == before
    assert AuditEvent.objects.exclude(client=None).count() == client_events_before
    assert not AuditEvent.objects.filter(action__endswith=".view", client=None).exists()
    practice_events = AuditEvent.objects.filter(action="practice.start")
    assert practice_events.count() == 1
    assert practice_events.get().client is None
    assert practice_events.get().organisation is None


def test_the_joint_view_shows_the_generators_client_answers(client, professional):
    client.force_login(professional)
    answer_all(client, 3)
    client.post(url("confirm"))
    results = client.get(url("joint")).context["results"]
    expected = practice_case(
        get_registry().get("kort"), course="deteriorating", seed=4821, domain="reclassering"
    )
    shown = {p.client_item: p.client_answer.value for c in results.characteristics for p in c.pairs}
    assert shown == {k: v for k, v in expected.current_client.items() if k in shown}
    assert {p.client_item for p in results.agenda if p.flagged} == set(expected.flagged)


def test_replay_gives_the_same_client_with_an_empty_own_side(client, professional):
    client.force_login(professional)
    answer_all(client, 5)
    client.post(url("confirm"))
    first = client.get(url("joint")).context["results"]

    replay = client.post(url("replay"))
    assert replay["Location"] == url("fill")
    fill = client.get(url("fill"))
    assert fill.context["questionnaire"].done == 0
    assert client.get(url("joint"))["Location"] == url("fill")

    answer_all(client, 1)
    client.post(url("confirm"))
    again = client.get(url("joint")).context["results"]

    def client_side(results):
        return [(p.client_item, p.client_answer) for c in results.characteristics for p in c.pairs]

    assert client_side(again) == client_side(first)
    assert again.characteristic("direction").professional.score == 1
    assert AuditEvent.objects.filter(action="practice.start", detail__how="replay").count() == 1


def test_a_new_case_keeps_the_choices_and_draws_another_client(client, professional):
    client.force_login(professional)
    response = client.post(
        reverse("practice:start"),
        {"variant": "kort", "course": "deteriorating", "domain": "reclassering"},
    )
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    parsed = parse_code(code)
    assert (parsed.variant, parsed.course, parsed.domain) == (
        "kort",
        "deteriorating",
        "reclassering",
    )


def test_autosave_keeps_answers_in_the_session_only(client, professional):
    client.force_login(professional)
    item = professional_items()[0]
    response = client.post(url("fill"), {f"answer-{item.id}": "skip"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "1 van" in response.text
    assert client.session[SESSION_KEY][CODE]["answers"] == {item.id: None}


@pytest.mark.parametrize(
    "code",
    [
        "kort-verslechterend-reclassering-0",
        "kort-verslechterend-reclassering-04821",
        "kort-verslechterend-reclassering-100000",
        "kort-zijwaarts-reclassering-12",
        "lang-stabiel-reclassering-12",
        "kort-stabiel-bakkerij-12",
        "kort-stabiel-12",
        "niets",
        "kort-stabiel-reclassering-１２",
    ],
)
def test_a_tampered_case_code_says_so_and_changes_nothing(client, professional, code):
    client.force_login(professional)
    for name in ("case", "fill", "confirm", "joint"):
        response = client.get(url(name, code))
        assert response.status_code == 404
        assert "Deze oefencasus bestaat niet" in response.text
        assert BANNER in response.text
    assert client.post(url("replay", code)).status_code == 404
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "stored",
    [
        "nonsense",
        ["a", "list"],
        {CODE: "not a dict"},
        {CODE: {"answers": {"p_direction_1": 9, "x_unknown": 3, "p_trust_1": "4"}, "sent": True}},
        {CODE: {"answers": [], "sent": "yes"}},
    ],
)
def test_a_tampered_session_is_read_as_no_answers(client, professional, stored):
    client.force_login(professional)
    session = client.session
    session[SESSION_KEY] = stored
    session.save()
    fill = client.get(url("fill"))
    assert fill.status_code == 200
    assert fill.context["questionnaire"].done == 0
    # Not sent: the joint view stays closed.
    assert client.get(url("joint"))["Location"] == url("fill")
    assert answer_all(client, 3).status_code == 302
    assert client.post(url("confirm")).status_code == 302
    assert client.get(url("joint")).status_code == 200


def test_a_foreign_answer_in_the_post_is_refused(client, professional):
    client.force_login(professional)
    response = client.post(url("fill"), {"answer-c_direction_1": "3", "action": "save"})
    assert response.status_code == 400
    assert "Er is niets gewijzigd" in response.text
    assert SESSION_KEY not in client.session


def test_sending_nothing_goes_back_to_the_statements(client, professional):
    client.force_login(professional)
    assert client.post(url("confirm"))["Location"] == url("fill")
    assert client.get(url("joint"))["Location"] == url("fill")


@pytest.mark.parametrize(
    "persona", ["professional", "team_lead", "org_admin", "researcher", "superuser"]
)
def test_every_logged_in_role_may_practise(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("practice:start")).status_code == 200
    assert client.get(url("case")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    for target in (reverse("practice:start"), url("case"), url("fill"), url("joint")):
        response = client.get(target)
        assert response.status_code == 302
        assert "/login/" in response["Location"] or "inloggen" in response["Location"]


def test_the_start_form_refuses_unknown_choices(client, professional):
    client.force_login(professional)
    response = client.post(
        reverse("practice:start"), {"variant": "lang", "course": "sideways", "domain": "x"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="practice.start").exists()


def test_the_case_after_a_handover_says_so(client, professional):
    client.force_login(professional)
    response = client.get(url("case", "standaard-wisseling-jeugdbescherming-7"))
    assert response.status_code == 200
    assert "andere professional" in response.text


def test_the_staff_menu_leads_to_practice(client, team_lead):
    client.force_login(team_lead)
    assert reverse("practice:start") in client.get(reverse("home")).text


def test_a_case_code_from_the_board_opens_the_case(client, professional):
    client.force_login(professional)
    response = client.get(reverse("practice:start"), {"casus": f"  {CODE.upper()} "})
    assert response["Location"] == url("case")


@pytest.mark.parametrize("typed", ["", "kort-4821", "kort-verslechterend-reclassering-0", "a\x00b"])
def test_a_wrong_case_code_is_refused_with_a_message(client, professional, typed):
    client.force_login(professional)
    response = client.get(reverse("practice:start"), {"casus": typed})
    assert response.status_code == 400
    assert "utrecht-form-field-error-message" in response.text
    # The start form is still there, with its choices.
    assert 'value="stable" checked' in response.text


def test_a_case_opened_by_its_code_is_audited(client, professional):
    client.force_login(professional)
    response = client.get(reverse("practice:start"), {"casus": CODE})
    assert response["Location"] == url("case")
    event = AuditEvent.objects.get(action="practice.start", detail__how="code")
    assert event.detail["case"] == CODE
    assert event.actor == professional
    assert event.client is None


def test_the_card_game_in_practice(client, professional):
    """Piles with faces, no aside pile (the professional's side), the same saving, and the
    choice kept apart from a real round's professional side."""
    from alliantiemonitor.measurements.presentation import _SESSION_KEY

    client.force_login(professional)
    cards = client.get(url("fill"), {"weergave": "kaarten"})
    assert cards.status_code == 200
    assert cards.context["cards"]
    assert "data-cards" in cards.text
    assert 'data-pile="aside"' not in cards.text
    faces = [option.pictogram for option in cards.context["scale"]]
    assert faces[:5] == [f"face-{n}" for n in range(1, 6)]
    assert 'name="weergave" value="kaarten"' in cards.text
    session = client.session
    assert session.get(_SESSION_KEY.format(rater="practice")) == "kaarten"
    assert _SESSION_KEY.format(rater="professional") not in session
    # Kept on the next visit without the parameter; the list again on request.
    assert client.get(url("fill")).context["cards"]
    assert not client.get(url("fill"), {"weergave": "lijst"}).context["cards"]
    # Saving from the card page works as from the list.
    items = professional_items(CODE)
    saved = client.post(
        url("fill"),
        {f"answer-{items[0].id}": "5", "weergave": "kaarten"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    fill = client.get(url("fill"))
    assert fill.context["questionnaire"].answers == {items[0].id: 5}
