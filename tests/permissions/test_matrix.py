"""The authorisation matrix: every URL × every persona × objects of both organisations.

Every URL pattern of the project is discovered from the URL configuration; each must have a
rule in :data:`RULES` (a new view without one fails :func:`test_every_url_has_a_rule`). For
each rule the test makes a GET (and, for URLs that take a form, a POST with an empty form) as
every persona, with the URL pointing at the own organisation's objects and at the other
organisation's, and asserts exactly the declared outcome:

``ok``           2xx, or a redirect onward (not to a login page); a GET page shows the own
                 client's pseudonym exactly to the personas in ``sees``
``login``        a redirect to the login page (logged out, deactivated, a client's browser)
``admin_login``  a redirect to the admin's login page
``admin_index``  the admin's redirect home (an object it does not know: nothing leaks)
``403`` ``404`` ``405`` ``400`` …  that status

No page may show the other organisation's client, a refused POST must leave every guarded
table as it was, and no request may fail with a server error (the test client re-raises it).

To declare a new URL add one line to :data:`RULES`, e.g.
``"trajectories:notes": trajectory_page(methods=GET_POST),``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.factories import read_aloud_kwargs
from tests.permissions.matrix import Outcome, Route, admin_pk, discover, request
from tests.permissions.world import PERSONAS, Side, World

pytestmark = pytest.mark.django_db

GET = ("get",)
POST = ("post",)
GET_POST = ("get", "post")

#: Logged-in personas of the own organisation with an active professional role somewhere.
PROFESSIONALS = frozenset({"professional", "colleague", "outsider", "former"})
NOBODY: frozenset[str] = frozenset()
EVERYONE_LOGGED_IN = frozenset(PERSONAS) - {"anonymous", "client", "deactivated"}


@dataclass(frozen=True)
class Rule:
    """What each persona gets from one URL."""

    #: The URL's parameters for one organisation's objects (``None``: the URL takes none).
    args: Callable[[World, Side], dict[str, Any]] | None
    #: Personas that may use the URL with the own organisation's objects.
    allow: frozenset[str]
    #: What a logged-in persona outside ``allow`` gets.
    deny: str = "404"
    methods: tuple[str, ...] = GET
    #: What a logged-out browser and a deactivated account get.
    anonymous: str = "login"
    #: What a client's browser (a session for another round) gets; default: as anonymous.
    client: str | None = None
    #: Personas that may use the URL with the other organisation's objects.
    allow_other: frozenset[str] = NOBODY
    #: Personas whose GET page must show the own client's pseudonym (default: none).
    sees: frozenset[str] = NOBODY
    #: Exceptions, ``(persona, "own" | "other", method) → outcome`` (``a|b``: either).
    special: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def expected(self, persona: str, side: str, method: str) -> frozenset[str]:
        """The outcomes ``persona`` may get; a method the URL does not take is never ``ok``."""
        if (persona, side, method) in self.special:
            return frozenset(self.special[(persona, side, method)].split("|"))
        if method not in self.methods:
            # Which comes first, the method check or the login, depends on the decorators.
            refused = self.expected(persona, side, self.methods[0]) - {"ok"}
            return refused | {"405"}
        if persona == "client" and self.client is not None:
            return frozenset({self.client})
        if persona in ("anonymous", "client", "deactivated"):
            return frozenset({self.anonymous})
        allowed = self.allow if side == "own" else self.allow_other
        return frozenset({"ok" if persona in allowed else self.deny})


def _api_token(side: Side) -> Any:
    """A token of the side's organisation (a row made in the test's transaction)."""
    import datetime as dt

    from django.utils import timezone

    from alliantiemonitor.api.models import ApiToken

    return ApiToken.objects.create(
        organisation=side.organisation,
        name="Zaaksysteem",
        scopes=["trajectories:read"],
        secret_hash=f"matrix-{side.organisation.pk}",
        hint="amt_matrix",
        created_by=side.membership.user,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )


def _caseload_upload(w: World, side: Side) -> Any:
    """A caseload file of the side's organisation checked by the own organisation's admin.

    Its content is already cleared, so confirming it changes nothing (an expired check).
    """
    from alliantiemonitor.imports.models import CaseloadImport

    return CaseloadImport.objects.create(
        organisation=side.organisation, sha256="0" * 64, uploaded_by=w.users["org_admin"]
    )


def _webhook(side: Side) -> Any:
    """A webhook endpoint of the side's organisation (a row made in the test's transaction)."""
    from alliantiemonitor.api.models import WebhookEndpoint

    return WebhookEndpoint.objects.create(
        organisation=side.organisation,
        name="Zaaksysteem",
        url="https://hooks.example.org/am",
        events=["round.completed"],
        secret="whsec_matrix",
        created_by=side.membership.user,
    )


# -- Rule builders: one per kind of page.


def trajectory_page(key: str = "uuid", methods: tuple[str, ...] = GET_POST, **kwargs: Any) -> Rule:
    """A page of one trajectory: its latest assignee only; 404 for everyone else."""
    kwargs.setdefault("sees", frozenset({"professional"}) if "get" in methods else NOBODY)
    return Rule(
        args=lambda w, s: {key: s.trajectory.uuid},
        allow=frozenset({"professional"}),
        methods=methods,
        **kwargs,
    )


def round_page(which: str = "round", methods: tuple[str, ...] = GET, **kwargs: Any) -> Rule:
    """A page of one measurement round: as its trajectory."""
    kwargs.setdefault("sees", frozenset({"professional"}) if "get" in methods else NOBODY)
    return Rule(
        args=lambda w, s: {"uuid": getattr(s, which).uuid},
        allow=frozenset({"professional"}),
        methods=methods,
        **kwargs,
    )


def study_page(methods: tuple[str, ...] = GET, refused_form: str = "", **kwargs: Any) -> Rule:
    """A page of one study: its researchers only (404 for everyone else); never a pseudonym."""
    if refused_form:
        kwargs.setdefault("special", {("researcher", "own", "post"): refused_form})
    return Rule(
        args=lambda w, s: {"uuid": s.study.uuid},
        allow=frozenset({"researcher"}),
        methods=methods,
        **kwargs,
    )


def client_page(methods: tuple[str, ...] = GET, **kwargs: Any) -> Rule:
    """A client page (no account): only a client's session; a staff browser is refused."""
    kwargs.setdefault("anonymous", "403")
    kwargs.setdefault("client", "ok")
    return Rule(args=None, allow=NOBODY, deny="403", methods=methods, **kwargs)


