"""Filling in the monitor: the client's questionnaire (no account) and the professional's own side.

Both parties use the same views underneath (:func:`_fill_page`, :func:`_confirm_page`): every
change is saved at once with htmx, and without JavaScript the page is a plain form with a
"Save" and a "Send" button (POST-redirect-GET). Sending goes through a summary page; the service
submits exactly once, and a second send (double click, two tabs, a retry) lands calmly on the
"sent" page.

Client pages speak the client's preferred language unless the visitor chose a language
explicitly with the language switch (the language cookie).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from alliantiemonitor.audit.constants import Action, ActorKind
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.language import current_language
from alliantiemonitor.common.queries import unique_or_none
from alliantiemonitor.core.instrument import Instrument, Item, as_rater, pick_language
from alliantiemonitor.core.instrument import Rater as RaterKey
from alliantiemonitor.measurements.access import get_round_for
from alliantiemonitor.measurements.client_session import (
    ClientAccess,
    client_language_use,
    client_session_get,
    entered_with,
)
from alliantiemonitor.measurements.client_steps import client_step_pending, client_steps
from alliantiemonitor.measurements.constants import Presentation, Rater, ResponseMode
from alliantiemonitor.measurements.exceptions import (
    AlreadySubmitted,
    DraftElsewhere,
    DraftOnOwnDevice,
    InvalidAnswers,
    InvalidRespondent,
    NothingToSubmit,
    RoundNotOpen,
)
from alliantiemonitor.measurements.forms import SKIP, AnswersForm, answer_field_name
from alliantiemonitor.measurements.models import MeasurementRound, Response
from alliantiemonitor.measurements.presentation import (
    VIEW_CARDS,
    VIEW_LIST,
    VIEW_PARAM,
    cards_chosen,
)
from alliantiemonitor.measurements.services import (
    response_restart,
    response_save_answers,
    response_submit,
    round_answers_visible,
)
from alliantiemonitor.measurements.services.invitations import round_results_open_to_client
from alliantiemonitor.measurements.services.responses import draft_begun_elsewhere
from alliantiemonitor.measurements.views.guard import client_page, refresh_for_htmx

#: Pictogram keys that ship as static files (docs/instruments.md, "Pictograms").
PICTOGRAMS = frozenset(
    {"signpost", "people", "handshake", "speech", "heart", "ear", "wall", "storm"}
    | {f"face-{n}" for n in range(1, 6)}
)
#: The query parameter of the one-statement-per-screen presentation (1-based).
QUESTION_PARAM = "vraag"
#: A rough reading and answering time per statement, for "it takes about N minutes".
SECONDS_PER_STATEMENT = 20

CLIENT_TEMPLATE = "web/client_base.html"
STAFF_TEMPLATE = "web/base.html"


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ScaleOption:
    value: str
    label: str
    pictogram: str | None


@dataclass(frozen=True)
class Statement:
    item: Item
    number: int
    text: str
    field_name: str
    #: The saved choice: "1".."5", ``SKIP`` for "don't know", "" when nothing was chosen.
    value: str
    flagged: bool
    pictogram: str | None


def scale_options(
    instrument: Instrument, language: str, skip_label: str, *, faces: bool
) -> list[ScaleOption]:
    """The answer options in ``language``, then "not answered" (``skip_label``).

    With ``faces``, a five-point scale without pictograms of its own gets the five faces in
    order (easy-read and the card game's piles).
    """
    points = instrument.scale.points
    options = []
    for position, point in enumerate(points, start=1):
        pictogram = point.pictogram or (f"face-{position}" if len(points) == 5 else None)
        options.append(
            ScaleOption(
                value=str(point.value),
                label=pick_language(point.label, language),
                pictogram=pictogram if faces and pictogram in PICTOGRAMS else None,
            )
        )
    options.append(ScaleOption(value=SKIP, label=skip_label, pictogram=None))
    return options


class Questionnaire:
    """One party's statements in one round, in the reader's language, with what was saved."""

    def __init__(
        self, round: MeasurementRound, rater: str, language: str, entry: str | None = None
    ) -> None:
        self.round = round
        self.rater: RaterKey = as_rater(rater)
        self.language = language
        self.instrument: Instrument = round.instrument
        self.vocabulary = round.vocabulary(language)
        self.items: tuple[Item, ...] = self.instrument.items_for(self.rater)
        # Easy-read wording and one statement per screen are for the client; the professional
        # answers the fuller text of the same variant on one page.
        is_client = rater == Rater.CLIENT
        self.easy_read = is_client and self.instrument.easy_read
        self.one_per_screen = is_client and self.instrument.presentation == "one_per_screen"
        # The round's state is read with the draft (see ``with_round_state``): a round that
        # ended since the session read it is seen as ended, here and by a save of this draft.
        # One current draft per party (a unique constraint): nothing to sort.
        self.response: Response | None = unique_or_none(
            round.responses.current().by_rater(rater).with_round_state()
        )
        if self.response is not None:
            round.state = self.response.round_state_now  # type: ignore[attr-defined]
        #: A client draft begun through another invitation: not shown, not changed here.
        self.elsewhere = draft_begun_elsewhere(self.response, entry)
        if self.elsewhere:
            self.response = None

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this party can read the statements in (the client: more than nl/en)."""
        if self.rater == Rater.CLIENT:
            return self.instrument.client_language_choices
        return self.instrument.languages

    @property
    def shown_language(self) -> str:
        """The language the statements are shown in (Dutch when the reader's is not offered)."""
        if self.language in self.languages:
            return self.language
        return "nl" if "nl" in self.languages else self.languages[0]

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.response.answers) if self.response else {}

    @property
    def flagged(self) -> list[str]:
        return list(self.response.flagged) if self.response else []

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.is_submitted

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        """Statements with a choice, "don't know" included: how far the reader has come."""
        answers = self.answers
        return sum(1 for item in self.items if item.id in answers)

    @property
    def answered(self) -> int:
        answers = self.answers
        return sum(1 for item in self.items if answers.get(item.id) is not None)

    @property
    def skipped(self) -> int:
        return self.done - self.answered

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.total * SECONDS_PER_STATEMENT / 60))

    def scale(self, *, faces: bool) -> list[ScaleOption]:
        return scale_options(self.instrument, self.language, self.skip_label, faces=faces)

    @property
    def skip_label(self) -> str:
        """The "not answered" choice in this reader's words ("cannot judge": the professional)."""
        label = self.instrument.scale.not_answered_label_for(self.rater)
        return pick_language(label, self.language)

    def statements(self, items: Sequence[Item] | None = None) -> list[Statement]:
        answers, flagged = self.answers, set(self.flagged)
        numbers = {item.id: n for n, item in enumerate(self.items, start=1)}
        result = []
        for item in self.items if items is None else items:
            if item.id in answers:
                value = SKIP if answers[item.id] is None else str(answers[item.id])
            else:
                value = ""
            result.append(
                Statement(
                    item=item,
                    number=numbers[item.id],
                    text=item.display_text(
                        self.language, self.vocabulary, easy_read=self.easy_read
                    ),
                    field_name=answer_field_name(item.id),
                    value=value,
                    flagged=item.id in flagged,
                    pictogram=item.pictogram
                    if self.easy_read and item.pictogram in PICTOGRAMS
                    else None,
                )
            )
        return result

    def question_number(self, request: HttpRequest) -> int:
        """The statement shown one per screen: ``?vraag=N``, or the first one still open."""
        raw = request.GET.get(QUESTION_PARAM, "")
        if raw.isdigit():
            return min(max(int(raw), 1), self.total)
        answers = self.answers
        first_open = next(
            (n for n, item in enumerate(self.items, start=1) if item.id not in answers), None
        )
        return first_open or self.total

    def page_items(self, number: int | None) -> tuple[Item, ...]:
        if number is None:
            return self.items
        return (self.items[number - 1],)


