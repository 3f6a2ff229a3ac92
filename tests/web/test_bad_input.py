"""Bad input against every form and address: a clear answer, never a 500, nothing half written.

Every URL pattern of the project (the admin aside, see docs/reliability.md) is listed below
with who uses it; a new pattern that is not listed fails :func:`test_every_address_is_listed`.

For each address hypothesis generates input: query strings, and for a form the browser's own
submission of that form (read from the page that shows it) with fields replaced by hostile
values — very long, any unicode, NUL and other control characters, out-of-range and
non-numbers, impossible dates, wrong types (a list where one value is expected), or left out.
The answer must not be a server error; a refusal (a 4xx, or the page again with a form that
names what was wrong) must leave every table of the domain as it was (the audit trail and the
login and entry counters may record the refusal) and carry a message a person can read. The same
runs on SQLite and PostgreSQL, which refuses NUL characters in text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as settings_module
from django.forms import BaseForm, ChoiceField, Form
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from alliantiemonitor.conversations.forms import ConversationStartForm
from alliantiemonitor.measurements.client_session import client_session_start
from alliantiemonitor.measurements.forms import StartRoundForm
from alliantiemonitor.measurements.services import invitation_create
from alliantiemonitor.monitoring.forms import AcknowledgeForm
from alliantiemonitor.research.forms import ClientWithdrawForm
from tests.audit.test_client_data_views_audit import World, drawn_sample, world  # noqa: F401
from tests.factories import answer_round, read_aloud_kwargs

pytestmark = pytest.mark.django_db

#: Models that may change when a request is refused: the refusal itself is recorded.
MAY_RECORD_REFUSALS = {"audit", "axes", "sessions", "admin", "contenttypes"}
MAY_RECORD_MODELS = {"measurements.AccessAttempt", "measurements.AccessBucket"}

HOSTILE_WORDS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\r\n\t\x0b\x0c\x1b[31m",
    "\u202eevil\u202c",
    "\ufeff",
    "😀" * 3,
    "e\u0301",
    "-1",
    "0",
    "6",
    "3.5",
    "99999999999999999999999",
    "-99999999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31-12-2026",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "x" * 10_000,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_WORDS),
    st.text(max_size=40),
    st.text(max_size=10).map(lambda text: f"{text}\x00{text}"),
    st.integers().map(str),
)
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))

#: Few examples per address (there are many addresses), none shrunk: the failure message
#: names the request in full, and shrinking through HTTP requests takes minutes.
EXAMPLES = settings(
    max_examples=4,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@dataclass(frozen=True)
class Address:
    name: str
    #: ``staff`` (the assigned professional), ``team_lead``, ``org_admin``, ``client`` (a
    #: link's session for the collecting round), ``handover`` (the professional's browser
    #: after handing the device to the client) or ``anonymous``.
    who: str
    args: Callable[[World], list[Any]] = lambda w: []
    #: A path argument that is free text (a token): fuzzed too.
    text_arg: bool = False
    #: The listed address whose page shows this address's form (when not its own page).
    form_on: str | None = None
    #: The form the view validates, for a form that the test's world cannot show on a page:
    #: its real fields (and the choices it offers) are fuzzed instead.
    form: Callable[[World], Form] | None = None


def _followup(w: World) -> Any:
    """The public id of a checked follow-up file of the world's study (not yet imported)."""
    from alliantiemonitor.research.followup import followup_dry_run

    data = b"study_key,outcome,date,value\nABCDEFGHIJKL,recidivism,2025-01-01,1\n"
    upload, _report = followup_dry_run(study=w.study, by=w.researcher, data=data)
    return upload.uuid


def _caseload_upload(w: World) -> Any:
    """The public id of a caseload file checked by the organisation admin (not yet imported)."""
    from alliantiemonitor.imports.services import caseload_dry_run

    data = (
        "external_id,display_name,language,domain,team,professional,start_date\n"
        f"Z1,A.B.,nl,{w.trajectory.organisation.domain},,{w.professional.username},2026-01-05\n"
    ).encode()
    upload, _report = caseload_dry_run(
        organisation=w.trajectory.organisation, by=w.org_admin, data=data
    )
    return upload.uuid


