"""Conversation prompts: questions and suggestions the professional can use in the joint talk.

Written in the project's own words, inspired by the research findings summarised in
INSTRUMENT.md. There are no published norms for the monitor, so "low" and "high" only mean
"on the disagreeing / agreeing side of the scale's midpoint" (below 3 / above 3 on a 1–5
scale): a reason to ask, never a judgement. The pages say so next to the prompts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from alliantiemonitor.conversations.results import CharacteristicResult, RoundResults


@dataclass(frozen=True)
class Prompt:
    """One situation with a few questions or suggestions for the conversation."""

    #: Stable name of the situation (``low_direction``, ``high_friction_client``, …).
    key: str
    characteristic: str | None
    title: str
    #: Why this may matter, from the research, in plain words.
    why: str
    suggestions: tuple[str, ...]


def is_low(score: float | None, results: RoundResults) -> bool:
    """Whether ``score`` lies on the disagreeing side of the scale's midpoint."""
    return score is not None and score < results.scale_midpoint


def is_high(score: float | None, results: RoundResults) -> bool:
    """Whether ``score`` lies on the agreeing side of the scale's midpoint."""
    return score is not None and score > results.scale_midpoint


def _who_low(c: CharacteristicResult, results: RoundResults) -> str:
    client_low = is_low(c.client.score, results)
    professional_low = is_low(c.professional.score, results)
    if client_low and professional_low:
        return _("Both of you gave this a low score.")
    if client_low:
        return _("The client gave this a low score.")
    return _("You gave this a low score yourself.")


def _low_direction(c: CharacteristicResult, results: RoundResults) -> Prompt:
    return Prompt(
        key="low_direction",
        characteristic=c.key,
        title=_("Direction and frame: make it clear together"),
        why=_(
            "Being clear about goals and conditions does not harm the contact, as long as the "
            "client also feels supported and respected."
        )
        + " "
        + _who_low(c, results),
        suggestions=(
            _("Ask what is unclear: the goals, the rules, or what follows if it goes wrong."),
            _("Go through what is compulsory and what is the client's own choice."),
            _("Ask which goal the client would choose themselves, and see where it fits."),
            _("Check afterwards: is it clearer now? What would help to keep it clear?"),
        ),
    )


def _low_trust(c: CharacteristicResult, results: RoundResults) -> Prompt:
    return Prompt(
        key="low_trust",
        characteristic=c.key,
        title=_("Trust: make it safer to be open"),
        why=_(
            "Trust matters a great deal for how a trajectory goes. Openness is hard when being "
            "honest can have consequences."
        )
        + " "
        + _who_low(c, results),
        suggestions=(
            _("Ask what would make it easier to tell you how things really are."),
            _("Be honest about what you must do with what you hear, and what stays between you."),
            _("Ask whether the client feels you are on their side and make an effort for them."),
            _("Name something that went well between you, however small."),
        ),
    )


def _low_bond(c: CharacteristicResult, results: RoundResults) -> Prompt:
    return Prompt(
        key="low_bond",
        characteristic=c.key,
        title=_("Bond: support and respect"),
        why=_(
            "Clarity works best together with support and respect. A purely controlling or a "
            "purely caring approach tends to cause friction."
        )
        + " "
        + _who_low(c, results),
        suggestions=(
            _("Ask when the client felt taken seriously by you, and when not."),
            _("Ask what kind of support would help right now."),
            _("Look for a goal you both find worth working on."),
        ),
    )


def _high_friction_client(c: CharacteristicResult) -> Prompt:
    return Prompt(
        key="high_friction_client",
        characteristic=c.key,
        title=_("Friction: the client's side"),
        why=_(
            "Resistance is understandable when someone did not choose this help. Friction that "
            "stays unspoken tends to grow; talking about it openly often eases it."
        ),
        suggestions=(
            _("Ask what bothers the client about the contact, without defending yourself."),
            _("Ask what feels imposed, and look together at where the client does have a say."),
            _("Agree on how you will both raise it when things get tense."),
        ),
    )


