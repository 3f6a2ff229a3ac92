"""Writing measurement rounds, responses and invitations, and the blind rule that guards them.

The round state machine::

    open ─┬─ client submits ──────► client_done ───────┐
          └─ professional submits ► professional_done ─┴─ other side submits ─► both_done
    both_done ── round_mark_discussed, once the conversation was held ──► discussed
    client_done / professional_done / both_done / discussed ── round_close ──► closed
    open / client_done / professional_done ── round_cancel ──► cancelled
    open / client_done / professional_done, past due date + grace ── rounds_expire ──► expired
    collecting, trajectory ends ── trajectory_close ──► closed (someone submitted) or cancelled

A trajectory has at most one round in which answers are still collected (open, client_done,
professional_done): a new round can start once the previous one is both_done or further.
"""

from alliantiemonitor.measurements.services._common import validate_answers
from alliantiemonitor.measurements.services.ending import (
    OpenRounds,
    trajectory_close,
    trajectory_open_rounds,
)
from alliantiemonitor.measurements.services.invitations import (
    invitation_create,
    invitation_resolve,
    invitation_revoke,
    invitations_revoke_for_round,
    invitations_revoke_made_by,
    round_results_open_to_client,
)
from alliantiemonitor.measurements.services.responses import (
    client_draft_on_own_device,
    response_correct,
    response_restart,
    response_save_answers,
    response_submit,
)
from alliantiemonitor.measurements.services.rounds import (
    round_cancel,
    round_close,
    round_mark_discussed,
    round_start,
    rounds_expire,
)
from alliantiemonitor.measurements.services.visibility import (
    responses_visible_to_client,
    responses_visible_to_professional,
    round_answers_visible,
)

__all__ = [
    "OpenRounds",
    "client_draft_on_own_device",
    "invitation_create",
    "invitation_resolve",
    "invitation_revoke",
    "invitations_revoke_for_round",
    "invitations_revoke_made_by",
    "response_correct",
    "response_restart",
    "response_save_answers",
    "response_submit",
    "responses_visible_to_client",
    "responses_visible_to_professional",
    "round_answers_visible",
    "round_cancel",
    "round_close",
    "round_mark_discussed",
    "round_results_open_to_client",
    "round_start",
    "rounds_expire",
    "trajectory_close",
    "trajectory_open_rounds",
    "validate_answers",
]
