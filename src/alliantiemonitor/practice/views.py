"""Practice mode (under /oefenen/): a round against a fictional client, for training.

Every page is for any logged-in user: there are no client data here to protect, and every
account of the product is a staff account (clients have none). A student gets a professional's
account in a training organisation. A case is its code (see
:mod:`alliantiemonitor.practice.cases`); the player's answers stay in the session. Nothing here
reads or writes a client, a trajectory, a round or a response, so no page records a view of
client data; starting a case is recorded as ``practice.start`` (no client, no organisation).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.instrument import pick_language
from alliantiemonitor.core.practice import PracticeCase
from alliantiemonitor.measurements.forms import AnswersForm
from alliantiemonitor.measurements.presentation import (
    VIEW_CARDS,
    VIEW_LIST,
    VIEW_PARAM,
    cards_chosen,
)
from alliantiemonitor.organisations.constants import Domain
from alliantiemonitor.organisations.models import Membership
from alliantiemonitor.practice import play
from alliantiemonitor.practice.cases import (
    COURSE_HINTS,
    COURSE_LABELS,
    DOMAINS,
    CaseCode,
    PlayerSide,
    default_variant,
    parse_code,
    player_side,
    player_side_clear,
    player_side_save,
)
from alliantiemonitor.practice.forms import CaseCodeForm, StartForm

BASE_TEMPLATE = "practice/base.html"
#: The session key part for the player's choice of the card game (not a real round's side).
PRACTICE_SIDE = "practice"


class _FictionalClient:
    """What the fill templates read of a client: the name, marked as fictional."""

    def __init__(self, case: PracticeCase) -> None:
        self.display_name = _("%(name)s (fictional)") % {"name": case.pseudonym}


def _unknown_case(request: HttpRequest) -> HttpResponse:
    return render(request, "practice/unknown_case.html", status=404)


CaseView = Callable[[HttpRequest, CaseCode], HttpResponse]


def _case_page(view: CaseView) -> Callable[..., HttpResponse]:
    """Give ``view`` the case its address names; a code that names none gets a clear 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, code: str) -> HttpResponse:
        parsed = parse_code(code)
        if parsed is None:
            return _unknown_case(request)
        return view(request, parsed)

    return wrapper


def _case_context(code: CaseCode, case: PracticeCase) -> dict[str, Any]:
    return {
        "code": code,
        "case": case,
        "client": _FictionalClient(case),
        "domain_label": Domain(code.domain).label,
        "course_label": COURSE_LABELS[code.course],
        "course_hint": COURSE_HINTS[code.course],
        "instrument_title": pick_language(case.instrument.title, current_language()),
        "base_template": BASE_TEMPLATE,
    }


def _urls(code: CaseCode) -> dict[str, str]:
    args = [str(code)]
    return {
        name: reverse(f"practice:{name}", args=args)
        for name in ("case", "fill", "confirm", "joint", "replay")
    }


def _side(code: CaseCode) -> dict[str, Any]:
    """What the fill templates read of ``side`` (the real fill page's ``Side``)."""
    urls = _urls(code)
    return {
        "rater": "professional",
        "base_template": BASE_TEMPLATE,
        "fill_url": urls["fill"],
        "confirm_url": urls["confirm"],
    }