def _high_friction_professional(c: CharacteristicResult) -> Prompt:
    return Prompt(
        key="high_friction_professional",
        characteristic=c.key,
        title=_("Friction: your own side"),
        why=_(
            "Your own irritation or urge to take control can start a negative spiral, just as "
            "the client's resistance can. Noticing it is the first step."
        ),
        suggestions=(
            _("Before the conversation: what does this contact cost you, and where do you push?"),
            _("Consider sharing how the contact feels for you, calmly and without blame."),
            _("Talk it over with a colleague or in supervision if the contact drains you."),
        ),
    )


def _disagreement(c: CharacteristicResult, results: RoundResults) -> Prompt:
    if c.client_higher:
        side = _("The client scores this higher than you do.")
    else:
        side = _("You score this higher than the client does.")
    return Prompt(
        key="disagreement",
        characteristic=c.key,
        title=_("%(name)s: you see this differently") % {"name": c.name},
        why=side
        + " "
        + _("A difference is not a mistake by either of you: it is a good place to start talking."),
        suggestions=(
            _("Ask the client to explain their answers first, then explain yours."),
            _("Look at the statements where your answers are furthest apart."),
            _("Ask: what would need to happen for us to see this more alike?"),
        ),
    )


def _handover() -> Prompt:
    return Prompt(
        key="recent_handover",
        characteristic=None,
        title=_("A new professional"),
        why=_(
            "A change of professional is a known cause of a weaker working alliance. The "
            "client has to start over with someone new."
        ),
        suggestions=(
            _("Ask how the change was for the client, and what they miss from before."),
            _("Ask what worked well with the previous professional that you can keep."),
            _("Go through the goals and conditions again: what stays the same, what changes?"),
        ),
    )


def _flagged(results: RoundResults) -> Prompt:
    return Prompt(
        key="client_flagged",
        characteristic=None,
        title=_("Start with what the client wants to talk about"),
        why=_(
            "The client marked statements they want to discuss; they are at the top of the list."
        ),
        suggestions=(
            _("Ask the client to pick where to begin."),
            _("Ask what made them mark this statement."),
        ),
    )


def _opener() -> Prompt:
    return Prompt(
        key="opener",
        characteristic=None,
        title=_("A good moment to check in"),
        why=_(
            "No characteristic stands out in the scores. That is worth saying, and worth "
            "asking about: how does it feel to the client?"
        ),
        suggestions=(
            _("Ask what goes well in your work together, and what you should keep doing."),
            _("Ask whether there is anything the client did not dare to fill in."),
            _("Ask what could make the next period go even better."),
        ),
    )


def prompts_for(results: RoundResults, *, recent_handover: bool) -> list[Prompt]:
    """The prompts that fit ``results``; a general opener when nothing stands out.

    ``recent_handover`` is whether the round came after a change of professional (the
    round's ``after_handover``). The order is the order of a conversation: what the client
    flagged, the handover, then the characteristics in instrument order.
    """
    prompts: list[Prompt] = []
    if results.flagged_count:
        prompts.append(_flagged(results))
    if recent_handover:
        prompts.append(_handover())
    low_builders = {"direction": _low_direction, "trust": _low_trust, "bond": _low_bond}
    for c in results.characteristics:
        if c.higher_is_better:
            builder = low_builders.get(c.key)
            if builder and (
                is_low(c.client.score, results) or is_low(c.professional.score, results)
            ):
                prompts.append(builder(c, results))
        else:
            if is_high(c.client.score, results):
                prompts.append(_high_friction_client(c))
            if is_high(c.professional.score, results):
                prompts.append(_high_friction_professional(c))
        if c.highlight:
            prompts.append(_disagreement(c, results))
    if not prompts:
        prompts.append(_opener())
    return prompts