@dataclass(frozen=True)
class Side:
    """Who fills in, and where their pages are."""

    round: MeasurementRound
    rater: str
    mode: str
    respondent: Any
    base_template: str
    fill_url: str
    confirm_url: str
    done_url: str
    handed_over: bool = False
    #: The public id of the invitation a client session came in with (binds its draft).
    entry: str | None = None


def _with_query(url: str, **params: Any) -> str:
    params = {key: value for key, value in params.items() if value is not None}
    return f"{url}?{urlencode(params)}" if params else url


def _page_url(side: Side, number: int | None) -> str:
    return _with_query(side.fill_url, **{QUESTION_PARAM: number})


# --------------------------------------------------------------------------- shared pages


def _side_page(request: HttpRequest, side: Side, template: str) -> HttpResponse:
    """A page that takes the place of the questionnaire (409: the state does not allow it)."""
    response = render(
        request, template, {"side": side, "base_template": side.base_template}, status=409
    )
    return refresh_for_htmx(request, response)


def _closed_page(request: HttpRequest, side: Side) -> HttpResponse:
    return _side_page(request, side, "measurements/fill/closed.html")


def _elsewhere_page(request: HttpRequest, side: Side) -> HttpResponse:
    """The client's draft was begun with another link or code: show nothing of it."""
    return _side_page(request, side, "measurements/fill/draft_elsewhere.html")