#: A practice case code (tests/practice/test_views.py plays it).
PRACTICE_CASE = "kort-verslechterend-reclassering-4821"


def practice_page(methods: tuple[str, ...]) -> Rule:
    """A practice page: anyone logged in, for any case code (no client data)."""
    return Rule(
        lambda w, s: {"code": PRACTICE_CASE},
        EVERYONE_LOGGED_IN,
        allow_other=EVERYONE_LOGGED_IN,
        methods=methods,
    )


def public_page(methods: tuple[str, ...] = GET, **kwargs: Any) -> Rule:
    """A page for anyone (login, health check)."""
    kwargs.setdefault("anonymous", "ok")
    return Rule(args=None, allow=EVERYONE_LOGGED_IN, methods=methods, **kwargs)


ADMIN_ONLY_SUPERUSER = frozenset({"superuser"})
ADMIN_STAFF = frozenset({"superuser", "org_admin"})
#: How the admin refuses a staff user: 403, or home for an object outside their reach.
ADMIN_REFUSED = "403|admin_index"
#: The superuser may do anything the model allows: read-only models refuse add and delete
#: (403), and an id without a row (no job has run yet) goes home.
SUPERUSER_ANY = "ok|403|admin_index"


def admin_page(
    args: Callable[[World, Side], dict[str, Any]] | None,
    methods: tuple[str, ...],
    *,
    org_admin_own: str,
    org_admin_other: str,
    superuser: str = SUPERUSER_ANY,
) -> Rule:
    """An admin page: everyone but staff is sent to the admin's login page."""
    special: dict[tuple[str, str, str], str] = {}
    for method in methods:
        for side in ("own", "other"):
            special[("superuser", side, method)] = superuser
        special[("org_admin", "own", method)] = org_admin_own
        special[("org_admin", "other", method)] = org_admin_other
    return Rule(
        args,
        NOBODY,
        deny="admin_login",
        anonymous="admin_login",
        methods=methods,
        special=special,
    )


