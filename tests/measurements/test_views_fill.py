"""Filling in the monitor: the client's intro, questionnaire and sending; the professional."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.client_session import HANDOVER_KEY, SESSION_KEY
from alliantiemonitor.measurements.constants import Rater, ResponseMode, RoundState
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.services import (
    invitation_create,
    response_save_answers,
    response_submit,
    round_cancel,
    round_start,
)
from tests.factories import full_answers

pytestmark = pytest.mark.django_db

FILL = "/m/invullen/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client_session(django_client: Any, measurement_round: Any, professional: Any, **kw: Any):
    """Open a client session on ``measurement_round`` the way a personal link does."""
    invitation, _secret = invitation_create(round=measurement_round, kind="link", by=professional)
    session = django_client.session
    session[SESSION_KEY] = {
        "round": str(measurement_round.uuid),
        "invitation": str(invitation.uuid),
        "mode": kw.get("mode", ResponseMode.OWN_DEVICE),
    }
    session.save()
    return invitation


def _handed_over_session(django_client: Any, measurement_round: Any, professional: Any) -> None:
    """The professional's logged-in browser, handed over to the client (see the middleware)."""
    django_client.force_login(professional)
    session = django_client.session
    session[HANDOVER_KEY] = {"round": str(measurement_round.uuid), "user": professional.pk}
    session[SESSION_KEY] = {
        "round": str(measurement_round.uuid),
        "invitation": None,
        "mode": ResponseMode.HANDED_OVER_DEVICE,
    }
    session.save()


def _client_response(measurement_round: Any) -> Response | None:
    return measurement_round.responses.current().by_rater(Rater.CLIENT).first()


@pytest.fixture
def client_page(client, measurement_round, professional):
    """A browser with a client session on the open ``standaard`` round."""
    _client_session(client, measurement_round, professional)
    return client


@pytest.fixture
def easy_round(trajectory, professional):
    return round_start(trajectory=trajectory, by=professional, instrument_id="eenvoudig")


# --------------------------------------------------------------------------- intro