def _output(w: World) -> Any:
    """A ready export of the world's study (one file), as the worker leaves it."""
    from alliantiemonitor.research.models import StudyOutput
    from alliantiemonitor.research.outputs import output_folder

    output = StudyOutput.objects.create(
        study=w.study,
        kind="export",
        state="ready",
        options={"layout": "long", "dates": "month", "formats": ["csv"]},
        files=[{"name": "responses.csv", "size": 4, "sha256": "0" * 64}],
    )
    folder = output_folder(output)
    folder.mkdir(parents=True)
    (folder / "responses.csv").write_text("a,b\n")
    return output


def _phase(w: World) -> Any:
    """A phase of the world's study (the first, added on first use)."""
    from alliantiemonitor.research.services import study_phase_add

    return w.study.phases.first() or study_phase_add(
        study=w.study,
        by=w.researcher,
        kind="nulmeting",
        name="Nulmeting",
        instruments=["motivatie"],
        timing_days=0,
    )


def _practice(w: World) -> list[Any]:
    return ["kort-verslechterend-reclassering-4821"]


def _trajectory(w: World) -> list[Any]:
    return [w.trajectory.uuid]


def _round(w: World) -> list[Any]:
    return [w.round.uuid]


def _discussed(w: World) -> list[Any]:
    return [w.discussed.uuid]


def _invitation(w: World) -> list[Any]:
    invitation, _ = invitation_create(round=w.round, kind="code", by=w.professional)
    return [w.round.uuid, invitation.uuid]


def _signal(w: World) -> Any:
    # ``World.signal`` makes a new one each time; an open signal per key is unique.
    signals = w.discussed.trajectory.signals.filter(kind="disagreement", characteristic="trust")
    return signals.first() or w.signal