def admin_model(
    app_label: str,
    model_name: str,
    *,
    org_admin: bool,
    org_admin_adds: bool = True,
    org_admin_deletes: bool = True,
) -> dict[str, Rule]:
    """The admin pages of one model.

    ``org_admin``: the organisation admin (staff) manages the model's rows of the own
    organisation and reaches nothing of another; otherwise only the superuser (the system
    admin) sees the model.
    """
    prefix = f"admin:{app_label}_{model_name}"

    def obj(world: World, side: Side) -> dict[str, Any]:
        return {"object_id": admin_pk(world, side, app_label, model_name)}

    if org_admin:
        own, other = "ok", ADMIN_REFUSED
    else:
        own = other = ADMIN_REFUSED
    return {
        f"{prefix}_changelist": admin_page(None, GET_POST, org_admin_own=own, org_admin_other=own),
        f"{prefix}_add": admin_page(
            None,
            GET_POST,
            org_admin_own=own if org_admin_adds else "403",
            org_admin_other=own if org_admin_adds else "403",
        ),
        f"{prefix}_history": admin_page(obj, GET, org_admin_own=own, org_admin_other=other),
        f"{prefix}_change": admin_page(obj, GET_POST, org_admin_own=own, org_admin_other=other),
        f"{prefix}_delete": admin_page(
            obj,
            GET_POST,
            org_admin_own=own if org_admin_deletes else "403",
            org_admin_other=other,
        ),
        # Only a redirect to the change page, which then decides.
        f"route:admin/{app_label}/{model_name}/<path:object_id>/": admin_page(
            obj, GET, org_admin_own="ok", org_admin_other="ok", superuser="ok"
        ),
    }