def test_intro_explains_in_plain_words(client_page, instrument):
    page = client_page.get(reverse("client:start"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "reclasseringswerker" in text  # the organisation's domain is reclassering
    assert "niet tegen je gebruikt" in text.lower() or "not used against you" in text.lower()
    assert str(len(instrument.items_for("client"))) in text
    assert reverse("client:fill") in text


def test_intro_in_the_clients_preferred_language(client_page, client_record):
    client_record.preferred_language = "en"
    client_record.save()
    page = client_page.get(reverse("client:start"))
    assert page["Content-Language"] == "en"
    assert "probation officer" in page.content.decode()


def test_explicit_language_choice_wins(client_page, client_record, settings):
    client_record.preferred_language = "en"
    client_record.save()
    client_page.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client_page.get(reverse("client:start"))
    assert page["Content-Language"] == "nl"


def test_easy_read_intro_is_short(client, easy_round, professional):
    _client_session(client, easy_round, professional)
    page = client.get(reverse("client:start"))
    assert page.status_code == 200
    assert b"am-intro__easy" in page.content


@pytest.mark.parametrize("name", ["client:start", "client:fill", "client:confirm", "client:done"])
def test_without_a_session_a_friendly_page_and_no_data(client, measurement_round, name):
    page = client.get(reverse(name))
    assert page.status_code == 403
    text = page.content.decode()
    assert "K.V." not in text
    assert "reclasseringswerker" not in text
    assert 'name="answer-' not in text


def test_revoked_invitation_ends_the_session(client, measurement_round, professional):
    from alliantiemonitor.measurements.services import invitation_revoke

    invitation = _client_session(client, measurement_round, professional)
    invitation_revoke(invitation=invitation, by=professional)
    assert client.get(FILL).status_code == 403
    assert client.post(FILL, {"answer-c_direction_1": "4"}).status_code == 403
    assert _client_response(measurement_round) is None


def test_expired_invitation_fills_in_nothing(client, measurement_round, professional):
    import datetime as dt

    from django.utils import timezone

    invitation = _client_session(client, measurement_round, professional)
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()
    assert client.get(FILL).status_code == 403
    assert client.post(FILL, {"answer-c_direction_1": "4"}).status_code == 403
    assert _client_response(measurement_round) is None


# --------------------------------------------------------------------------- filling in


def test_fill_shows_statements_with_domain_words(client_page, instrument):
    page = client_page.get(FILL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "reclasseringswerker" in text
    assert "{professional}" not in text
    for item in instrument.items_for("client"):
        assert f'name="answer-{item.id}"' in text
        assert f'name="flag" value="{item.id}"' in text
    assert "<legend" in text
    assert "<fieldset" in text
    assert 'value="skip"' in text
    assert "0 van 19" in text or "0 of 19" in text


def test_no_js_save_then_resume(client_page, measurement_round):
    page = client_page.post(
        FILL,
        {"answer-c_direction_1": "4", "answer-c_trust_1": "skip", "action": "save"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == FILL
    response = _client_response(measurement_round)
    assert response.answers == {"c_direction_1": 4, "c_trust_1": None}
    assert response.mode == ResponseMode.OWN_DEVICE
    assert response.respondent is None
    text = page.content.decode()
    assert 'role="status"' in text
    # Resume: the saved choices are selected again, "don't know" included.
    assert 'id="answer-c_direction_1-4" name="answer-c_direction_1" value="4" checked' in text
    assert 'id="answer-c_trust_1-skip" name="answer-c_trust_1" value="skip" checked' in text
    assert "2 van 19" in text or "2 of 19" in text


def test_a_later_save_merges(client_page, measurement_round):
    client_page.post(FILL, {"answer-c_direction_1": "4"})
    client_page.post(FILL, {"answer-c_direction_2": "2"})
    assert _client_response(measurement_round).answers == {"c_direction_1": 4, "c_direction_2": 2}


def test_flags_are_stored_and_can_be_taken_back(client_page, measurement_round):
    client_page.post(FILL, {"answer-c_trust_1": "2", "flag": ["c_trust_1", "c_bond_1"]})
    assert _client_response(measurement_round).flagged == ["c_trust_1", "c_bond_1"]
    page = client_page.get(FILL).content.decode()
    assert 'name="flag" value="c_trust_1" checked' in page
    client_page.post(FILL, {"flag": ["c_bond_1"]})
    assert _client_response(measurement_round).flagged == ["c_bond_1"]


@pytest.mark.parametrize("session", ["own link", "hand-over"])
@pytest.mark.parametrize("round_fixture", ["measurement_round", "easy_round"])
def test_the_questionnaire_is_one_stylesheet_and_one_script(
    client, professional, session, round_fixture, request
):
    """The page weight bar (issue 10): no htmx, no stylesheet per component, no image files."""
    round_ = request.getfixturevalue(round_fixture)
    if session == "own link":
        _client_session(client, round_, professional)
    else:
        _handed_over_session(client, round_, professional)
    html = client.get(FILL).content.decode()
    assert html.count('rel="stylesheet"') == 1
    assert "alliantiemonitor/css/client.bundle" in html
    assert html.count("<script") == 1
    assert "measurements/js/fill.bundle" in html
    assert "htmx" not in html
    assert "<img" not in html
    # The autosave script's form: where the status goes, the message if it fails.
    assert 'data-autosave="fill-status"' in html
    assert 'id="fill-status"' in html


def test_htmx_change_saves_and_returns_the_partial(client_page, measurement_round):
    page = client_page.post(FILL, {"answer-c_bond_2": "5"}, **HTMX)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<html" not in text
    assert 'data-swap-oob="true"' in text
    assert 'id="fill-progress"' in text
    assert "1 van 19" in text or "1 of 19" in text
    assert _client_response(measurement_round).answers == {"c_bond_2": 5}


@pytest.mark.parametrize(
    "data",
    [
        {"answer-c_direction_1": "7"},  # off the scale
        {"answer-c_direction_1": "3", "answer-p_direction_1": "3"},  # the professional's item
        {"answer-c_direction_1": "3", "answer-nonsense": "3"},  # unknown item
        {"answer-c_direction_1": "3", "flag": ["p_trust_1"]},  # flag of another rater's item
    ],
)
def test_bad_input_changes_nothing(client_page, measurement_round, data):
    client_page.post(FILL, {"answer-c_trust_2": "2"})
    page = client_page.post(FILL, data)
    assert page.status_code == 400
    assert "Nothing was changed" in page.content.decode() or "Er is niets" in page.content.decode()
    response = _client_response(measurement_round)
    assert response.answers == {"c_trust_2": 2}
    assert response.flagged == []
    htmx_page = client_page.post(FILL, data, **HTMX)
    assert htmx_page.status_code == 200
    assert b"am-fill-status__error" in htmx_page.content
    assert _client_response(measurement_round).answers == {"c_trust_2": 2}


def test_send_goes_through_a_summary(client_page, measurement_round):
    client_page.post(FILL, {"answer-c_direction_1": "4", "flag": ["c_direction_1"]})
    # The whole page is posted: a flag stays only while its box is still ticked.
    page = client_page.post(
        FILL, {"answer-c_direction_2": "3", "flag": ["c_direction_1"], "action": "review"}
    )
    assert page.status_code == 302
    assert page["Location"] == reverse("client:confirm")
    summary = client_page.get(reverse("client:confirm"))
    text = summary.content.decode()
    assert "reclasseringswerker" in text  # the flagged statement is listed
    assert _client_response(measurement_round).submitted_at is None


def test_submit_exactly_once(client_page, measurement_round):
    client_page.post(FILL, {"answer-c_direction_1": "4"})
    first = client_page.post(reverse("client:confirm"))
    second = client_page.post(reverse("client:confirm"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("client:done")
    assert Response.objects.filter(round=measurement_round, rater=Rater.CLIENT).count() == 1
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.CLIENT_DONE
    assert AuditEvent.objects.filter(action="response.submit").count() == 1
    done = client_page.get(reverse("client:done"))
    assert done.status_code == 200
    # After sending, the questionnaire leads calmly to the "sent" page and saves nothing.
    assert client_page.get(FILL)["Location"] == reverse("client:done")
    assert client_page.post(FILL, {"answer-c_direction_1": "1"})["Location"] == reverse(
        "client:done"
    )
    assert _client_response(measurement_round).answers == {"c_direction_1": 4}


def test_sending_nothing_asks_to_answer_first(client_page, measurement_round):
    page = client_page.post(reverse("client:confirm"))
    assert page["Location"] == FILL
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.OPEN


def test_done_before_sending_goes_back_to_the_start(client_page):
    assert client_page.get(reverse("client:done"))["Location"] == reverse("client:start")


def test_handed_over_device_asks_to_give_it_back(client, measurement_round, professional):
    _handed_over_session(client, measurement_round, professional)
    client.post(FILL, {"answer-c_direction_1": "4"})
    assert _client_response(measurement_round).mode == ResponseMode.HANDED_OVER_DEVICE
    client.post(reverse("client:confirm"))
    done = client.get(reverse("client:done")).content.decode()
    assert "reclasseringswerker" in done
    assert "terug" in done.lower() or "back" in done.lower()


def test_closed_round_gives_a_friendly_page(client_page, measurement_round, professional):
    client_page.post(FILL, {"answer-c_direction_1": "4"})
    round_cancel(round=measurement_round, by=professional)
    for page in (
        client_page.get(FILL),
        client_page.post(FILL, {"answer-c_direction_1": "2"}),
        client_page.post(reverse("client:confirm")),
    ):
        assert page.status_code == 409
        assert b"utrecht-heading-1" in page.content
    assert _client_response(measurement_round).answers == {"c_direction_1": 4}
    htmx_page = client_page.post(FILL, {"answer-c_direction_1": "2"}, **HTMX)
    assert htmx_page["HX-Refresh"] == "true"


# --------------------------------------------------------------------------- easy-read


def test_easy_read_one_statement_per_screen(client, easy_round, professional):
    _client_session(client, easy_round, professional)
    instrument = easy_round.instrument
    items = instrument.items_for("client")
    first = client.get(FILL)
    text = first.content.decode()
    # The easy text, its pictogram and faces on the scale; only the first statement.
    assert (
        items[0].display_text(
            "nl",
            {"professional": "reclasseringswerker", "conditions": "voorwaarden"},
            easy_read=True,
        )
        in text
    )
    # Inlined (no request per picture), hidden from screen readers beside the same words.
    assert text.count('<svg class="am-statement__pictogram" width="72" height="72"') == 1
    assert text.count('<svg class="am-choice__face" width="36" height="36"') == 5
    assert text.count('aria-hidden="true" focusable="false"') == 6
    assert "pictograms/" not in text
    assert f'name="answer-{items[0].id}"' in text
    assert f'name="answer-{items[1].id}"' not in text

    page = client.post(f"{FILL}?vraag=1", {f"answer-{items[0].id}": "5", "action": "next"})
    assert page["Location"] == f"{FILL}?vraag=2"
    page = client.post(f"{FILL}?vraag=2", {f"answer-{items[1].id}": "skip", "action": "previous"})
    assert page["Location"] == f"{FILL}?vraag=1"
    assert _client_response(easy_round).answers == {items[0].id: 5, items[1].id: None}
    # Back on the first screen the saved answer is selected; a reload resumes at the first open one.
    assert "checked" in client.get(f"{FILL}?vraag=1").content.decode()
    resumed = client.get(FILL).content.decode()
    assert f'name="answer-{items[2].id}"' in resumed

    # A flag on one screen keeps the flags of the others.
    client.post(f"{FILL}?vraag=1", {"flag": [items[0].id]})
    client.post(f"{FILL}?vraag=3", {"flag": [items[2].id]})
    assert _client_response(easy_round).flagged == [items[0].id, items[2].id]
    # An item of another screen is refused on this one.
    page = client.post(f"{FILL}?vraag=3", {f"answer-{items[4].id}": "2"})
    assert page.status_code == 400

    last = client.post(f"{FILL}?vraag={len(items)}", {"action": "next"})
    assert last["Location"] == reverse("client:confirm")


# --------------------------------------------------------------------------- the professional


def test_professional_fills_in_their_own_side(client, professional, measurement_round):
    client.force_login(professional)
    url = reverse("measurements:fill", args=[measurement_round.uuid])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="answer-p_direction_1"' in text
    assert 'name="answer-c_direction_1"' not in text
    assert 'name="flag"' not in text
    assert AuditEvent.objects.filter(action="response.view", actor=professional).count() == 1

    instrument = measurement_round.instrument
    data = {f"answer-{k}": str(v) for k, v in full_answers(instrument, "professional", 4).items()}
    client.post(url, data)
    response = measurement_round.responses.current().by_rater(Rater.PROFESSIONAL).get()
    assert response.respondent == professional
    assert response.mode == ResponseMode.PROFESSIONAL_SELF
    assert set(response.answers.values()) == {4}

    confirm = reverse("measurements:fill_confirm", args=[measurement_round.uuid])
    assert client.get(confirm).status_code == 200
    done = reverse("measurements:fill_done", args=[measurement_round.uuid])
    assert client.post(confirm)["Location"] == done
    assert client.post(confirm)["Location"] == done
    assert client.get(done).status_code == 200
    measurement_round.refresh_from_db()
    assert measurement_round.state == RoundState.PROFESSIONAL_DONE


@pytest.mark.parametrize("persona", ["colleague", "outsider", "team_lead"])
def test_others_cannot_open_the_professional_form(client, measurement_round, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for name in ("measurements:fill", "measurements:fill_confirm", "measurements:fill_done"):
        url = reverse(name, args=[measurement_round.uuid])
        assert client.get(url).status_code == 404
        if name != "measurements:fill_done":
            assert client.post(url, {"answer-p_direction_1": "1"}).status_code == 404
    assert not measurement_round.responses.exists()


def test_anonymous_is_sent_to_login(client, measurement_round):
    page = client.get(reverse("measurements:fill", args=[measurement_round.uuid]))
    assert page.status_code == 302
    assert reverse("login") in page["Location"]


def test_professional_never_sees_the_clients_answers(client, professional, measurement_round):
    response_save_answers(
        round=measurement_round,
        rater=Rater.CLIENT,
        answers={"c_trust_1": 1},
        flagged=["c_trust_1"],
        mode=ResponseMode.OWN_DEVICE,
    )
    client.force_login(professional)
    text = client.get(reverse("measurements:fill", args=[measurement_round.uuid])).content.decode()
    assert "checked" not in text


def test_an_autosave_neither_locks_the_round_nor_reads_the_draft_back(
    client_page, measurement_round
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_page.post(FILL, {"answer-c_bond_2": "5"}, **HTMX)  # the first save makes the draft
    events_before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        page = client_page.post(FILL, {"answer-c_bond_1": "4"}, **HTMX)
    assert page.status_code == 200
    assert "2 van 19" in page.content.decode() or "2 of 19" in page.content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    rounds = [s for s in sql if s.startswith('SELECT "measurements_measurementround"')]
    invitations = [s for s in sql if s.startswith('SELECT "measurements_invitation"')]
    drafts = [s for s in sql if s.startswith('SELECT "measurements_response"')]
    # The session's invitation with its round in one query (no read of the round of its own,
    # none under a lock); the draft read once, by the page, and handed to the service; never
    # read back after the save; no lookups for the audit.
    assert rounds == []
    assert len(invitations) == 1
    assert "measurements_measurementround" in invitations[0]
    assert not any("FOR UPDATE" in s for s in sql if "audit_auditchainhead" not in s)
    assert len(drafts) == 1
    assert not any(s.startswith('SELECT "trajectories_') for s in sql)
    # Session, invitation and round, the draft, its update, the save's audit event (3): the
    # save is its own record, no page event beside it (was 17, then 12).
    assert len([s for s in sql if "SAVEPOINT" not in s]) == 7
    # Every read is of one row by a unique key: nothing to sort (an ORDER BY over the joined
    # invitation, round, trajectory, client and organisation cost more to build than to run).
    assert not any("ORDER BY" in s for s in sql)
    assert AuditEvent.objects.count() == events_before + 1
    assert AuditEvent.objects.order_by("-seq").first().action == Action.RESPONSE_SAVE
    assert _client_response(measurement_round).answers == {"c_bond_2": 5, "c_bond_1": 4}


def _events_since(seq: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True)
    )


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_refused_save_still_records_the_page_it_showed(client_page, measurement_round):
    # Only a save that went through is its own record; a refused one shows the page again
    # (with the saved answers) and that view is written down, as every client page is.
    client_page.post(FILL, {"answer-c_bond_2": "5"}, **HTMX)
    seq = _last_seq()
    page = client_page.post(FILL, {"answer-c_bond_1": "9"})
    assert page.status_code == 400
    assert _events_since(seq) == [Action.CLIENT_PAGE_VIEW]
    seq = _last_seq()
    page = client_page.post(FILL, {"answer-c_bond_1": "9"}, **HTMX)
    assert page.status_code == 200
    assert _events_since(seq) == [Action.CLIENT_PAGE_VIEW]
    seq = _last_seq()
    client_page.get(FILL)
    assert _events_since(seq) == [Action.CLIENT_PAGE_VIEW]
    seq = _last_seq()
    client_page.post(FILL, {"answer-c_bond_1": "4"}, **HTMX)
    assert _events_since(seq) == [Action.RESPONSE_SAVE]
    assert _client_response(measurement_round).answers == {"c_bond_2": 5, "c_bond_1": 4}


def test_a_save_in_a_round_that_closed_records_the_page_it_showed(client_page, measurement_round):
    client_page.post(FILL, {"answer-c_bond_2": "5"}, **HTMX)
    MeasurementRound.objects.filter(pk=measurement_round.pk).update(state=RoundState.CANCELLED)
    seq = _last_seq()
    page = client_page.post(FILL, {"answer-c_bond_1": "4"}, **HTMX)
    assert page.status_code == 409
    assert _events_since(seq) == [Action.CLIENT_PAGE_VIEW]
    assert _client_response(measurement_round).answers == {"c_bond_2": 5}


def _end_round(measurement_round: Any, professional: Any, ending: str) -> None:
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.measurements.services import round_cancel, round_close
    from alliantiemonitor.measurements.services.rounds import rounds_expire

    fresh = MeasurementRound.objects.get(pk=measurement_round.pk)
    if ending == "cancel":
        round_cancel(round=fresh, by=professional)
    elif ending == "close":
        round_close(round=fresh, by=professional)
    else:
        MeasurementRound.objects.filter(pk=fresh.pk).update(
            due_date=timezone.localdate() - dt.timedelta(days=30)
        )
        assert rounds_expire() == 1


def _professional_sent(measurement_round: Any, professional: Any) -> None:
    # Closing needs one side sent: the professional's.
    response_save_answers(
        round=measurement_round,
        rater="professional",
        answers=full_answers(measurement_round.instrument, "professional", 3),
        mode="professional_self",
        respondent=professional,
    )
    response_submit(round=measurement_round, rater="professional")


@pytest.mark.parametrize("ending", ["cancel", "close", "expire"])
@pytest.mark.parametrize("moment", ["before the page reads the draft", "before the save writes"])
def test_an_autosave_never_lands_in_a_round_that_ended_during_the_request(
    client_page, measurement_round, professional, monkeypatch, ending, moment
):
    # Review finding: the session reads the round, then the page reads the draft; a round
    # that ended between the two was still taken for open and the answer landed in it.
    from alliantiemonitor.measurements.views import fill

    client_page.post(FILL, {"answer-c_bond_2": "5"}, **HTMX)
    if ending == "close":
        _professional_sent(measurement_round, professional)
    if moment == "before the page reads the draft":
        original = fill.Questionnaire.__init__

        def ends_first(self, round, *args, **kwargs):
            _end_round(measurement_round, professional, ending)
            original(self, round, *args, **kwargs)

        monkeypatch.setattr(fill.Questionnaire, "__init__", ends_first)
    else:
        save = fill.response_save_answers

        def ends_first(**kwargs):
            _end_round(measurement_round, professional, ending)
            return save(**kwargs)

        monkeypatch.setattr(fill, "response_save_answers", ends_first)
    page = client_page.post(FILL, {"answer-c_bond_1": "4"}, **HTMX)
    assert page.status_code == 409
    assert _client_response(measurement_round).answers == {"c_bond_2": 5}
    assert (
        not AuditEvent.objects.filter(action=Action.RESPONSE_SAVE)
        .exclude(detail__items=["c_bond_2"])
        .exists()
    )


def test_the_professionals_refused_save_records_the_page_and_a_save_does_not_twice(
    client, professional, measurement_round
):
    client.force_login(professional)
    url = reverse("measurements:fill", args=[measurement_round.uuid])
    seq = _last_seq()
    client.post(url, {"answer-p_direction_1": "4"})
    assert _events_since(seq) == [Action.RESPONSE_START]
    seq = _last_seq()
    assert client.post(url, {"answer-p_direction_1": "0"}).status_code == 400
    assert _events_since(seq) == [Action.RESPONSE_VIEW]
    seq = _last_seq()
    client.get(url)
    assert _events_since(seq) == [Action.RESPONSE_VIEW]


def test_an_autosave_that_finds_the_draft_changed_saves_again_under_the_lock(
    measurement_round, monkeypatch
):
    # Two tabs save at once: the draft one of them read has changed before it writes. Its
    # conditional update writes nothing and the save runs again under the round's lock, on
    # the draft as it is now: neither answer is lost.
    from alliantiemonitor.measurements.services import responses

    def save(answers: dict) -> Response:
        return response_save_answers(
            round=measurement_round, rater="client", answers=answers, mode="own_device"
        )

    save({"c_bond_1": 1})
    stale = _client_response(measurement_round)
    save({"c_bond_2": 2})
    read = responses._current_unlocked
    monkeypatch.setattr(
        responses, "_current_unlocked", lambda round, rater: (read(round, rater), stale)[1]
    )
    saved = save({"c_bond_3": 3})
    assert saved.answers == {"c_bond_1": 1, "c_bond_2": 2, "c_bond_3": 3}
    assert _client_response(measurement_round).answers == saved.answers


def test_an_autosave_into_a_draft_sent_meanwhile_is_refused(measurement_round, monkeypatch):
    from alliantiemonitor.measurements.exceptions import AlreadySubmitted
    from alliantiemonitor.measurements.services import response_submit, responses

    answers = full_answers(measurement_round.instrument, "client", 4)
    response_save_answers(
        round=measurement_round, rater="client", answers=answers, mode="own_device"
    )
    stale = _client_response(measurement_round)
    response_submit(round=measurement_round, rater="client")
    monkeypatch.setattr(responses, "_current_unlocked", lambda round, rater: stale)
    with pytest.raises(AlreadySubmitted):
        response_save_answers(
            round=measurement_round, rater="client", answers={"c_bond_1": 1}, mode="own_device"
        )
    assert _client_response(measurement_round).answers == answers