def _fill_context(
    request: HttpRequest,
    side: Side,
    questionnaire: Questionnaire,
    number: int | None,
    cards: bool = False,
) -> dict[str, Any]:
    # The piles of the card game carry the faces in every variant.
    scale = questionnaire.scale(faces=questionnaire.easy_read or cards)
    return {
        "side": side,
        "base_template": side.base_template,
        "questionnaire": questionnaire,
        "statements": questionnaire.statements(questionnaire.page_items(number)),
        "scale": scale,
        "scale_faces": [option.pictogram for option in scale],
        "cards": cards,
        "cards_url": _with_query(side.fill_url, **{VIEW_PARAM: VIEW_CARDS}),
        "list_url": _with_query(side.fill_url, **{VIEW_PARAM: VIEW_LIST}),
        # The saved form says which presentation it came from (see ``cards_chosen``).
        "view_param": VIEW_PARAM,
        "view_word": VIEW_CARDS if cards else VIEW_LIST,
        "allow_flags": side.rater == Rater.CLIENT,
        "number": number,
        "is_first": number is None or number == 1,
        "is_last": number is None or number == questionnaire.total,
        "form_action": _page_url(side, number),
        "client": side.round.trajectory.client,
    }


def _fill_page(request: HttpRequest, side: Side, *, audit_view: Callable[[], None]) -> HttpResponse:
    """Show (GET) or save (POST) one page of statements for ``side``.

    ``audit_view`` records that the page was seen; it is called for every request except a
    save that went through (the save's own event says who changed the draft, and when).
    """
    response, saved = _show_or_save(request, side)
    if not saved:
        audit_view()
    return response


def _show_or_save(request: HttpRequest, side: Side) -> tuple[HttpResponse, bool]:
    """The page, and whether answers were saved (see :func:`_fill_page`)."""
    questionnaire = Questionnaire(side.round, side.rater, current_language(), side.entry)
    if questionnaire.submitted:
        return refresh_for_htmx(request, redirect(side.done_url)), False
    if not side.round.is_collecting:
        return _closed_page(request, side), False
    if questionnaire.elsewhere:
        return _elsewhere_page(request, side), False
    # The card game lays every statement on the table at once, also for easy-read.
    cards = cards_chosen(request, rater=side.rater)
    one_per_screen = questionnaire.one_per_screen and not cards
    number = questionnaire.question_number(request) if one_per_screen else None
    if cards:
        presentation = Presentation.CARDS
    elif one_per_screen:
        presentation = Presentation.ONE_PER_SCREEN
    else:
        presentation = Presentation.LIST

    if request.method != "POST":
        page = render(
            request,
            "measurements/fill/fill.html",
            _fill_context(request, side, questionnaire, number, cards),
        )
        return page, False

    form = AnswersForm(
        request.POST,
        items=questionnaire.page_items(number),
        scale_values=questionnaire.instrument.scale.values,
        allow_flags=side.rater == Rater.CLIENT,
    )
    error = None
    if not form.is_valid():
        error = _("Some answers could not be saved. Nothing was changed.")
    else:
        try:
            questionnaire.response = response_save_answers(
                round=side.round,
                rater=side.rater,
                answers=form.answers(),
                flagged=form.flagged(questionnaire.flagged),
                mode=side.mode,
                respondent=side.respondent,
                entry=side.entry,
                language=questionnaire.shown_language,
                presentation=presentation,
                seen=questionnaire.response,
            )
        except AlreadySubmitted:
            return refresh_for_htmx(request, redirect(side.done_url)), False
        except DraftElsewhere:
            return _elsewhere_page(request, side), False
        except RoundNotOpen:
            return _closed_page(request, side), False
        except (InvalidAnswers, InvalidRespondent, DraftOnOwnDevice) as exc:
            error = str(exc.message)

    saved = error is None
    # The saved draft came back from the service (or nothing changed): no need to read it again.
    if getattr(request, "htmx", False):
        page = render(
            request,
            "measurements/fill/_saved.html",
            {"questionnaire": questionnaire, "error": error, "oob": True},
        )
        return page, saved
    if error:
        context = _fill_context(request, side, questionnaire, number, cards)
        context["error"] = error
        return render(request, "measurements/fill/fill.html", context, status=400), False

    action = request.POST.get("action", "save")
    if action == "review":
        return redirect(side.confirm_url), saved
    if number is not None and action == "next":
        if number >= questionnaire.total:
            return redirect(side.confirm_url), saved
        return redirect(_page_url(side, number + 1)), saved
    if number is not None and action == "previous":
        return redirect(_page_url(side, max(number - 1, 1))), saved
    messages.success(request, _("Your answers have been saved."))
    return redirect(_page_url(side, number)), saved


