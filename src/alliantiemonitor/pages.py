"""Every URL of the project, and who sees it in the accessibility walk.

Kept next to ``urls.py`` so that whoever adds a URL adds its line here too:
``tests/web/test_pages.py`` fails for a URL without an entry (and for an entry without a
URL), and ``tests/e2e/test_axe_every_page.py`` opens every page listed here in Chromium, as
the persona named, and runs axe-core on it (WCAG 2.1 A and AA, zero violations).

Keys are those of the authorisation matrix (``tests/permissions/test_matrix.py``):
``namespace:name``, or ``route:<route>`` for a pattern without a name. The matrix's rule for
the same key builds the URL's arguments from its synthetic world, so one entry here is one
word: the persona who opens the page (``anonymous``, ``client``, ``professional``,
``team_lead``, ``org_admin``, ``researcher``, ``superuser``), or ``skip: <why>`` for what is
not a page (a form's POST target, a download, a redirect, JSON).

The walk lists its own pages that have no URL of their own: the error pages (404, 403, 500,
503, a refused CSRF token) and the second-factor step met on the way in.
"""

from __future__ import annotations

POST = "skip: POST only, answers with a redirect"
DOWNLOAD = "skip: a download, not a page"
REDIRECT = "skip: only redirects"
ADMIN_SAME = "skip: the admin's own template, walked for organisations.team"

#: The Django admin's models that the product uses; each one's list and change form.
_ADMIN_MODELS = (
    "auth_group",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "organisations_organisation",
    "organisations_team",
    "organisations_membership",
    "accounts_user",
    "scheduling_organisationschedule",
    "scheduling_delivery",
    "audit_auditevent",
    "jobs_job",
    "jobs_periodicrun",
    "jobs_worker",
)


def _admin(model: str) -> dict[str, str]:
    app_label, model_name = model.split("_", 1)
    every_view = model == "organisations_team"
    return {
        f"admin:{model}_changelist": "superuser",
        f"admin:{model}_change": "superuser",
        f"admin:{model}_add": "superuser" if every_view else ADMIN_SAME,
        f"admin:{model}_history": "superuser" if every_view else ADMIN_SAME,
        f"admin:{model}_delete": "superuser" if every_view else ADMIN_SAME,
        f"route:admin/{app_label}/{model_name}/<path:object_id>/": REDIRECT,
    }