def _default_domain(request: HttpRequest) -> str:
    membership = (
        Membership.objects.active()
        .for_user(request.user)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    domain = membership.organisation.domain if membership else ""
    return domain if domain in DOMAINS else DOMAINS[0]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Choose a variant, a course and a field of work; start a new case (POST)."""
    language = current_language()
    initial = {
        "variant": default_variant(),
        "course": "stable",
        "domain": _default_domain(request),
    }
    form = StartForm(language=language, initial=initial)
    code_form = CaseCodeForm()
    status = 200
    if request.method == "POST":
        form = StartForm(request.POST, language=language)
        if form.is_valid():
            code = form.case_code()
            audit_record(
                actor=request.user,
                action=Action.PRACTICE_START,
                detail={"case": str(code), "how": "new"},
            )
            return redirect("practice:case", str(code))
        status = 400
    elif "casus" in request.GET:
        code_form = CaseCodeForm(request.GET)
        if code_form.is_valid():
            code = code_form.cleaned_data["casus"]
            audit_record(
                actor=request.user,
                action=Action.PRACTICE_START,
                detail={"case": str(code), "how": "code"},
            )
            return redirect("practice:case", str(code))
        status = 400
    return _start_page(request, form, code_form, status=status)


def _start_page(
    request: HttpRequest, form: StartForm, code_form: CaseCodeForm, *, status: int
) -> HttpResponse:
    return render(
        request,
        "practice/start.html",
        {
            "form": form,
            "code_form": code_form,
            "hints": COURSE_HINTS,
            "base_template": BASE_TEMPLATE,
        },
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET"])
@_case_page
def case(request: HttpRequest, parsed: CaseCode) -> HttpResponse:
    """The case: who the fictional client is and how the previous round went."""
    practice = parsed.case()
    side = player_side(request.session, parsed)
    language = current_language()
    return render(
        request,
        "practice/case.html",
        {
            **_case_context(parsed, practice),
            "urls": _urls(parsed),
            "side": side,
            "course": play.course_rows(practice, None, language),
            "case_url": request.build_absolute_uri(reverse("practice:case", args=[str(parsed)])),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@_case_page
def fill(request: HttpRequest, parsed: CaseCode) -> HttpResponse:
    """The player's own side of the current round, on the real fill page's templates."""
    practice = parsed.case()
    side = player_side(request.session, parsed)
    if side.sent:
        return redirect("practice:joint", str(parsed))
    language = current_language()
    questionnaire = play.PracticeQuestionnaire(practice, side, language)
    # The card game as on the real fill page; the choice is kept apart from a real side's.
    cards = cards_chosen(request, rater=PRACTICE_SIDE)
    error = None
    if request.method == "POST":
        form = AnswersForm(
            request.POST,
            items=questionnaire.items,
            scale_values=practice.instrument.scale.values,
            allow_flags=False,
        )
        if form.is_valid():
            side = PlayerSide({**side.answers, **form.answers()})
            player_side_save(request.session, parsed, side)
        else:
            error = _("Some answers could not be saved. Nothing was changed.")
        questionnaire = play.PracticeQuestionnaire(practice, side, language)
        if request.htmx:
            return render(
                request,
                "measurements/fill/_saved.html",
                {"questionnaire": questionnaire, "error": error, "oob": True},
            )
        if error is None:
            if request.POST.get("action") == "review":
                return redirect("practice:confirm", str(parsed))
            return redirect("practice:fill", str(parsed))
    urls = _urls(parsed)
    scale = questionnaire.scale(faces=cards)
    return render(
        request,
        "measurements/fill/fill.html",
        {
            **_case_context(parsed, practice),
            "side": _side(parsed),
            "questionnaire": questionnaire,
            "statements": questionnaire.statements(),
            "scale": scale,
            "scale_faces": [option.pictogram for option in scale],
            "cards": cards,
            "cards_url": f"{urls['fill']}?{urlencode({VIEW_PARAM: VIEW_CARDS})}",
            "list_url": f"{urls['fill']}?{urlencode({VIEW_PARAM: VIEW_LIST})}",
            "view_param": VIEW_PARAM,
            "view_word": VIEW_CARDS if cards else VIEW_LIST,
            "allow_flags": False,
            "number": None,
            "is_first": True,
            "is_last": True,
            "form_action": urls["fill"],
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@_case_page
def confirm(request: HttpRequest, parsed: CaseCode) -> HttpResponse:
    """Check the own answers, then "send" them: the joint view opens."""
    practice = parsed.case()
    side = player_side(request.session, parsed)
    if request.method == "POST":
        if not side.answers:
            return redirect("practice:fill", str(parsed))
        player_side_save(request.session, parsed, PlayerSide(side.answers, sent=True))
        return redirect("practice:joint", str(parsed))
    if side.sent:
        return redirect("practice:joint", str(parsed))
    questionnaire = play.PracticeQuestionnaire(practice, side, current_language())
    statements = questionnaire.statements()
    return render(
        request,
        "measurements/fill/confirm.html",
        {
            **_case_context(parsed, practice),
            "side": _side(parsed),
            "questionnaire": questionnaire,
            "flagged_statements": [],
            "open_statements": [s for s in statements if not s.value],
            "back_url": _urls(parsed)["fill"],
        },
    )


@login_required
@never_cache
@require_http_methods(["GET"])
@_case_page
def joint(request: HttpRequest, parsed: CaseCode) -> HttpResponse:
    """Both sides, the agenda and the prompts, as the real joint view shows them."""
    side = player_side(request.session, parsed)
    if not side.sent:
        # Blind until both are done, in practice too: first the own side.
        return redirect("practice:fill", str(parsed))
    practice = parsed.case()
    language = current_language()
    results = play.joint_results(practice, side, language)
    return render(
        request,
        "practice/joint.html",
        {
            **_case_context(parsed, practice),
            "urls": _urls(parsed),
            "results": results,
            "prompts": play.prompts(practice, results),
            "course": play.course_rows(practice, side, language),
        },
    )


@login_required
@require_POST
@_case_page
def replay(request: HttpRequest, parsed: CaseCode) -> HttpResponse:
    """Play the same case again, with an empty own side."""
    player_side_clear(request.session, parsed)
    audit_record(
        actor=request.user,
        action=Action.PRACTICE_START,
        detail={"case": str(parsed), "how": "replay"},
    )
    return redirect("practice:fill", str(parsed))