def _confirm_page(request: HttpRequest, side: Side) -> HttpResponse:
    """The summary before sending (GET), and sending exactly once (POST)."""
    questionnaire = Questionnaire(side.round, side.rater, current_language(), side.entry)
    if request.method == "POST":
        try:
            response_submit(
                round=side.round, rater=side.rater, respondent=side.respondent, entry=side.entry
            )
        except DraftElsewhere:
            return _elsewhere_page(request, side)
        except AlreadySubmitted:
            # A double click, a second tab or a retry: the answers are in, say so calmly.
            pass
        except RoundNotOpen:
            return _closed_page(request, side)
        except (NothingToSubmit, InvalidRespondent) as exc:
            messages.warning(request, str(exc.message))
            return redirect(side.fill_url)
        return redirect(side.done_url)

    if questionnaire.submitted:
        return redirect(side.done_url)
    if not side.round.is_collecting:
        return _closed_page(request, side)
    if questionnaire.elsewhere:
        return _elsewhere_page(request, side)
    flagged = set(questionnaire.flagged)
    return render(
        request,
        "measurements/fill/confirm.html",
        {
            "side": side,
            "base_template": side.base_template,
            "questionnaire": questionnaire,
            "flagged_statements": [s for s in questionnaire.statements() if s.item.id in flagged],
            "open_statements": [s for s in questionnaire.statements() if not s.value],
            "back_url": _page_url(
                side,
                questionnaire.total
                if questionnaire.one_per_screen and not cards_chosen(request, rater=side.rater)
                else None,
            ),
            "client": side.round.trajectory.client,
        },
    )


# --------------------------------------------------------------------------- the client


def _client_side(access: ClientAccess) -> Side:
    return Side(
        round=access.round,
        rater=Rater.CLIENT,
        mode=access.mode or ResponseMode.OWN_DEVICE,
        respondent=None,
        base_template=CLIENT_TEMPLATE,
        fill_url=reverse("client:fill"),
        confirm_url=reverse("client:confirm"),
        done_url=reverse("client:done"),
        handed_over=access.handed_over,
        entry=str(access.invitation.uuid) if access.invitation else None,
    )


def _no_session(request: HttpRequest) -> HttpResponse:
    """No (valid) client session: say what to do, show nothing else."""
    response = render(request, "measurements/fill/no_session.html", status=403)
    return refresh_for_htmx(request, response)


def _client_access(
    request: HttpRequest, *, to_fill: bool = True, audit: bool = True
) -> ClientAccess | None:
    """The client session; with ``to_fill``, only one whose invitation still lets them answer.

    Every client page shows the client's own data, so each request that gets in is audited
    (the client has no account: the event names the round, the page and the method). A caller
    that passes ``audit=False`` records the event itself (:func:`_audit_client_page`) unless
    the request wrote one of its own (a save).
    """
    access = client_session_get(request)
    if access is None:
        return None
    client_language_use(request, access)
    if to_fill and getattr(access, "read_back_only", False):
        # The link's fill-in window has passed; it only opens the results after the talk.
        return None
    if audit:
        _audit_client_page(request, access)
    return access


def _audit_client_page(request: HttpRequest, access: ClientAccess) -> None:
    """The ``client_page.view`` event of this request (see :func:`_client_access`)."""
    match = request.resolver_match
    audit_record(
        actor=None,
        actor_kind=ActorKind.CLIENT,
        action=Action.CLIENT_PAGE_VIEW,
        obj=access.round,
        detail={
            "page": match.url_name if match else "",
            "method": request.method,
            "mode": access.mode,
        },
    )