PAGES: dict[str, str] = {
    # -- Accounts and the start page.
    "set_language": POST,
    "home": "team_lead",
    "login": "anonymous",
    "logout": POST,
    "password_change": "professional",
    "second_factor_verify": "skip: shown on the way in, walked while logging in",
    "second_factor_enrol": "skip: only without a device; tests/e2e/test_second_factor.py",
    "second_factor_recovery_codes": "professional",
    "second_factor_recovery_codes_download": DOWNLOAD,
    "second_factor_recovery_codes_renew": POST,
    "reauthenticate": "professional",
    "password_reset": "anonymous",
    "password_reset_done": "anonymous",
    "password_reset_confirm": "anonymous",
    "password_reset_complete": "anonymous",
    "sso_login": "skip: single sign-on is off; an outside identity provider's page",
    "sso_callback": "skip: single sign-on is off; answers with a redirect",
    "healthz": "skip: JSON for load balancers",
    "readyz": "skip: JSON for load balancers",
    "route:favicon.ico": REDIRECT,
    # -- The caseload, trajectories and rounds.
    "trajectories:caseload": "professional",
    "trajectories:new": "professional",
    "trajectories:hand_over": "professional",
    "trajectories:detail": "professional",
    "trajectories:start_round": POST,
    "trajectories:caseload_import": "org_admin",
    "trajectories:caseload_import_confirm": POST,
    "trajectories:privacy_clients": "org_admin",
    "trajectories:privacy_trail": "org_admin",
    "trajectories:privacy_trail_csv": DOWNLOAD,
    "trajectories:privacy_erase": "org_admin",
    "measurements:fill": "professional",
    "measurements:fill_confirm": "professional",
    "measurements:fill_done": "professional",
    "measurements:round_detail": "professional",
    "measurements:paper_form": DOWNLOAD,
    "measurements:paper_entry": "professional",
    "measurements:invite_link": POST,
    "measurements:invite_code": POST,
    "measurements:hand_over_device": POST,
    "measurements:invitation_show": "professional",
    "measurements:revoke": POST,
    "conversations:joint": "professional",
    "conversations:summary": DOWNLOAD,
    "conversations:start": POST,
    "conversations:agreement_add": POST,
    "conversations:evaluate": POST,
    "conversations:mark_discussed": POST,
    "monitoring:course": "professional",
    "monitoring:timeline": "professional",
    "monitoring:record_outcome": "professional",
    "monitoring:end": "professional",
    "monitoring:signal_acknowledge": POST,
    "monitoring:thresholds": "org_admin",
    "privacy:access": "professional",
    "privacy:access_json": DOWNLOAD,
    # -- Dashboards and schedules.
    "dashboards:team": "team_lead",
    "dashboards:team_csv": DOWNLOAD,
    "dashboards:organisation": "org_admin",
    "dashboards:organisation_csv": DOWNLOAD,
    "scheduling:organisation": "org_admin",
    "scheduling:trajectory": "professional",
    "scheduling:mail_settings": "professional",
    "scheduling:unsubscribe": "anonymous",
    # -- Practice mode (a fictional client).
    "practice:start": "professional",
    "practice:case": "professional",
    "practice:fill": "professional",
    "practice:confirm": "professional",
    "practice:joint": "skip: redirects to the statements until the own side is sent; "
    "tests/e2e/test_practice.py plays a round and runs axe on it",
    "practice:replay": POST,
    # -- Research.
    "research:study_list": "researcher",
    "research:study_new": "researcher",
    "research:study_detail": "researcher",
    "research:study_edit": "researcher",
    "research:study_status": POST,
    "research:phase_add": "researcher",
    "research:phase_edit": "researcher",
    "research:study_enrol": "researcher",
    "research:followup": "researcher",
    "research:followup_confirm": POST,
    "research:samples": "researcher",
    "research:sample_detail": "researcher",
    "research:phase_entry": "researcher",
    "research:outputs": "researcher",
    "research:output_download": DOWNLOAD,
    "research:enrolments": "org_admin",
    "research:enrolment_agree": POST,
    "research:trajectory": "professional",
    "research:trajectory_enrol": POST,
    "research:trajectory_consent": POST,
    "research:trajectory_withdraw": POST,
    # -- Client pages (a client's link, no account).
    "client:link": REDIRECT,
    "client:code": "anonymous",
    "client:start": "client",
    "client:fill": "client",
    "client:confirm": "client",
    "client:done": "client",
    "client:restart": POST,
    "client:results": "client",
    "client:results_summary": DOWNLOAD,
    "client:return": REDIRECT,
    "client:research": "client",
    "client:research_questionnaire": "client",
    "client:research_withdraw": "client",
    "client:read_aloud": "skip: audio of the instrument's text, not a page",
    # -- API tokens and webhooks (the organisation admin) and the API (JSON for systems, not pages).
    "api_tokens:list": "org_admin",
    "api_tokens:new": "org_admin",
    "api_tokens:revoke": POST,
    "api_webhooks:list": "org_admin",
    "api_webhooks:new": "org_admin",
    "api_webhooks:deactivate": "org_admin",
    "api_webhooks:delete": "org_admin",
    "api_webhooks:test": POST,
    "api:docs": "anonymous",
    "api:schema": "skip: the OpenAPI description, YAML for systems",
    **{
        f"api:{name}": "skip: JSON for an integration with a token (tests/api)"
        for name in (
            "trajectories",
            "trajectory",
            "trajectory_close",
            "trajectory_hand_over",
            "trajectory_rounds",
            "trajectory_outcomes",
            "round",
            "round_invitation",
            "round_results",
            "signals",
        )
    },
    # -- The Django admin.
    "admin:index": "superuser",
    "admin:login": "anonymous",
    "admin:logout": POST,
    "admin:password_change": "superuser",
    "admin:password_change_done": "superuser",
    "admin:app_list": "superuser",
    "admin:autocomplete": "skip: JSON for the admin's search boxes",
    "admin:jsi18n": "skip: the admin's translations, JavaScript",
    "admin:view_on_site": REDIRECT,
    "admin:auth_user_password_change": "superuser",
    "route:admin/(?P<url>.*)$": "superuser",
    **{key: value for model in _ADMIN_MODELS for key, value in _admin(model).items()},
}