RULES: dict[str, Rule] = {
    # -- Public and account pages.
    "set_language": public_page(methods=GET_POST),
    "login": public_page(methods=GET_POST),
    # Logging out ends on the login page, whoever asks.
    "logout": Rule(None, NOBODY, deny="login", methods=POST),
    "password_change": Rule(None, EVERYONE_LOGGED_IN, deny="403", methods=GET_POST),
    "healthz": public_page(),
    "readyz": public_page(),
    "route:favicon.ico": public_page(),
    "home": Rule(None, EVERYONE_LOGGED_IN),
    # -- The caseload and trajectories (namespace ``trajectories``).
    "trajectories:caseload": Rule(
        None, PROFESSIONALS, deny="403", sees=frozenset({"professional"})
    ),
    "trajectories:new": Rule(None, PROFESSIONALS, deny="403", methods=GET_POST),
    "trajectories:hand_over": trajectory_page(),
    "trajectories:detail": trajectory_page(),
    "trajectories:start_round": trajectory_page(methods=POST),
    # -- Measurement rounds (staff).
    "measurements:fill": round_page(methods=GET_POST),
    # The own answers of the professional: the pages do not name the client.
    "measurements:fill_confirm": round_page("discussed", methods=GET_POST, sees=NOBODY),
    "measurements:fill_done": round_page("discussed", sees=NOBODY),
    "measurements:round_detail": round_page(),
    "measurements:invite_link": round_page(methods=POST),
    "measurements:invite_code": round_page(methods=POST),
    "measurements:hand_over_device": round_page(methods=POST),
    # Paper: a blank form (no name on it) and the entry screen (the paper in hand, no name).
    "measurements:paper_form": Rule(
        lambda w, s: {"uuid": s.round.uuid, "form": "client"}, frozenset({"professional"})
    ),
    "measurements:paper_entry": round_page(methods=GET_POST, sees=NOBODY),
    "measurements:invitation_show": Rule(
        lambda w, s: {"uuid": s.round.uuid, "invitation": s.invitation.uuid},
        frozenset({"professional"}),
    ),
    "measurements:revoke": Rule(
        lambda w, s: {"uuid": s.round.uuid, "invitation": s.invitation.uuid},
        frozenset({"professional"}),
        methods=POST,
    ),
    # -- The joint conversation.
    "conversations:joint": round_page("discussed"),
    # The summary PDF carries no name (it goes home with the client).
    "conversations:summary": round_page("discussed", sees=NOBODY),
    # An empty form is refused with 400 (and changes nothing).
    "conversations:start": round_page(
        "discussed", methods=POST, special={("professional", "own", "post"): "400"}
    ),
    "conversations:agreement_add": round_page("discussed", methods=POST),
    "conversations:evaluate": round_page("discussed", methods=POST),
    "conversations:mark_discussed": round_page("discussed", methods=POST),
    # -- Course, signals, outcomes.
    "monitoring:course": trajectory_page("trajectory_uuid", methods=GET),
    "monitoring:timeline": trajectory_page("trajectory_uuid", methods=GET),
    "monitoring:record_outcome": trajectory_page("trajectory_uuid"),
    "monitoring:end": trajectory_page("trajectory_uuid"),
    "monitoring:signal_acknowledge": Rule(
        lambda w, s: {"signal_uuid": s.signal.uuid}, frozenset({"professional"}), methods=POST
    ),
    "monitoring:thresholds": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid},
        frozenset({"org_admin"}),
        methods=GET_POST,
    ),
    # -- API tokens: the organisation admin's pages.
    "api_tokens:list": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid}, frozenset({"org_admin"})
    ),
    # An empty form is shown again with its errors (200) and makes nothing.
    "api_tokens:new": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid},
        frozenset({"org_admin"}),
        methods=GET_POST,
    ),
    "api_tokens:revoke": Rule(
        lambda w, s: {"token_uuid": _api_token(s).uuid}, frozenset({"org_admin"}), methods=POST
    ),
    # -- Webhooks: the organisation admin's pages (confirmation pages before a change).
    "api_webhooks:list": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid}, frozenset({"org_admin"})
    ),
    "api_webhooks:new": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid},
        frozenset({"org_admin"}),
        methods=GET_POST,
    ),
    **{
        f"api_webhooks:{name}": Rule(
            lambda w, s: {"endpoint_uuid": _webhook(s).uuid},
            frozenset({"org_admin"}),
            methods=methods,
        )
        for name, methods in (("deactivate", GET_POST), ("delete", GET_POST), ("test", POST))
    },
    # -- The API: a token, never a session (tests/api and test_api_matrix.py for tokens).
    "api:docs": public_page(),
    "api:schema": public_page(),
    **{
        f"api:{name}": Rule(args, NOBODY, deny="401", anonymous="401", methods=methods)
        for name, args, methods in (
            ("trajectories", None, GET_POST),
            ("signals", None, GET),
            ("trajectory", lambda w, s: {"uuid": s.trajectory.uuid}, GET),
            ("trajectory_close", lambda w, s: {"uuid": s.trajectory.uuid}, POST),
            ("trajectory_hand_over", lambda w, s: {"uuid": s.trajectory.uuid}, POST),
            ("trajectory_rounds", lambda w, s: {"uuid": s.trajectory.uuid}, GET_POST),
            ("trajectory_outcomes", lambda w, s: {"uuid": s.trajectory.uuid}, POST),
            ("round", lambda w, s: {"uuid": s.round.uuid}, GET),
            ("round_invitation", lambda w, s: {"uuid": s.round.uuid}, POST),
            ("round_results", lambda w, s: {"uuid": s.discussed.uuid}, GET),
        )
    },
    # -- Dashboards: aggregates only, never a client's pseudonym.
    "dashboards:team": Rule(
        lambda w, s: {"team_uuid": s.team.uuid}, frozenset({"team_lead", "org_admin"})
    ),
    "dashboards:team_csv": Rule(
        lambda w, s: {"team_uuid": s.team.uuid}, frozenset({"team_lead", "org_admin"})
    ),
    "dashboards:organisation": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid}, frozenset({"org_admin"})
    ),
    "dashboards:organisation_csv": Rule(
        lambda w, s: {"organisation_uuid": s.organisation.uuid}, frozenset({"org_admin"})
    ),
    # -- Schedules and mail.
    "scheduling:organisation": Rule(
        lambda w, s: {"uuid": s.organisation.uuid}, frozenset({"org_admin"}), methods=GET_POST
    ),
    "scheduling:trajectory": trajectory_page(),
    "scheduling:mail_settings": Rule(None, EVERYONE_LOGGED_IN, methods=GET_POST),
    "scheduling:unsubscribe": Rule(
        lambda w, s: {"token": unsubscribe_token(s)},
        EVERYONE_LOGGED_IN,
        allow_other=EVERYONE_LOGGED_IN,
        anonymous="ok",
        methods=GET_POST,
    ),
    # -- Client pages (no account).
    "client:start": client_page(),
    "client:fill": client_page(methods=GET_POST),
    "client:confirm": client_page(methods=GET_POST),
    "client:done": client_page(),
    "client:restart": client_page(methods=POST),
    "client:results": client_page(anonymous="404"),
    # The same summary PDF the professional prints, from the client's own results page.
    "client:results_summary": client_page(anonymous="404"),
    # The code form is for anyone who is not logged in; an empty form is refused (400).
    "client:code": client_page(
        methods=GET_POST,
        anonymous="ok",
        special={(p, "own", "post"): "400" for p in ("anonymous", "client", "deactivated")},
    ),
    # Without a hand-over in this browser there is nothing to hand back: it sends one on.
    "client:return": Rule(None, EVERYONE_LOGGED_IN, anonymous="ok", client="ok", methods=GET_POST),
    "client:link": Rule(
        lambda w, s: {"token": "no-such-token"}, NOBODY, deny="403", anonymous="404"
    ),
    # Instrument text, not client data: staff may hear any instrument; a client session its
    # own round's instrument in its domain (the other organisation's domain differs: 404).
    "client:read_aloud": Rule(
        lambda w, s: read_aloud_kwargs(s.round),
        EVERYONE_LOGGED_IN,
        allow_other=EVERYONE_LOGGED_IN,
        anonymous="403",
        client="ok",
        special={("client", "other", "get"): "404"},
    ),
    # -- Second factor, re-authentication, password reset (accounts). Every logged-in user
    # has a second factor here (force_login sets it up): the code and set-up pages send them
    # on; renewing recovery codes asks for a recent login (fresh in the test).
    "second_factor_verify": Rule(None, EVERYONE_LOGGED_IN, methods=GET_POST),
    "second_factor_enrol": Rule(None, EVERYONE_LOGGED_IN, methods=GET_POST),
    "second_factor_recovery_codes": Rule(None, EVERYONE_LOGGED_IN),
    "second_factor_recovery_codes_download": Rule(None, EVERYONE_LOGGED_IN),
    "second_factor_recovery_codes_renew": Rule(None, EVERYONE_LOGGED_IN, methods=POST),
    # An empty password-and-code form is refused with 400.
    "reauthenticate": Rule(
        None,
        EVERYONE_LOGGED_IN,
        methods=GET_POST,
        special={(p, "own", "post"): "400" for p in EVERYONE_LOGGED_IN},
    ),
    # For anyone: the answer never tells whether an account exists.
    "password_reset": public_page(methods=GET_POST),
    "password_reset_done": public_page(),
    "password_reset_confirm": Rule(
        lambda w, s: {"uidb64": "MQ", "token": "no-such-token"},
        EVERYONE_LOGGED_IN,
        allow_other=EVERYONE_LOGGED_IN,
        anonymous="ok",
    ),
    "password_reset_complete": public_page(),
    # -- Single sign-on: off in the tests, so its pages do not exist (tests/accounts/test_sso.py
    # covers them switched on).
    "sso_login": Rule(None, NOBODY, anonymous="404"),
    "sso_callback": Rule(None, NOBODY, anonymous="404"),
    # -- The privacy officer's pages (the organisation admin): the list refuses other roles
    # (403); a client's pages are 404 for anyone who does not administer its organisation.
    "trajectories:privacy_clients": Rule(
        None, frozenset({"org_admin"}), deny="403", sees=frozenset({"org_admin"})
    ),
    "trajectories:privacy_trail": Rule(
        lambda w, s: {"uuid": s.trajectory.client.uuid},
        frozenset({"org_admin"}),
        sees=frozenset({"org_admin"}),
    ),
    "trajectories:privacy_trail_csv": Rule(
        lambda w, s: {"uuid": s.trajectory.client.uuid}, frozenset({"org_admin"})
    ),
    "trajectories:privacy_erase": Rule(
        lambda w, s: {"uuid": s.trajectory.client.uuid},
        frozenset({"org_admin"}),
        methods=GET_POST,
        sees=frozenset({"org_admin"}),
    ),
    # -- The caseload import (the organisation admin): the upload page refuses other roles
    # (403), an empty upload is refused with 400; a checked file is 404 for anyone but the
    # admin who checked it, in an organisation they administer.
    "trajectories:caseload_import": Rule(
        None,
        frozenset({"org_admin"}),
        deny="403",
        methods=GET_POST,
        special={("org_admin", "own", "post"): "400"},
    ),
    "trajectories:caseload_import_confirm": Rule(
        lambda w, s: {"uuid": _caseload_upload(w, s).uuid}, frozenset({"org_admin"}), methods=POST
    ),
    # -- The right of access: the trajectory's professional only.
    "privacy:access": trajectory_page("trajectory_uuid", methods=GET),
    "privacy:access_json": trajectory_page("trajectory_uuid", methods=GET),
    # -- Research: a study exists only for its researchers; counts and study keys, no names.
    "research:study_list": Rule(None, frozenset({"researcher"}), deny="403"),
    "research:study_new": Rule(
        None,
        frozenset({"researcher"}),
        deny="403",
        methods=GET_POST,
        special={("researcher", "own", "post"): "400"},
    ),
    "research:study_detail": study_page(),
    "research:study_status": study_page(methods=POST, refused_form="400"),
    "research:phase_add": study_page(methods=GET_POST, refused_form="400"),
    "research:study_edit": study_page(methods=GET_POST, refused_form="400"),
    "research:phase_edit": Rule(
        args=lambda w, s: {"uuid": s.study.uuid, "phase": s.phase.uuid},
        allow=frozenset({"researcher"}),
        methods=GET_POST,
        special={("researcher", "own", "post"): "400"},
    ),
    "research:study_enrol": study_page(methods=GET_POST, refused_form="400"),
    # Follow-up files and interview samples: pages of the study (study keys, never names).
    "research:followup": study_page(methods=GET_POST, refused_form="400"),
    "research:followup_confirm": Rule(
        args=lambda w, s: {"uuid": s.study.uuid, "upload": s.followup.uuid},
        allow=frozenset({"researcher"}),
        methods=POST,
    ),
    "research:samples": study_page(methods=GET_POST, refused_form="400"),
    # Telephone entry of a phase questionnaire: a page of the study (study keys only).
    "research:phase_entry": study_page(methods=GET_POST, refused_form="400"),
    # Exports and reports: the study's researchers (after a recent login), audited downloads.
    "research:outputs": study_page(methods=GET_POST, refused_form="400"),
    "research:output_download": Rule(
        args=lambda w, s: {"uuid": s.study.uuid, "output": s.output.uuid, "name": "responses.csv"},
        allow=frozenset({"researcher"}),
    ),
    "research:sample_detail": Rule(
        args=lambda w, s: {"uuid": s.study.uuid, "sample": s.sample.uuid},
        allow=frozenset({"researcher"}),
    ),
    "research:enrolments": Rule(None, frozenset({"org_admin"}), deny="403"),
    "research:enrolment_agree": Rule(
        lambda w, s: {"uuid": s.enrolment.uuid}, frozenset({"org_admin"}), methods=POST
    ),
    # The research box of a trajectory: its professional; an empty form is refused (400).
    "research:trajectory": trajectory_page(methods=GET),
    "research:trajectory_enrol": trajectory_page(
        methods=POST, special={("professional", "own", "post"): "400"}
    ),
    "research:trajectory_consent": trajectory_page(
        methods=POST, special={("professional", "own", "post"): "400"}
    ),
    "research:trajectory_withdraw": trajectory_page(
        methods=POST, special={("professional", "own", "post"): "400"}
    ),
    # The client's research question: nothing open for the client persona's round, so it
    # sends the client on to the intro.
    "client:research": client_page(methods=GET_POST),
    # The client's phase questionnaire: nothing open for the client persona either.
    "client:research_questionnaire": client_page(methods=GET_POST),
    # The client stops taking part: without ?enrolled= naming one of their own studies,
    # there is nothing to find.
    "client:research_withdraw": client_page(methods=GET_POST, client="404"),
    # -- Practice mode: a fictional client, the same case for everyone logged in, on either
    # side; nothing of a real client is shown. An empty start form is refused (400); the other
    # forms of an unsent case send the player on (to the statements).
    "practice:start": Rule(
        None,
        EVERYONE_LOGGED_IN,
        methods=GET_POST,
        special={(p, "own", "post"): "400" for p in EVERYONE_LOGGED_IN},
    ),
    "practice:case": practice_page(GET),
    "practice:fill": practice_page(GET_POST),
    "practice:confirm": practice_page(GET_POST),
    "practice:joint": practice_page(GET),
    "practice:replay": practice_page(POST),
    # -- The admin.
    "admin:index": admin_page(None, GET, org_admin_own="ok", org_admin_other="ok", superuser="ok"),
    # A logged-in staff user is sent on to the index; anyone else gets the form.
    "admin:login": public_page(
        methods=GET_POST,
        special={
            ("org_admin", "own", "get"): "admin_index",
            ("superuser", "own", "get"): "admin_index",
        },
    ),
    # Staff end on the login page; the admin sends anyone else home (then to its login).
    "admin:logout": Rule(
        None,
        NOBODY,
        deny="admin_index",
        anonymous="admin_index",
        methods=POST,
        special={("org_admin", "own", "post"): "login", ("superuser", "own", "post"): "login"},
    ),
    "admin:password_change": admin_page(
        None, GET_POST, org_admin_own="ok", org_admin_other="ok", superuser="ok"
    ),
    "admin:password_change_done": admin_page(
        None, GET, org_admin_own="ok", org_admin_other="ok", superuser="ok"
    ),
    # Without a model and field to complete, refused.
    "admin:autocomplete": admin_page(
        None, GET, org_admin_own="403", org_admin_other="403", superuser="403"
    ),
    "admin:jsi18n": admin_page(None, GET, org_admin_own="ok", org_admin_other="ok", superuser="ok"),
    # No object of ours has a page on the site.
    "admin:view_on_site": admin_page(
        lambda w, s: {"content_type_id": 1, "object_id": 1},
        GET,
        org_admin_own="404",
        org_admin_other="404",
        superuser="404",
    ),
    "admin:app_list": admin_page(
        lambda w, s: {"app_label": "organisations"},
        GET,
        org_admin_own="ok",
        org_admin_other="ok",
        superuser="ok",
    ),
    "route:admin/(?P<url>.*)$": admin_page(
        lambda w, s: {"url": "no/such/page/"},
        GET,
        org_admin_own="404",
        org_admin_other="404",
        superuser="404",
    ),
    # Another organisation's user does not exist for the organisation admin.
    "admin:auth_user_password_change": admin_page(
        lambda w, s: {"id": s.membership.user.pk},
        GET_POST,
        org_admin_own="ok",
        org_admin_other="404",
        superuser="ok",
    ),
    # Organisations are made by the system admin; memberships end by deactivation.
    **admin_model(
        "organisations",
        "organisation",
        org_admin=True,
        org_admin_adds=False,
        org_admin_deletes=False,
    ),
    **admin_model("organisations", "team", org_admin=True),
    **admin_model("organisations", "membership", org_admin=True, org_admin_deletes=False),
    **admin_model("accounts", "user", org_admin=True, org_admin_deletes=False),
    **admin_model("auth", "group", org_admin=False),
    **admin_model("axes", "accessattempt", org_admin=False),
    **admin_model("axes", "accesslog", org_admin=False),
    **admin_model("axes", "accessfailurelog", org_admin=False),
    **admin_model("audit", "auditevent", org_admin=False),
    **admin_model("scheduling", "organisationschedule", org_admin=False),
    **admin_model("scheduling", "delivery", org_admin=False),
    **admin_model("jobs", "job", org_admin=False),
    **admin_model("jobs", "periodicrun", org_admin=False),
    **admin_model("jobs", "worker", org_admin=False),
}


