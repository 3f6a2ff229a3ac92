"""Choices of the audit log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    CLIENT = "client", _("Client")
    SYSTEM = "system", _("System")
    #: An organisation's integration through an API token (``detail["api_token"]`` names it).
    API_TOKEN = "api_token", _("API token")


class AccountAction:
    """Audit actions of account changes, recorded at model level whatever the route.

    The admin, the services, ``manage.py changepassword`` and a shell all save the same models,
    so :mod:`alliantiemonitor.accounts.signals` records these; nobody has to remember to.
    """

    PASSWORD_CHANGE = "account.password_change"  # noqa: S105 (an action name)
    ACTIVATE = "account.activate"
    DEACTIVATE = "account.deactivate"
    #: ``is_staff``, ``is_superuser``, groups or permissions changed.
    PRIVILEGES_CHANGE = "account.privileges_change"
    MEMBERSHIP_ADD = "account.membership_add"
    #: Role, organisation, teams or active flag of a membership changed.
    MEMBERSHIP_CHANGE = "account.membership_change"
    #: A login through the identity provider (single sign-on).
    SSO_LOGIN = "account.sso_login"
    #: A single sign-on login refused; ``detail["reason"]`` says why (an ``SsoRefusal`` value).
    SSO_REFUSED = "account.sso_refused"
    #: An account linked to a provider's subject at its first login, by verified e-mail address.
    SSO_LINK = "account.sso_link"

    #: A second factor (an authenticator app, with new recovery codes) was set up.
    SECOND_FACTOR_ENROL = "account.second_factor_enrol"
    #: A single-use recovery code was used instead of the app's code.
    RECOVERY_CODE_USE = "account.recovery_code_use"
    #: New recovery codes replaced the old ones.
    RECOVERY_CODES_RENEW = "account.recovery_codes_renew"
    #: An administrator removed a user's second factor: the user sets it up again at login.
    SECOND_FACTOR_RESET = "account.second_factor_reset"


class PrivacyAction:
    """Audit actions of the privacy officer's pages and of erasure.

    The organisation admin acts as the privacy officer (see docs/audit.md).
    """

    #: The list of the organisation's clients on the privacy pages.
    CLIENT_LIST_VIEW = "privacy.client_list_view"
    #: "Who saw my data?": one client's audit trail, as a page or as CSV.
    TRAIL_VIEW = "privacy.trail_view"
    TRAIL_EXPORT = "privacy.trail_export"
    #: The confirmation page of an erasure, and the erasure itself.
    ERASE_VIEW = "privacy.erase_view"
    CLIENT_ERASE = "client.erase"
    #: A right-of-access copy of a client's data, as a page or as JSON (``detail["format"]``).
    CLIENT_ACCESS_EXPORT = "client.access_export"


class Action:
    """Every audit action name: a fixed list, so a typo is an error and not a new action.

    :func:`~alliantiemonitor.audit.services.audit_record` refuses a name that is not here (nor
    in :class:`AccountAction` or :class:`PrivacyAction`). Names are ``<object>.<verb>``;
    ``*.view`` names record that
    client data were shown, the others that something was written.
    """

    # -- Seen: a page or fragment that showed client data.
    CASELOAD_VIEW = "caseload.view"
    TRAJECTORY_VIEW = "trajectory.view"
    TIMELINE_VIEW = "timeline.view"
    COURSE_VIEW = "course.view"
    ROUND_VIEW = "round.view"
    RESPONSE_VIEW = "response.view"
    INVITATION_VIEW = "invitation.view"
    CONVERSATION_VIEW = "conversation.view"
    SIGNAL_VIEW = "signal.view"
    TEAM_DASHBOARD_VIEW = "dashboard.team.view"
    ORGANISATION_DASHBOARD_VIEW = "dashboard.organisation.view"
    #: The client's own pages (questionnaire, results) in a client session.
    CLIENT_PAGE_VIEW = "client_page.view"
    RESULTS_VIEW = "results.view"
    #: The client downloaded the conversation summary (PDF) from their results page.
    RESULTS_SUMMARY_VIEW = "results_summary.view"

    # -- Refused: an attempt that the access rules stopped.
    CLIENT_PAGE_REFUSE_STAFF = "client_page.refuse_staff"
    CLIENT_PAGE_REFUSE_HANDOVER = "client_page.refuse_handover"
    INVITATION_REFUSE = "invitation.refuse"

    # -- API tokens of an organisation's integrations (docs/api.md).
    API_TOKEN_CREATE = "api_token.create"  # noqa: S105 (an action name)
    API_TOKEN_REVOKE = "api_token.revoke"  # noqa: S105 (an action name)
    #: The organisation admin's list of the organisation's API tokens.
    API_TOKEN_LIST_VIEW = "api_token.list_view"  # noqa: S105 (an action name)
    #: Through the API: a list of clients and trajectories, a round's status, signals.
    API_TRAJECTORY_LIST_VIEW = "api.trajectory_list_view"
    #: Webhooks: an endpoint made, switched off, deleted, sent a test event; the admin's list
    #: of endpoints and deliveries; an event delivered to an endpoint (identifiers only).
    WEBHOOK_CREATE = "webhook.create"
    WEBHOOK_DEACTIVATE = "webhook.deactivate"
    WEBHOOK_DELETE = "webhook.delete"
    WEBHOOK_TEST = "webhook.test"
    WEBHOOK_LIST_VIEW = "webhook.list_view"
    WEBHOOK_DELIVER = "webhook.deliver"

    # -- The caseload import (docs/import.md): a file checked, and imported (``detail``: the
    # file's SHA-256 and the counts per row status; never a name).
    CASELOAD_IMPORT_DRY_RUN = "caseload_import.dry_run"
    CASELOAD_IMPORT = "caseload_import.import"

    # -- Organisations, teams and memberships (services).
    ORGANISATION_CREATE = "organisation.create"
    TEAM_CREATE = "team.create"
    MEMBERSHIP_GRANT = "membership.grant"
    MEMBERSHIP_REVOKE = "membership.revoke"

    # -- The same, changed through the admin (``<model>.admin_<verb>``).
    ORGANISATION_ADMIN_ADD = "organisation.admin_add"
    ORGANISATION_ADMIN_CHANGE = "organisation.admin_change"
    ORGANISATION_ADMIN_DELETE = "organisation.admin_delete"
    TEAM_ADMIN_ADD = "team.admin_add"
    TEAM_ADMIN_CHANGE = "team.admin_change"
    TEAM_ADMIN_DELETE = "team.admin_delete"
    MEMBERSHIP_ADMIN_ADD = "membership.admin_add"
    MEMBERSHIP_ADMIN_CHANGE = "membership.admin_change"
    MEMBERSHIP_ADMIN_DELETE = "membership.admin_delete"
    USER_ADMIN_ADD = "user.admin_add"
    USER_ADMIN_CHANGE = "user.admin_change"
    USER_ADMIN_DELETE = "user.admin_delete"
    #: A user's link to an identity provider removed (single sign-on, see docs/sso.md).
    SSOIDENTITY_ADMIN_DELETE = "ssoidentity.admin_delete"

    # -- Clients and trajectories.
    CLIENT_CREATE = "client.create"
    TRAJECTORY_START = "trajectory.start"
    TRAJECTORY_HAND_OVER = "trajectory.hand_over"
    TRAJECTORY_END = "trajectory.end"
    OUTCOME_RECORD = "outcome.record"

    # -- Measurement rounds, invitations and responses.
    ROUND_START = "round.start"
    ROUND_DISCUSSED = "round.discussed"
    ROUND_CLOSE = "round.close"
    ROUND_CANCEL = "round.cancel"
    ROUND_EXPIRE = "round.expire"
    ROUND_HAND_OVER_DEVICE = "round.hand_over_device"
    ROUND_HAND_BACK = "round.hand_back"
    INVITATION_CREATE = "invitation.create"
    INVITATION_USE = "invitation.use"
    INVITATION_REVOKE = "invitation.revoke"
    RESPONSE_START = "response.start"
    RESPONSE_SAVE = "response.save"
    RESPONSE_RESTART = "response.restart"
    RESPONSE_SUBMIT = "response.submit"
    RESPONSE_CORRECT = "response.correct"
    #: A paper form printed (blank), typed in, typed in again, differences resolved.
    PAPER_FORM_PRINT = "paper_form.print"
    PAPER_ENTRY_TYPE = "paper_entry.type"
    PAPER_ENTRY_VERIFY = "paper_entry.verify"
    PAPER_ENTRY_RESOLVE = "paper_entry.resolve"
    #: The first typist named (changed, withdrew) the colleague who types it in again.
    PAPER_ENTRY_VERIFIER_ASSIGN = "paper_entry.verifier_assign"
    #: The conversation summary printed for the client to take home.
    CONVERSATION_SUMMARY_PRINT = "conversation.summary_print"

    # -- Conversations.
    CONVERSATION_START = "conversation.start"
    AGREEMENT_ADD = "agreement.add"
    EVALUATION_RECORD = "evaluation.record"

    # -- Signals and their thresholds.
    SIGNAL_RAISE = "signal.raise"
    SIGNAL_RESOLVE = "signal.resolve"
    SIGNAL_ACKNOWLEDGE = "signal.acknowledge"
    SIGNAL_THRESHOLDS_UPDATE = "signal_thresholds.update"
    REFERENCE_ESTIMATE = "reference.estimate"

    # -- Schedules and mail (``schedule.<delivery kind>_send`` for the client messages).
    SCHEDULE_ORGANISATION_SET = "schedule.organisation_set"
    SCHEDULE_TRAJECTORY_SET = "schedule.trajectory_set"
    SCHEDULE_ROUND_OPEN = "schedule.round_open"
    SCHEDULE_INVITATION_SEND = "schedule.invitation_send"
    SCHEDULE_REMINDER_SEND = "schedule.reminder_send"
    SCHEDULE_DIGEST_SEND = "schedule.digest_send"
    CLIENT_CONTACT_SET = "client_contact.set"
    CLIENT_CONTACT_UNSUBSCRIBE = "client_contact.unsubscribe"
    MAIL_PREFERENCE_SET = "mail_preference.set"

    # -- Research: studies, enrolment and consent (no names in ``detail``: study keys only).
    STUDY_VIEW = "study.view"
    #: The research box of a trajectory: its study keys and consent states.
    STUDY_TRAJECTORY_VIEW = "study.trajectory_view"
    STUDY_CREATE = "study.create"
    #: Name, description, protocol or how long records stay after an erasure changed.
    STUDY_UPDATE = "study.update"
    STUDY_STATUS_SET = "study.status_set"
    STUDY_INFORMATION_UPDATE = "study.information_update"
    STUDY_PHASE_ADD = "study.phase_add"
    STUDY_PHASE_EDIT = "study.phase_edit"
    #: An organisation or team asked to take part; ``agree`` when its admin agreed.
    STUDY_ENROL = "study.enrol"
    STUDY_ENROLMENT_AGREE = "study.enrolment_agree"
    STUDY_TRAJECTORY_ENROL = "study.trajectory_enrol"
    CONSENT_RECORD = "consent.record"
    CONSENT_WITHDRAW = "consent.withdraw"
    #: A follow-up outcome file checked (dry run) and applied (docs/research/followup.md).
    FOLLOWUP_DRY_RUN = "followup.dry_run"
    FOLLOWUP_IMPORT = "followup.import"
    #: A sample of dyads drawn for interviews, and its list of study keys seen.
    INTERVIEW_SAMPLE_DRAW = "interview_sample.draw"
    INTERVIEW_SAMPLE_VIEW = "interview_sample.view"
    #: Answers to a phase questionnaire of a study (``detail``: study key, phase, mode).
    PHASE_RESPONSE_SUBMIT = "phase_response.submit"
    #: An export or report of a study asked of the worker, and one of its files downloaded
    #: (``detail``: the output's public id, its kind and options; the file's name and hash).
    STUDY_OUTPUT_REQUEST = "study_output.request"
    STUDY_OUTPUT_DOWNLOAD = "study_output.download"
    #: The worker built an export or report (``detail``: its state, the consenting
    #: trajectories it used, each file's name and hash), and deleted its files when it expired.
    STUDY_OUTPUT_BUILD = "study_output.build"
    STUDY_OUTPUT_EXPIRE = "study_output.expire"
    #: Research records of erased clients deleted by the retention job, per study and
    #: organisation (``detail``: the reason, the study's months, rows per model; no study keys).
    STUDY_RECORDS_DELETE = "study.records_delete"

    # -- Practice mode: a fictional client, so no client and no organisation.
    #: A practice case started or played again (``detail``: the case code, new or replay).
    PRACTICE_START = "practice.start"

    @classmethod
    def known(cls) -> frozenset[str]:
        """Every action name that may be recorded."""
        return _KNOWN

    @classmethod
    def check(cls, name: str) -> str:
        """``name`` if it is a known action; ``ValueError`` otherwise."""
        if name not in _KNOWN:
            raise ValueError(f"unknown audit action {name!r}: add it to audit.constants.Action")
        return name


def _names(owner: type) -> set[str]:
    return {value for key, value in vars(owner).items() if key.isupper() and isinstance(value, str)}


_KNOWN: frozenset[str] = frozenset(_names(Action) | _names(AccountAction) | _names(PrivacyAction))