ADDRESSES = [
    Address("set_language", "anonymous"),
    Address("home", "staff"),
    Address("login", "anonymous"),
    Address("logout", "staff"),
    Address("password_change", "staff"),
    Address("healthz", "anonymous"),
    Address("readyz", "anonymous"),
    Address("trajectories:caseload", "staff"),
    Address("trajectories:new", "staff"),
    Address("trajectories:hand_over", "staff", _trajectory),
    Address("trajectories:detail", "staff", _trajectory),
    # The world's trajectory has a round open, so its page offers no "start a round".
    Address(
        "trajectories:start_round",
        "staff",
        _trajectory,
        form=lambda w: StartRoundForm(trajectory=w.trajectory),
    ),
    Address("measurements:fill", "staff", _round),
    Address("measurements:fill_confirm", "staff", _round),
    Address("measurements:fill_done", "staff", _round),
    Address("measurements:round_detail", "staff", _round),
    Address("measurements:invite_link", "staff", _round, form_on="measurements:round_detail"),
    Address("measurements:invite_code", "staff", _round, form_on="measurements:round_detail"),
    Address("measurements:hand_over_device", "staff", _round, form_on="measurements:round_detail"),
    Address("measurements:paper_form", "staff", lambda w: [w.round.uuid, "client"]),
    Address("measurements:paper_entry", "staff", _round),
    Address("measurements:invitation_show", "staff", _invitation),
    Address("measurements:revoke", "staff", _invitation),
    Address("conversations:joint", "staff", _discussed),
    Address("conversations:summary", "staff", _discussed),
    # Recording the conversation is offered until the first agreement records it; the
    # discussed round is past that, the collecting round not there yet.
    Address("conversations:start", "staff", _round, form=lambda w: ConversationStartForm()),
    Address("conversations:agreement_add", "staff", _discussed, form_on="conversations:joint"),
    Address("conversations:evaluate", "staff", _discussed, form_on="conversations:joint"),
    Address("conversations:mark_discussed", "staff", _discussed),
    Address("monitoring:course", "staff", _trajectory),
    # The signal belongs to the discussed round, whose course page the world does not show.
    Address(
        "monitoring:signal_acknowledge",
        "staff",
        lambda w: [_signal(w).uuid],
        form=lambda w: AcknowledgeForm(),
    ),
    Address("monitoring:thresholds", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("monitoring:timeline", "staff", _trajectory),
    Address("monitoring:record_outcome", "staff", _trajectory),
    Address("monitoring:end", "staff", _trajectory),
    Address("dashboards:team", "team_lead", lambda w: [w.trajectory.team.uuid]),
    Address("dashboards:team_csv", "team_lead", lambda w: [w.trajectory.team.uuid]),
    Address("dashboards:organisation", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("dashboards:organisation_csv", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("scheduling:organisation", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("scheduling:trajectory", "staff", _trajectory),
    Address("scheduling:mail_settings", "staff"),
    Address("scheduling:unsubscribe", "anonymous", lambda w: ["token"], text_arg=True),
    Address("client:start", "client"),
    Address("client:fill", "client"),
    Address("client:confirm", "client"),
    Address("client:done", "client"),
    Address("client:restart", "client"),
    Address("client:results", "client"),
    Address("client:results_summary", "client"),
    Address("client:code", "anonymous"),
    Address("client:return", "handover"),
    Address("client:link", "anonymous", lambda w: ["token"], text_arg=True),
    Address("client:read_aloud", "client", lambda w: list(read_aloud_kwargs(w.round).values())),
    Address("second_factor_verify", "staff"),
    Address("second_factor_enrol", "staff"),
    Address("second_factor_recovery_codes", "staff"),
    Address("second_factor_recovery_codes_download", "staff"),
    Address("second_factor_recovery_codes_renew", "staff"),
    Address("reauthenticate", "staff"),
    Address("password_reset", "anonymous"),
    Address("password_reset_done", "anonymous"),
    Address("password_reset_confirm", "anonymous", lambda w: ["MQ", "no-such-token"]),
    Address("password_reset_complete", "anonymous"),
    Address("sso_login", "anonymous"),
    Address("sso_callback", "anonymous"),
    Address("trajectories:caseload_import", "org_admin"),
    Address("trajectories:caseload_import_confirm", "org_admin", lambda w: [_caseload_upload(w)]),
    Address("trajectories:privacy_clients", "org_admin"),
    Address("trajectories:privacy_trail", "org_admin", lambda w: [w.trajectory.client.uuid]),
    Address("trajectories:privacy_trail_csv", "org_admin", lambda w: [w.trajectory.client.uuid]),
    Address("trajectories:privacy_erase", "org_admin", lambda w: [w.trajectory.client.uuid]),
    Address("privacy:access", "staff", _trajectory),
    Address("privacy:access_json", "staff", _trajectory),
    Address("practice:start", "staff"),
    Address("practice:case", "staff", _practice, text_arg=True),
    Address("practice:fill", "staff", _practice, text_arg=True),
    Address("practice:confirm", "staff", _practice, text_arg=True),
    Address("practice:joint", "staff", _practice, text_arg=True),
    Address("practice:replay", "staff", _practice, text_arg=True),
    Address("research:study_list", "researcher"),
    Address("research:study_new", "researcher"),
    Address("research:study_detail", "researcher", lambda w: [w.study.uuid]),
    Address(
        "research:study_status",
        "researcher",
        lambda w: [w.study.uuid],
        form_on="research:study_detail",
    ),
    Address("research:phase_add", "researcher", lambda w: [w.study.uuid]),
    Address("research:study_edit", "researcher", lambda w: [w.study.uuid]),
    Address("research:phase_edit", "researcher", lambda w: [w.study.uuid, _phase(w).uuid]),
    Address("research:study_enrol", "researcher", lambda w: [w.study.uuid]),
    Address("research:followup", "researcher", lambda w: [w.study.uuid]),
    Address("research:followup_confirm", "researcher", lambda w: [w.study.uuid, _followup(w)]),
    Address("research:samples", "researcher", lambda w: [w.study.uuid]),
    Address("research:phase_entry", "researcher", lambda w: [w.study.uuid]),
    Address("research:outputs", "researcher", lambda w: [w.study.uuid]),
    Address(
        "research:output_download",
        "researcher",
        lambda w: [w.study.uuid, _output(w).uuid, "responses.csv"],
    ),
    Address("research:sample_detail", "researcher", lambda w: [w.study.uuid, drawn_sample(w).uuid]),
    Address("research:enrolments", "org_admin"),
    Address("research:enrolment_agree", "org_admin", lambda w: [w.study.enrolments.get().uuid]),
    Address("research:trajectory", "staff", _trajectory),
    Address("research:trajectory_enrol", "staff", _trajectory),
    Address("research:trajectory_consent", "staff", _trajectory, form_on="research:trajectory"),
    Address("research:trajectory_withdraw", "staff", _trajectory),
    Address("client:research", "client", form_on="client:research"),
    Address("client:research_questionnaire", "client"),
    # The confirm page shows only with a standing yes, which the world's client has not given:
    # the form the view validates is fuzzed instead.
    Address("client:research_withdraw", "client", form=lambda w: ClientWithdrawForm()),
    # -- API tokens (the organisation admin's pages) and the API itself. The API answers a
    # browser without a token 401 whatever it sends; its input is fuzzed by schemathesis
    # (tests/api/test_schemathesis.py).
    Address("api_tokens:list", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("api_tokens:new", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("api_tokens:revoke", "org_admin", lambda w: [_api_token(w).uuid]),
    Address("api_webhooks:list", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("api_webhooks:new", "org_admin", lambda w: [w.trajectory.organisation.uuid]),
    Address("api_webhooks:deactivate", "org_admin", lambda w: [_webhook(w).uuid]),
    Address("api_webhooks:delete", "org_admin", lambda w: [_webhook(w).uuid]),
    Address("api_webhooks:test", "org_admin", lambda w: [_webhook(w).uuid]),
    Address("api:docs", "anonymous"),
    Address("api:schema", "anonymous"),
    Address("api:trajectories", "anonymous"),
    Address("api:signals", "anonymous"),
    *(
        Address(f"api:{name}", "anonymous", _trajectory)
        for name in (
            "trajectory",
            "trajectory_close",
            "trajectory_hand_over",
            "trajectory_rounds",
            "trajectory_outcomes",
        )
    ),
    *(
        Address(f"api:{name}", "anonymous", _round)
        for name in ("round", "round_invitation", "round_results")
    ),
]


def _api_token(w: World) -> Any:
    """A token of the world's organisation, made by its admin."""
    import datetime as dt

    from alliantiemonitor.api.services import token_create

    token, _secret = token_create(
        organisation=w.trajectory.organisation,
        name="Zaaksysteem",
        scopes=["trajectories:read"],
        lifetime=dt.timedelta(days=30),
        by=w.org_admin,
    )
    return token


def _webhook(w: World) -> Any:
    """A webhook endpoint of the world's organisation, made by its admin."""
    from alliantiemonitor.api.services_webhooks import webhook_create

    endpoint, _secret = webhook_create(
        organisation=w.trajectory.organisation,
        name="Zaaksysteem",
        url="https://hooks.example.org/am",
        events=["round.completed"],
        by=w.org_admin,
    )
    return endpoint


def _address_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_address_is_listed():
    assert {address.name for address in ADDRESSES} == _address_names()


# --------------------------------------------------------------------------- the forms


class _Forms(HTMLParser):
    """The POST forms of a page: action, and per field the values the page offers."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]], dict[str, list[str]]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.forms.append((a.get("action", ""), {}, {}))
            return
        if not self.forms or "name" not in a or tag not in {"input", "select", "textarea"}:
            if tag == "option" and self._select and self.forms:
                _, sent, offered = self.forms[-1]
                offered.setdefault(self._select, []).append(a.get("value", ""))
                if "selected" in a:
                    sent.setdefault(self._select, []).append(a.get("value", ""))
            return
        _, sent, offered = self.forms[-1]
        name = a["name"]
        if name == "csrfmiddlewaretoken":
            return
        offered.setdefault(name, [])
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            sent.setdefault(name, [""])
        elif a.get("type") in {"checkbox", "radio"}:
            offered[name].append(a.get("value", "on"))
            if "checked" in a:
                sent.setdefault(name, []).append(a.get("value", "on"))
        elif a.get("type") not in {"submit", "button"}:
            sent.setdefault(name, []).append(a.get("value", ""))
        else:
            offered[name].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] = [data]


def _browser(w: World, who: str) -> Client:
    browser = Client(raise_request_exception=False)
    if who == "client":
        invitation, _ = invitation_create(round=w.round, kind="link", by=w.professional)
        session = browser.session
        client_session_start(_Holder(session), round=w.round, invitation=invitation)
        session.save()
    elif who == "handover":
        browser.force_login(w.professional)
        browser.post(reverse("measurements:hand_over_device", args=[w.round.uuid]))
    elif who != "anonymous":
        browser.force_login(w.professional if who == "staff" else getattr(w, who))
    return browser


@dataclass
class _Holder:
    session: Any


def _forms_posting_to(w: World, target: Address) -> list[dict[str, Any]]:
    """What a browser sends from each form that posts to ``target``, read from its page."""
    if target.form is not None:
        form = target.form(w)
        offered = {
            name: [str(value) for value, _label in field.choices]  # type: ignore[attr-defined]
            if isinstance(field, ChoiceField)
            else []
            for name, field in form.fields.items()
        }
        return [{"sent": {}, "offered": offered}]
    shown_on = next(a for a in ADDRESSES if a.name == (target.form_on or target.name))
    url = reverse(shown_on.name, args=shown_on.args(w))
    page = _browser(w, shown_on.who).get(url)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return []
    parser = _Forms()
    parser.feed(page.content.decode())
    found = []
    for action, sent, offered in parser.forms:
        if resolve(urlsplit(action).path or url).view_name == target.name:
            found.append({"sent": sent, "offered": offered})
    return found


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every domain table (the refusal records aside)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in MAY_RECORD_REFUSALS or model._meta.label in MAY_RECORD_MODELS:
            continue
        rows[model._meta.label] = sorted(model.objects.values_list(), key=lambda row: str(row[0]))
    return rows


#: What a person reads when a request is refused: the summary of a form's errors
#: (``role="alert"``, web/includes/form_errors.html), the message under a field, the admin's
#: error note and list.
MESSAGE_MARKS = (
    'role="alert"',
    "utrecht-form-field-error-message",
    'class="errornote"',
    'class="errorlist',
)
#: Pages that are themselves the message: each says in its heading what happened and what to
#: do next.
EXPLAINING_PAGES = {
    "web/error.html",  # 400, 403, 404, 405, 403_csrf
    "measurements/fill/draft_elsewhere.html",  # the answers are being filled in elsewhere
    "scheduling/unsubscribe_invalid.html",  # an unknown or used unsubscribe link
    "measurements/client/invalid.html",  # a client's link or code that does not work
    "measurements/client/too_many.html",  # too many wrong links or codes from one address
    "practice/unknown_case.html",  # a practice case code that names no case
}


def _refused_form(response: Any) -> bool:
    """Whether the page was rendered with a form that refused what was sent."""
    contexts = response.context or []
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for layer in context.dicts:
            for value in layer.values():
                if isinstance(value, BaseForm) and value.is_bound and value.errors:
                    return True
    return False


def _explains(response: Any) -> bool:
    if {template.name for template in response.templates} & EXPLAINING_PAGES:
        return True
    body = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # The API's errors: {"error": {"code": ..., "message": ...}} (docs/api.md).
        try:
            return bool(json.loads(body)["error"]["message"].strip())
        except (ValueError, KeyError, TypeError, AttributeError):
            return False
    return any(mark in body for mark in MESSAGE_MARKS)


def _check(response: Any, before: dict[str, Any], what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    # Refused: a 4xx, or the page again with a form that names what was wrong (a 200).
    if response.status_code >= 400 or _refused_form(response):
        after = _snapshot()
        changed = [label for label in before if before[label] != after[label]]
        assert changed == [], f"{what} was refused ({response.status_code}) but wrote {changed}"
        assert _explains(response), f"{what} was refused ({response.status_code}) without a message"


#: Addresses that may take the world away from the others (an ended trajectory, one handed
#: over to a colleague): fuzzed last in their group.
LAST = ("monitoring:end", "trajectories:hand_over")


def _group(address: Address) -> str:
    if address.who in {"client", "anonymous", "handover"}:
        return "client-and-anonymous"
    if address.who != "staff":
        return "team-lead-and-admin"
    if address.name.startswith(("measurements:", "conversations:")):
        return "staff-rounds"
    return "staff-other"


GROUPS = {
    group: sorted(
        (address for address in ADDRESSES if _group(address) == group),
        key=lambda address: address.name in LAST,
    )
    for group in sorted({_group(address) for address in ADDRESSES})
}


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_input_gets_an_answer_and_a_refusal_changes_nothing(world, colleague, group):  # noqa: F811
    # One world per group rather than per address: building it costs more than the attempts.
    # A colleague to hand over to and a draft of the professional's side: their forms show.
    answer_round(world.round, "professional", professional=world.professional, submit=False)
    for address in GROUPS[group]:
        _fuzz(world, address)


def _fuzz(w: World, address: Address) -> None:
    args = address.args(w)
    forms = _forms_posting_to(w, address)
    assert forms or not address.form_on, f"no form for {address.name} on {address.form_on}"

    @EXAMPLES
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        path_args = list(args)
        if address.text_arg:
            path_args = [data.draw(hostile_text.filter(bool), label="path")]
        url = (
            "/".join(quote(str(arg), safe="") for arg in path_args).join(
                reverse(address.name, args=["PLACEHOLDER"]).split("PLACEHOLDER")
            )
            if address.text_arg
            else reverse(address.name, args=path_args)
        )
        browser = _browser(w, address.who)
        query = data.draw(
            st.dictionaries(
                st.sampled_from(["period", "vraag", "q", "state", "ended", "next"]), hostile_value
            ),
            label="query",
        )
        before = _snapshot()
        _check(browser.get(url, query), before, f"GET {url} {query!r}")

        form = data.draw(st.sampled_from(forms), label="form") if forms else None
        post = hostile_post(data, form)
        before = _snapshot()
        _check(browser.post(url, post), before, f"POST {url} {post!r}")

    attempt()


def hostile_post(data: st.DataObject, form: dict[str, Any] | None) -> dict[str, Any]:
    """What a browser sends from ``form`` with fields kept, left out, or made hostile.

    Without a form (an address that takes a post but shows no form), hostile fields under
    any name.
    """
    if form is None:
        return data.draw(
            st.dictionaries(st.text(max_size=20), hostile_value, max_size=4), label="post"
        )
    post = {name: list(values) for name, values in form["sent"].items()}
    for name in form["offered"]:
        choice = data.draw(
            st.one_of(
                st.just("keep"),
                st.just("drop"),
                st.sampled_from(form["offered"][name] or [""]),
                hostile_value,
            ),
            label=name,
        )
        if choice == "drop":
            post.pop(name, None)
        elif choice != "keep":
            post[name] = choice
    return post


@EXAMPLES
@given(
    name=st.sampled_from(
        [settings_module.SESSION_COOKIE_NAME, settings_module.CSRF_COOKIE_NAME, "django_language"]
    ),
    # What a server hands on: bytes read as Latin-1 (a cookie holds no other characters).
    value=st.one_of(
        st.sampled_from([w for w in HOSTILE_WORDS if w.isascii()]),
        st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
    ),
)
def test_a_cookie_with_any_characters_is_ignored_not_an_error(name, value):
    """A NUL in the session cookie (an octal escape in a quoted value) reached PostgreSQL."""
    browser = Client(raise_request_exception=False)
    browser.cookies[name] = value
    assert browser.get(reverse("client:start")).status_code == 403  # "use your link"
    assert browser.post(reverse("client:code"), {"code": "ACDEFGHJ"}).status_code in {
        400,
        403,
        429,  # the entry form's rate limit
    }
    assert browser.get(reverse("login")).status_code == 200


@pytest.mark.parametrize("value", ["\x00abcdefghijkl", "abcdefghijkl\x00", "ABCDEFGHIJKL"])
def test_a_session_key_django_could_not_have_made_opens_no_session(client, value):
    client.raise_request_exception = False
    client.cookies[settings_module.SESSION_COOKIE_NAME] = value
    response = client.get(reverse("client:start"))
    assert response.status_code == 403
