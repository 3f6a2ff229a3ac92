"""How a party sees the questionnaire: as a list (or one per screen), or as a card game.

The card game is a presentation of the same page, not another questionnaire: the same form,
the same autosave and the same send. The choice comes from the address (``?weergave=kaarten``,
Dutch words because clients read the address too) and is kept in the session for that side
(the client's and the professional's choice apart: a handed-over device holds both).
"""

from __future__ import annotations

from django.http import HttpRequest

from alliantiemonitor.measurements.constants import Presentation as Presentation

#: The query parameter that chooses the presentation, and its two words.
VIEW_PARAM = "weergave"
VIEW_CARDS = "kaarten"
VIEW_LIST = "lijst"
_SESSION_KEY = "alliantiemonitor.presentation.{rater}"


def presentation_remember(request: HttpRequest, *, rater: str, word: str | None) -> None:
    """Keep ``word`` (``kaarten`` or ``lijst``) as this side's choice; anything else is ignored."""
    if word in (VIEW_CARDS, VIEW_LIST):
        request.session[_SESSION_KEY.format(rater=rater)] = word


def presentation_forget(request: HttpRequest, *, rater: str) -> None:
    """Drop this side's choice: a new client session begins in the variant's own presentation."""
    request.session.pop(_SESSION_KEY.format(rater=rater), None)


def cards_chosen(request: HttpRequest, *, rater: str) -> bool:
    """Whether ``rater`` sees the card game.

    A saved form says which presentation it was sent from (a hidden field): that decides, so a
    page left open while another tab switched saves what it showed. Otherwise the address
    decides, else the session.
    """
    if request.method == "POST":
        sent = request.POST.get(VIEW_PARAM)
        if sent in (VIEW_CARDS, VIEW_LIST):
            return sent == VIEW_CARDS
    presentation_remember(request, rater=rater, word=request.GET.get(VIEW_PARAM))
    return request.session.get(_SESSION_KEY.format(rater=rater)) == VIEW_CARDS