def unsubscribe_token(side: Side) -> str:
    from alliantiemonitor.scheduling.mail import unsubscribe_token as token

    return token(side.contact)


def test_every_url_has_a_rule():
    """A view without a declared rule fails here: declare it in ``RULES``."""
    keys = {route.key for route in discover()}
    assert sorted(keys - set(RULES)) == [], "URLs without a rule"
    assert sorted(set(RULES) - keys) == [], "rules for URLs that do not exist"


def classify(outcome: Outcome) -> str:
    if outcome.status in (301, 302, 303):
        if outcome.location.startswith("/admin/login/"):
            return "admin_login"
        if outcome.location.startswith("/inloggen/"):
            return "login"
        if outcome.location.rstrip("/") == "/admin":
            return "admin_index"
        return "ok"
    if 200 <= outcome.status < 300:
        return "ok"
    return str(outcome.status)


_ROUTES = {route.key: route for route in discover()}


def _url(world: World, route: Route, rule: Rule, side: Side) -> str:
    from django.urls import reverse

    if route.name is None:
        # An unnamed pattern: the admin's redirect to a change page, the catch-all, the icon.
        if route.key == "route:favicon.ico":
            return "/favicon.ico"
        assert rule.args is not None
        kwargs = rule.args(world, side)
        path = route.route.replace("(?P<url>.*)$", "{url}").replace("^", "")
        path = path.replace("<path:object_id>", "{object_id}")
        return "/" + path.format(**kwargs)
    return reverse(route.name, kwargs=rule.args(world, side) if rule.args else None)