@never_cache
@require_http_methods(["GET"])
@client_page
def client_start(request: HttpRequest) -> HttpResponse:
    """The intro a client reads first: what this is for, who sees it, that it is safe.

    A step of an app above (research consent, :mod:`~alliantiemonitor.measurements.client_steps`)
    that is still open comes first; the intro then says what is true after it.
    """
    access = _client_access(request)
    if access is None:
        return _no_session(request)
    side = _client_side(access)
    questionnaire = Questionnaire(access.round, Rater.CLIENT, current_language(), side.entry)
    if questionnaire.submitted:
        return redirect(side.done_url)
    if not access.round.is_collecting:
        return _closed_page(request, side)
    steps = client_steps(request, access.round)
    pending = client_step_pending(steps)
    if pending is not None:
        return redirect(pending)
    return render(
        request,
        "measurements/fill/client_start.html",
        {
            "side": side,
            "questionnaire": questionnaire,
            "intro_steps": [step for step in steps if step.intro_template],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@client_page
def client_fill(request: HttpRequest) -> HttpResponse:
    """The client's statements (all on one page, or one per screen for easy-read).

    An autosave that lands is written down by its own ``response.save`` event (the round, the
    client, which statements, the mode); a page event beside it would double the audit trail's
    work on the busiest request there is, and say nothing more. Every other request, a save
    refused included, gets its page event.
    """
    access = _client_access(request, audit=False)
    if access is None:
        return _no_session(request)
    return _fill_page(
        request, _client_side(access), audit_view=lambda: _audit_client_page(request, access)
    )


@never_cache
@require_http_methods(["GET", "POST"])
@client_page
def client_confirm(request: HttpRequest) -> HttpResponse:
    """The client's summary, and the one button that sends."""
    access = _client_access(request)
    if access is None:
        return _no_session(request)
    return _confirm_page(request, _client_side(access))


@never_cache
@require_http_methods(["GET"])
@client_page
def client_done(request: HttpRequest) -> HttpResponse:
    """Thank you, what happens next, and (after a hand-over) give the device back."""
    access = _client_access(request, to_fill=False)
    if access is None:
        return _no_session(request)
    side = _client_side(access)
    questionnaire = Questionnaire(access.round, Rater.CLIENT, current_language(), side.entry)
    if not questionnaire.submitted:
        return redirect("client:start")
    if round_results_open_to_client(access.round):
        # The conversation has been held since: the results are what is true now.
        return redirect("client:results")
    steps = client_steps(request, access.round)
    return render(
        request,
        "measurements/fill/client_done.html",
        {
            "side": side,
            "entered_with": entered_with(access),
            "done_steps": [step for step in steps if step.done_template],
        },
    )


@client_page
@never_cache
@require_http_methods(["POST"])
def client_restart(request: HttpRequest) -> HttpResponse:
    """Begin afresh here; the draft begun with another link or code stays stored, unseen."""
    access = _client_access(request)
    if access is None:
        return _no_session(request)
    side = _client_side(access)
    if side.entry is None:
        return redirect(side.fill_url)
    try:
        response_restart(round=access.round, mode=side.mode, entry=side.entry)
    except AlreadySubmitted:
        return redirect(side.done_url)
    except RoundNotOpen:
        return _closed_page(request, side)
    return redirect(side.fill_url)


# --------------------------------------------------------------------------- the professional


def _professional_side(request: HttpRequest, uuid: Any) -> Side:
    measurement_round = get_round_for(request.user, uuid)
    return Side(
        round=measurement_round,
        rater=Rater.PROFESSIONAL,
        mode=ResponseMode.PROFESSIONAL_SELF,
        respondent=request.user,
        base_template=STAFF_TEMPLATE,
        fill_url=reverse("measurements:fill", args=[measurement_round.uuid]),
        confirm_url=reverse("measurements:fill_confirm", args=[measurement_round.uuid]),
        done_url=reverse("measurements:fill_done", args=[measurement_round.uuid]),
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def professional_fill(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The professional's own side of a round."""
    side = _professional_side(request, uuid)

    def audit_view() -> None:
        audit_record(
            actor=request.user,
            action=Action.RESPONSE_VIEW,
            obj=side.round,
            detail={"rater": "professional"},
        )

    return _fill_page(request, side, audit_view=audit_view)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def professional_confirm(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The professional's summary, and sending their side."""
    side = _professional_side(request, uuid)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=Action.RESPONSE_VIEW,
            obj=side.round,
            detail={"rater": "professional", "page": "confirm"},
        )
    return _confirm_page(request, side)


@login_required
@never_cache
@require_http_methods(["GET"])
def professional_done(request: HttpRequest, uuid: Any) -> HttpResponse | HttpResponseRedirect:
    """The professional's side is sent: wait for the client, or open the joint view."""
    side = _professional_side(request, uuid)
    if not Questionnaire(side.round, Rater.PROFESSIONAL, current_language()).submitted:
        return redirect(side.fill_url)
    audit_record(
        actor=request.user,
        action=Action.RESPONSE_VIEW,
        obj=side.round,
        detail={"rater": "professional", "page": "done"},
    )
    return render(
        request,
        "measurements/fill/professional_done.html",
        {
            "side": side,
            "client": side.round.trajectory.client,
            "joint_available": round_answers_visible(side.round),
        },
    )
