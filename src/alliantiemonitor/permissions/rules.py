"""The permission table: role × action × object, and the scope that ties a role to an object.

Every permission (``Perm``) names the roles that may use it and how far it reaches:

``ASSIGNED``      the trajectory's latest assignee (the current professional, or the last one of
                  an ended trajectory), while holding the role actively in the trajectory's
                  organisation. A handover ends the former professional's access at once.
                  Colleagues in the same team are not the assignee.
``TEAM``          a team in which the user holds the role (team lead), or any team of an
                  organisation in which the user holds the role (organisation admin).
``ORGANISATION``  an organisation in which the user holds the role actively.
``ANY``           no object: the user holds the role actively in some organisation.
``STUDY_MEMBER``  a study among whose researchers the user is, while holding the role actively
                  in some organisation (the queryset's ``with_researcher(user)``).
``PAPER_VERIFIER``  a client's paper entry whose first typist named the user to type it in
                  again, while it waits for that check (or for its differences to be decided
                  after the user's typing), and while the user holds the role actively in the
                  trajectory's organisation. Nothing else of the trajectory: no round page, no
                  answers, no conversation (the queryset's ``awaiting_check_by``).

Nothing here reaches a deactivated user, nor a logged-out visitor. A client has no account:
the client pages are reached with an invitation, decided by
:mod:`alliantiemonitor.measurements.client_session`.

Team leads never see one client's data (only suppressed aggregates), researchers only
pseudonymised extracts (not through these pages), so no trajectory permission names them.
The study pages show researchers study keys and counts, never a name or an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from alliantiemonitor.organisations.constants import Role

ASSIGNED = "assigned"
TEAM = "team"
ORGANISATION = "organisation"
ANY = "any"
STUDY_MEMBER = "study_member"
PAPER_VERIFIER = "paper_verifier"


class Perm:
    """What a user may do. ``<object>.<verb>``."""

    CASELOAD_VIEW = "caseload.view"
    CLIENT_CREATE = "client.create"
    #: Open a trajectory and everything in it: rounds, answers once the blind rule allows,
    #: the conversation, signals, the timeline, the course.
    TRAJECTORY_VIEW = "trajectory.view"
    #: Act on a trajectory: start a round, invite, fill in, record, hand over, end.
    TRAJECTORY_CHANGE = "trajectory.change"
    #: Type a client's paper form in a second time, as the colleague the first typist named,
    #: and decide the differences: that one entry screen of that one round, nothing else.
    PAPER_ENTRY_VERIFY = "paper_entry.verify"
    TEAM_DASHBOARD_VIEW = "team_dashboard.view"
    ORGANISATION_DASHBOARD_VIEW = "organisation_dashboard.view"
    #: Schedules, signal thresholds, the organisation's teams and memberships in the admin.
    ORGANISATION_CONFIGURE = "organisation.configure"
    #: The privacy officer's pages: a client's audit trail ("who saw my data?") and erasure.
    #: The organisation admin is the privacy officer; there is no separate role.
    CLIENT_PRIVACY = "client.privacy"
    #: Import the organisation's caseload from a file of its case-management system.
    CASELOAD_IMPORT = "caseload.import"
    #: The list of the own studies, and creating a study.
    STUDY_CREATE = "study.create"
    #: One study's page: its protocol, phases, enrolments and counts (study keys, no names).
    STUDY_VIEW = "study.view"
    #: Change a study: phases, status, asking organisations and teams to take part.
    STUDY_MANAGE = "study.manage"
    #: Agree that the organisation (or one of its teams) takes part in a study.
    STUDY_ENROLMENT_AGREE = "study_enrolment.agree"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    scope: str


RULES: dict[str, Rule] = {
    Perm.CASELOAD_VIEW: Rule(frozenset({Role.PROFESSIONAL}), ANY),
    Perm.CLIENT_CREATE: Rule(frozenset({Role.PROFESSIONAL}), ORGANISATION),
    Perm.TRAJECTORY_VIEW: Rule(frozenset({Role.PROFESSIONAL}), ASSIGNED),
    Perm.TRAJECTORY_CHANGE: Rule(frozenset({Role.PROFESSIONAL}), ASSIGNED),
    Perm.PAPER_ENTRY_VERIFY: Rule(frozenset({Role.PROFESSIONAL}), PAPER_VERIFIER),
    Perm.TEAM_DASHBOARD_VIEW: Rule(frozenset({Role.TEAM_LEAD, Role.ORG_ADMIN}), TEAM),
    Perm.ORGANISATION_DASHBOARD_VIEW: Rule(frozenset({Role.ORG_ADMIN}), ORGANISATION),
    Perm.ORGANISATION_CONFIGURE: Rule(frozenset({Role.ORG_ADMIN}), ORGANISATION),
    Perm.CLIENT_PRIVACY: Rule(frozenset({Role.ORG_ADMIN}), ORGANISATION),
    Perm.CASELOAD_IMPORT: Rule(frozenset({Role.ORG_ADMIN}), ORGANISATION),
    Perm.STUDY_CREATE: Rule(frozenset({Role.RESEARCHER}), ANY),
    Perm.STUDY_VIEW: Rule(frozenset({Role.RESEARCHER}), STUDY_MEMBER),
    Perm.STUDY_MANAGE: Rule(frozenset({Role.RESEARCHER}), STUDY_MEMBER),
    Perm.STUDY_ENROLMENT_AGREE: Rule(frozenset({Role.ORG_ADMIN}), ORGANISATION),
}


#: What an organisation's integration (an API token, docs/api.md) may reach, per permission.
#: A token bound to a professional (``acting_for``) reaches what that professional reaches,
#: within the token's organisation. A token of the whole organisation reaches the
#: organisation's clients and trajectories (identifiers and states), never answers, scores or
#: signals: those permissions are missing from ``ORGANISATION_TOKEN_PERMS``, and
#: :func:`~alliantiemonitor.permissions.policy.sees_answers` says no.
INTEGRATION_PERMS = frozenset(
    {Perm.CLIENT_CREATE, Perm.TRAJECTORY_VIEW, Perm.TRAJECTORY_CHANGE, Perm.CASELOAD_VIEW}
)
ORGANISATION_TOKEN_PERMS = INTEGRATION_PERMS


def rule(perm: str) -> Rule:
    """The rule of ``perm``; ``KeyError`` for a permission that does not exist."""
    return RULES[perm]