def _dump(key: str, persona: str, side: str, method: str, got: str) -> None:
    """With ``MATRIX_DUMP=<file>``, write down every outcome (to draft a new rule from)."""
    path = os.environ.get("MATRIX_DUMP")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{key}\t{persona}\t{side}\t{method}\t{got}\n")


@pytest.mark.parametrize("key", sorted(RULES))
def test_matrix(world, key):
    rule = RULES[key]
    route = _ROUTES.get(key)
    if route is None:
        pytest.skip("no such URL (test_every_url_has_a_rule fails)")
    sides = ("own", "other") if rule.args is not None else ("own",)
    wrong: list[str] = []
    for side_name in sides:
        side = world.own if side_name == "own" else world.other
        url = _url(world, route, rule, side)
        for method in ("get", "post"):
            if method == "post" and "post" not in rule.methods:
                continue
            for persona in PERSONAS:
                expected = rule.expected(persona, side_name, method)
                outcome = request(world, persona, method, url, check_unchanged="ok" not in expected)
                got = classify(outcome)
                where = f"{persona:<12} {side_name:<5} {method.upper():<4} {url}"
                _dump(key, persona, side_name, method, got)
                if got not in expected:
                    wanted = "|".join(sorted(expected))
                    wrong.append(f"{where}: expected {wanted}, got {got} ({outcome.status})")
                if outcome.changed:
                    wrong.append(f"{where}: refused, yet changed data")
                if world.other.marker in outcome.body:
                    wrong.append(f"{where}: shows the other organisation's client")
                if method == "get" and got == "ok" and side_name == "own":
                    shows = world.own.marker in outcome.body
                    if shows != (persona in rule.sees):
                        wrong.append(f"{where}: shows the own client: {shows}")
    assert not wrong, "\n".join(wrong)
