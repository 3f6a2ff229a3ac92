"""The joint conversation view: blind until both are done, only for the assigned professional."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.models import Agreement, Conversation, Evaluation
from alliantiemonitor.conversations.services import conversation_start
from alliantiemonitor.measurements.constants import RoundState
from tests.conversations.conftest import answer

pytestmark = pytest.mark.django_db

# A distinctive client answer: only the client answers "Helemaal oneens" (1) in these tests.
CLIENT_LABEL = "Helemaal oneens"


def url(name, round_):
    return reverse(f"conversations:{name}", args=[round_.uuid])


@pytest.fixture
def pro_client(client, professional):
    client.force_login(professional)
    return client


@pytest.fixture
def disagreeing(measurement_round, professional):
    """Both done; the client strongly disagrees with the first direction statement."""
    answer(measurement_round, "client", 4, c_direction_1=1, flagged=["c_bond_2"])
    answer(measurement_round, "professional", 4, professional=professional)
    return measurement_round


def test_login_required(client, both_done):
    response = client.get(url("joint", both_done))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["colleague", "outsider", "team_lead", "researcher"])
def test_others_get_404(client, both_done, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("joint", both_done)).status_code == 404
    for name in ("agreement_add", "evaluate", "mark_discussed", "start"):
        assert client.post(url(name, both_done), {"text": "x"}).status_code == 404
    assert not Conversation.objects.exists()


def test_not_a_uuid_is_404(pro_client, both_done):
    assert pro_client.get("/gesprek/12345/").status_code == 404


def test_waiting_page_shows_no_answers(pro_client, measurement_round, professional):
    answer(measurement_round, "client", 1, c_direction_1=1)
    answer(measurement_round, "professional", 4, professional=professional, submit=False)
    response = pro_client.get(url("joint", measurement_round))
    html = response.content.decode()
    assert response.status_code == 200
    assert "opent zodra" in html or "opens when" in html
    assert CLIENT_LABEL not in html
    assert "Mijn reclasseringswerker" not in html  # no statements at all
    assert "niet verstuurd" in html or "not sent yet" in html
    assert html.count("<h1") == 1
    # Nothing can be written while the blind rule holds.
    pro_client.post(url("agreement_add", measurement_round), {"text": "Afspraak"})
    assert not Conversation.objects.exists()
    assert AuditEvent.objects.filter(action="conversation.view").exists()


def test_joint_view_shows_both_sides(pro_client, disagreeing):
    response = pro_client.get(url("joint", disagreeing))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert CLIENT_LABEL in html
    assert "Mijn reclasseringswerker legt duidelijk uit" in html  # client wording
    assert "Ik leg deze cliënt duidelijk uit wat ik verwacht." in html  # professional wording
    assert "hoger = meer stroefheid" in html or "higher = more friction" in html
    assert "suggesties, geen oordelen" in html or "suggestions, not judgements" in html
    assert 'style="' not in html
    event = AuditEvent.objects.filter(action="conversation.view").latest("pk")
    assert event.detail == {"visible": True}


def test_agenda_puts_flagged_first(pro_client, disagreeing):
    html = pro_client.get(url("joint", disagreeing)).content.decode()
    agenda = html.split('id="agenda"')[1].split("</section>")[0]
    flagged = agenda.index("am-pair--flagged")
    difference = agenda.index("am-pair am-pair--highlight")
    assert flagged < difference


def test_add_agreement_starts_the_conversation(pro_client, disagreeing, professional):
    response = pro_client.post(url("agreement_add", disagreeing), {"text": " Elke week bellen "})
    assert response.status_code == 302
    assert response["Location"].endswith("#agreements")
    conversation = Conversation.objects.get(round=disagreeing)
    assert conversation.held_by == professional
    assert list(conversation.agreements.values_list("text", flat=True)) == ["Elke week bellen"]
    html = pro_client.get(response["Location"]).content.decode()
    assert "Elke week bellen" in html
    assert AuditEvent.objects.filter(action="agreement.add").count() == 1


def test_empty_agreement_changes_nothing(pro_client, disagreeing):
    response = pro_client.post(url("agreement_add", disagreeing), {"text": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Schrijf eerst de afspraak" in html or "Write the agreement first." in html
    assert 'aria-invalid="true"' in html
    assert not Agreement.objects.exists()
    assert not Conversation.objects.exists()


def test_agreement_with_htmx_returns_the_panel(pro_client, disagreeing):
    response = pro_client.post(
        url("agreement_add", disagreeing), {"text": "Samen naar de bank"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="agreements-panel"')
    assert "Samen naar de bank" in html
    assert 'role="status"' in html
    # The first agreement recorded the conversation: the finish button comes along out of band.
    assert 'id="finish-body" hx-swap-oob="true"' in html
    assert reverse("conversations:mark_discussed", args=[disagreeing.uuid]) in html


def test_agreement_with_htmx_puts_focus_back_in_the_field(pro_client, disagreeing):
    """The swap removes the button that had focus; without this a keyboard user landed at the
    top of the page after every agreement (tests/e2e/test_keyboard_only.py)."""
    for text in ("Samen naar de bank", "   "):  # added, and refused: focus at the field
        response = pro_client.post(
            url("agreement_add", disagreeing), {"text": text}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert re.search(
            r'<textarea [^>]*autofocus[^>]*id="id_text"|<textarea [^>]*id="id_text"[^>]*autofocus',
            html,
        ), html
    # The full page does not take focus away from where the professional starts reading.
    assert "autofocus" not in pro_client.get(url("joint", disagreeing)).content.decode()


def test_evaluation_by_both(pro_client, disagreeing, professional):
    for party, useful in (("client", "partly"), ("professional", "yes")):
        response = pro_client.post(
            url("evaluate", disagreeing),
            {"party": party, "useful": useful, "comment": "Goed gesprek"},
        )
        assert response.status_code == 302
    evaluations = Evaluation.objects.filter(conversation__round=disagreeing)
    assert {(e.party, e.useful, e.recorded_by) for e in evaluations} == {
        ("client", "partly", professional),
        ("professional", "yes", professional),
    }
    html = pro_client.get(url("joint", disagreeing)).content.decode()
    assert "Goed gesprek" in html
    assert 'name="useful"' not in html  # both given: no more forms


def test_evaluation_needs_an_answer(pro_client, disagreeing):
    response = pro_client.post(url("evaluate", disagreeing), {"party": "client", "comment": "x"})
    assert response.status_code == 200
    assert 'aria-describedby="id_client_useful_errors"' in response.content.decode()
    assert not Evaluation.objects.exists()
    response = pro_client.post(url("evaluate", disagreeing), {"party": "judge", "useful": "yes"})
    assert response.status_code == 302
    assert not Evaluation.objects.exists()


def test_second_evaluation_is_refused_calmly(pro_client, disagreeing):
    data = {"party": "client", "useful": "yes"}
    pro_client.post(url("evaluate", disagreeing), data)
    response = pro_client.post(url("evaluate", disagreeing), {**data, "useful": "no"}, follow=True)
    assert Evaluation.objects.get().useful == "yes"
    assert response.status_code == 200


def test_start_with_a_date(pro_client, disagreeing):
    opened = timezone.localdate(disagreeing.opened_at)
    response = pro_client.post(url("start", disagreeing), {"held_on": opened.isoformat()})
    assert response.status_code == 302
    assert Conversation.objects.get().held_on == opened
    response = pro_client.post(url("start", disagreeing), {"held_on": "2999-01-01"})
    assert response.status_code == 400  # the form explains; nothing changes
    assert Conversation.objects.count() == 1


def test_mark_discussed(pro_client, disagreeing, professional):
    # Without a conversation the button is disabled and the service refuses.
    html = pro_client.get(url("joint", disagreeing)).content.decode()
    assert "disabled" in html
    pro_client.post(url("mark_discussed", disagreeing))
    disagreeing.refresh_from_db()
    assert disagreeing.state == RoundState.BOTH_DONE

    conversation_start(round=disagreeing, by=professional)
    response = pro_client.post(url("mark_discussed", disagreeing))
    assert response.status_code == 302
    disagreeing.refresh_from_db()
    assert disagreeing.state == RoundState.DISCUSSED
    assert AuditEvent.objects.filter(action="round.discussed").count() == 1
    html = pro_client.get(url("joint", disagreeing)).content.decode()
    assert "besproken" in html or "discussed" in html
    assert url("mark_discussed", disagreeing) not in html


def test_get_only_for_joint_and_post_only_for_writes(pro_client, disagreeing):
    assert pro_client.post(url("joint", disagreeing)).status_code == 405
    assert pro_client.get(url("agreement_add", disagreeing)).status_code == 405


def test_the_date_form_refuses_a_day_before_the_round(pro_client, disagreeing):
    import datetime as dt

    day_before = timezone.localdate(disagreeing.opened_at) - dt.timedelta(days=1)
    response = pro_client.post(url("start", disagreeing), {"held_on": day_before})
    assert response.status_code == 400
    assert not Conversation.objects.filter(round=disagreeing).exists()
    assert "utrecht-form-field--invalid" in response.content.decode()


def _templates(pro_client, round_):
    response = pro_client.get(url("joint", round_))
    assert response.status_code == 200
    return [template.name for template in response.templates]


def test_the_pairs_are_rendered_in_one_loop_per_list(pro_client, measurement_round, professional):
    # Every statement apart: all twenty pairs on the agenda and again under their
    # characteristic. A list is one template, not one per pair (that was 38 includes here).
    answer(measurement_round, "client", 1, flagged=["c_bond_2"])
    answer(measurement_round, "professional", 5, professional=professional)
    names = _templates(pro_client, measurement_round)
    characteristics = 4
    assert names.count("conversations/_pair_list.html") == 1 + characteristics
    assert len(names) <= 70


def test_the_templates_rendered_do_not_grow_with_the_agenda(
    pro_client, disagreeing, trajectory, professional
):
    from alliantiemonitor.measurements.services import round_start

    few = _templates(pro_client, disagreeing)
    disagreeing.state = RoundState.CLOSED
    disagreeing.save(update_fields=["state"])
    all_apart = round_start(trajectory=trajectory, by=professional)
    answer(all_apart, "client", 1)
    answer(all_apart, "professional", 5, professional=professional)
    assert len(_templates(pro_client, all_apart)) == len(few)
