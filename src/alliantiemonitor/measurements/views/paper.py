"""Paper forms of a round: print them, and type the client's form in (once or twice).

The typist types the form code first (its check digit catches a slip), then one key per
statement, then sees the form's layout with what was typed before saving. Nothing here shows
the professional's own answers; the client's typed answers are shown only to the typist, who
has the paper in hand, and only once the professional's own side is sent (the blind rule, see
:mod:`alliantiemonitor.measurements.services.paper`).

The colleague named to check the entry reaches the entry screen and nothing else of the round:
no link on it leads to the round, and after saving they go back to their caseload.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.common.errors import DomainError
from alliantiemonitor.common.language import current_language
from alliantiemonitor.core.research.report_pdf import PdfUnavailable
from alliantiemonitor.measurements.access import get_paper_entry_round_for, get_round_for
from alliantiemonitor.measurements.constants import Rater
from alliantiemonitor.measurements.exceptions import WrongPaperCode
from alliantiemonitor.measurements.models import MeasurementRound, PaperEntry, PaperEntryState
from alliantiemonitor.measurements.paper import (
    BlankQuestionnaire,
    paper_form_language,
    paper_form_pdf,
)
from alliantiemonitor.measurements.paper_forms import (
    PaperAnswersForm,
    PaperCodeForm,
    PaperVerifierForm,
    paper_field_name,
)
from alliantiemonitor.measurements.services.paper import (
    paper_code_check,
    paper_entry_may_start,
    paper_entry_resolve,
    paper_entry_save,
    paper_entry_verifier_assign,
    paper_form_code,
    paper_verifier_candidates,
)
from alliantiemonitor.permissions.rules import Perm

#: The forms that can be printed, by the name in the address.
FORMS = {"client": Rater.CLIENT, "professional": Rater.PROFESSIONAL}
#: The query parameter with the language the professional chose for the client's form.
LANGUAGE_PARAM = "taal"


@require_GET
@login_required
def paper_form(request: HttpRequest, uuid: Any, form: str) -> HttpResponse:
    """The blank paper form of one party, as a PDF to print.

    The client's form is in the language chosen with ``?taal=`` when the instrument has it
    (anything else gives the default: the client's preferred language, or Dutch).
    """
    rater = FORMS.get(form)
    if rater is None:
        raise Http404
    measurement_round = get_round_for(
        request.user,
        uuid,
        perm=Perm.TRAJECTORY_CHANGE,
        action=Action.PAPER_FORM_PRINT,
        detail={"form": form},
    )
    chosen = request.GET.get(LANGUAGE_PARAM)
    language = paper_form_language(measurement_round, rater, current_language(), chosen)
    try:
        pdf = paper_form_pdf(measurement_round, rater, language)
    except PdfUnavailable:
        messages.error(request, _("The paper form cannot be made on this server right now."))
        return redirect("measurements:round_detail", uuid=measurement_round.uuid)
    code = paper_form_code(measurement_round, rater)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="formulier-{form}-{code}.pdf"'
    return response


class _Entry:
    """What one request of the entry screen works with."""

    def __init__(
        self, request: HttpRequest, measurement_round: MeasurementRound, *, as_verifier: bool
    ) -> None:
        self.request = request
        self.round = measurement_round
        #: Only the named colleague's check: this screen is all they may open of the round.
        self.as_verifier = as_verifier
        self.entry = PaperEntry.objects.filter(round=measurement_round).first()
        language = paper_form_language(measurement_round, Rater.CLIENT, current_language())
        self.questionnaire = BlankQuestionnaire(measurement_round, Rater.CLIENT, language)
        self.scale_values = list(self.questionnaire.instrument.scale.values)

    @property
    def is_second(self) -> bool:
        return self.entry is not None and self.entry.state == PaperEntryState.AWAITING_SECOND

    def answers_form(self, data: Any = None, items: Any = None) -> PaperAnswersForm:
        return PaperAnswersForm(
            data,
            items=self.questionnaire.items if items is None else items,
            scale_values=self.scale_values,
        )

    def verifier_form(
        self, data: Any = None, *, required: bool = True, initial: Any = None
    ) -> PaperVerifierForm:
        candidates = paper_verifier_candidates(round=self.round, by=self.request.user)
        return PaperVerifierForm(data, candidates=candidates, required=required, initial=initial)

    def page(self, step: str, status: int = 200, **context: Any) -> HttpResponse:
        base = {
            "round": self.round,
            "entry": self.entry,
            "is_second": self.is_second,
            "as_verifier": self.as_verifier,
            "step": step,
            "questionnaire": self.questionnaire,
        }
        if step == "check" and not self.is_second and "verifier_form" not in context:
            base["verifier_form"] = self.verifier_form()
        return render(
            self.request, "measurements/paper/entry.html", {**base, **context}, status=status
        )

    def rows(self, form: PaperAnswersForm) -> list[dict[str, Any]]:
        """Each statement with its field, for the entry and check screens."""
        statements = {s.item.id: s for s in self.questionnaire.statements()}
        answers = form.answers() if form.is_bound and not form.errors else {}
        return [
            {
                "statement": statements[item.id],
                "field": form[paper_field_name(item.id)],
                "value": answers.get(item.id),
                "typed": item.id in answers,
            }
            for item in form.items
        ]


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def paper_entry(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Type the client's paper form in: code, keys, check, save; or resolve differences."""
    measurement_round, as_verifier = get_paper_entry_round_for(
        request.user, uuid, action=Action.ROUND_VIEW
    )
    here = _Entry(request, measurement_round, as_verifier=as_verifier)
    entry = here.entry
    if entry is not None and entry.state == PaperEntryState.MISMATCH:
        return _resolve(here, entry)
    try:
        paper_entry_may_start(measurement_round)
    except DomainError as exc:
        return here.page("refused", message=exc.message, status=409 if request.POST else 200)
    if here.is_second and entry is not None and entry.first_by_id == request.user.pk:
        return _waiting(here, entry)
    if request.method == "GET":
        return here.page("code", code_form=PaperCodeForm())

    step = request.POST.get("step")
    code_form = PaperCodeForm(request.POST)
    code = None
    if code_form.is_valid():
        try:
            code = paper_code_check(
                round=measurement_round, rater=Rater.CLIENT, typed=code_form.cleaned_data["code"]
            )
        except WrongPaperCode as exc:
            code_form.add_error("code", str(exc.message))
    if code is None:
        return here.page("code", code_form=code_form, status=400)
    if step == "code":
        form = here.answers_form()
        return here.page("keys", code=code, rows=here.rows(form), form=form)
    form = here.answers_form(request.POST)
    if step == "back" or not form.is_valid():
        status = 200 if step == "back" else 400
        return here.page("keys", code=code, rows=here.rows(form), form=form, status=status)
    if step == "check":
        return here.page("check", code=code, rows=here.rows(form), form=form)
    if step != "save":
        return here.page("keys", code=code, rows=here.rows(form), form=form, status=400)
    verify = request.POST.get("finish") == "verify" and not here.is_second
    verifier = None
    if verify:
        verifier_form = here.verifier_form(request.POST)
        if not verifier_form.is_valid():
            rows = here.rows(form)
            context = {"code": code, "rows": rows, "form": form, "verifier_form": verifier_form}
            return here.page("check", status=400, **context)
        verifier = verifier_form.cleaned_data["verifier"]
    try:
        saved = paper_entry_save(
            round=measurement_round,
            answers=form.answers(),
            by=request.user,
            verify=verify,
            verifier=verifier,
        )
    except DomainError as exc:
        return here.page("refused", message=exc.message, status=409)
    return _after_save(here, saved)


def _waiting(here: _Entry, entry: PaperEntry) -> HttpResponse:
    """The first typist waits for the check, and may name another colleague or withdraw."""
    request = here.request
    if request.method == "POST" and request.POST.get("step") == "verifier":
        withdraw = request.POST.get("withdraw") == "1"
        form = here.verifier_form(None if withdraw else request.POST, required=not withdraw)
        if withdraw or form.is_valid():
            verifier = None if withdraw else form.cleaned_data["verifier"]
            try:
                paper_entry_verifier_assign(entry=entry, verifier=verifier, by=request.user)
            except DomainError as exc:
                return here.page("refused", message=exc.message, status=409)
            if verifier is None:
                messages.success(request, _("Nobody is named to check the paper form now."))
            else:
                messages.success(request, _("The colleague you chose can now check the form."))
            return redirect("measurements:paper_entry", uuid=here.round.uuid)
        return here.page("waiting", verifier_form=form, status=400)
    initial = {"verifier": entry.verifier.uuid} if entry.verifier else None
    return here.page("waiting", verifier_form=here.verifier_form(required=False, initial=initial))


def _after_save(here: _Entry, saved: PaperEntry) -> HttpResponse:
    request = here.request
    if saved.state == PaperEntryState.MISMATCH:
        messages.warning(
            request,
            _("The two typings differ. Look at the paper form and choose what it says."),
        )
        return redirect("measurements:paper_entry", uuid=saved.round.uuid)
    if saved.state == PaperEntryState.AWAITING_SECOND:
        messages.success(
            request,
            _("Stored for checking. A second person now types the same paper form in."),
        )
    else:
        messages.success(request, _("The client's paper form is stored as their answers."))
    if here.as_verifier:
        # The check is done: the round itself was never theirs to open.
        return redirect("trajectories:caseload")
    return redirect("measurements:round_detail", uuid=saved.round.uuid)


def _resolve(here: _Entry, entry: PaperEntry) -> HttpResponse:
    """The differences between two typings, item by item, decided from the paper."""
    differing = set(entry.mismatches())
    items = [item for item in here.questionnaire.items if item.id in differing]
    request = here.request
    form = here.answers_form(request.POST if request.method == "POST" else None, items=items)
    rows = here.rows(form)
    for row in rows:
        item_id = row["statement"].item.id
        row["first"] = entry.first_answers.get(item_id)
        row["second"] = (entry.second_answers or {}).get(item_id)
    if request.method == "GET" or not form.is_valid():
        return here.page("resolve", rows=rows, form=form, status=400 if form.is_bound else 200)
    try:
        saved = paper_entry_resolve(entry=entry, answers=form.answers(), by=request.user)
    except DomainError as exc:
        return here.page("refused", message=exc.message, status=409)
    return _after_save(here, saved)
