"""What a service accepts as text, a choice or a date: checked once, here, for every caller.

The forms check their fields before a service is called, but a service is also called by
jobs, commands, imports and (later) the API, which pass on whatever they were given. So each
service checks its own input with these functions and refuses with :class:`InvalidInput`
(a :class:`DomainError` with a message naming the field) before it writes anything:

* text must be a ``str``, without NUL or other control characters (line breaks and tabs only
  where the field is multi-line), without lone surrogates (which a JSON body can carry but no
  database can store), and not longer than the field allows; ends are stripped;
* a single-line text (a name, a label, a code) may not hold the bidirectional controls
  U+202A–U+202E and U+2066–U+2069 either: in a list or a heading they can make one name read
  as another ("evil" written backwards). Multi-line text (a note, a reason, an invitation
  text) keeps them, because a text in Arabic or Hebrew mixed with Dutch can need them there,
  it is always shown in a block of its own, and it never identifies anybody;
* a choice must be one of the allowed values, exactly;
* a yes/no must be a ``bool`` (not ``"false"``, which is true, nor ``0``);
* a date must be a ``datetime.date`` (not a string, not a ``datetime``); a moment must be
  a ``datetime.datetime`` with a time zone, that the database can store;
* a duration must be a ``datetime.timedelta`` within the bounds the caller gives;
* a mapping must be a ``Mapping`` with text keys.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError

#: Line breaks and tabs: the control characters a multi-line text may hold.
MULTILINE_CONTROLS = frozenset("\n\r\t")

#: Bidirectional embeddings, overrides and isolates: refused in single-line text.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: The first and last moment every supported database stores in every time zone.
_EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
_LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


class InvalidInput(DomainError):
    code = "invalid_input"
    default_message = _("This value cannot be used.")


def _refuse(field: Any, message: Any) -> InvalidInput:
    return InvalidInput(message % {"field": field}, field=str(field))


def clean_text(
    value: Any,
    *,
    field: Any,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
    refuse: type[DomainError] | None = None,
) -> str:
    """``value`` stripped, if it is acceptable text for ``field``; else :class:`InvalidInput`.

    ``refuse`` names the service's own error to raise instead, with its own message, where
    that message already tells the user what the field must hold.
    """
    if refuse is not None:
        try:
            return clean_text(
                value, field=field, max_length=max_length, required=required, multiline=multiline
            )
        except InvalidInput:
            raise refuse() from None
    if not isinstance(value, str):
        raise _refuse(field, _("%(field)s must be text."))
    allowed = MULTILINE_CONTROLS if multiline else frozenset()
    for character in value:
        category = unicodedata.category(character)
        if category == "Cs" or (category == "Cc" and character not in allowed):
            raise _refuse(field, _("%(field)s contains a character that cannot be stored."))
        if not multiline and character in BIDI_CONTROLS:
            raise _refuse(field, _("%(field)s contains a character that changes the direction."))
    value = value.strip()
    if required and not value:
        raise _refuse(field, _("%(field)s cannot be empty."))
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s can be at most %(max)d characters long.")
            % {"field": field, "max": max_length},
            field=str(field),
        )
    return value


def clean_choice(value: Any, choices: Iterable[str], *, field: Any) -> str:
    """``value`` if it is one of ``choices`` (compared exactly); else :class:`InvalidInput`."""
    allowed = set(choices)
    if not isinstance(value, str) or value not in allowed:
        raise _refuse(field, _("%(field)s is not one of the possible values."))
    return value


def clean_date(value: Any, *, field: Any) -> dt.date:
    """``value`` if it is a date (not a date and time); else :class:`InvalidInput`."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _refuse(field, _("%(field)s must be a date."))
    return value


def clean_bool(value: Any, *, field: Any) -> bool:
    """``value`` if it is ``True`` or ``False``; else :class:`InvalidInput`."""
    if not isinstance(value, bool):
        raise _refuse(field, _("%(field)s must be yes or no."))
    return value


def clean_datetime(value: Any, *, field: Any) -> dt.datetime:
    """``value`` if it is a date and time with a time zone that can be stored in UTC.

    A naive date and time is refused: which moment it means depends on where it is read.
    """
    if not isinstance(value, dt.datetime):
        raise _refuse(field, _("%(field)s must be a date and time."))
    if value.utcoffset() is None:
        raise _refuse(field, _("%(field)s must be a date and time with a time zone."))
    try:
        in_utc = value.astimezone(dt.UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not _EARLIEST <= in_utc <= _LATEST:
        raise _refuse(field, _("%(field)s lies outside the possible dates."))
    return value


def clean_timedelta(
    value: Any, *, field: Any, minimum: dt.timedelta, maximum: dt.timedelta
) -> dt.timedelta:
    """``value`` if it is a duration from ``minimum`` to ``maximum``; else :class:`InvalidInput`."""
    if not isinstance(value, dt.timedelta):
        raise _refuse(field, _("%(field)s must be a duration."))
    if not minimum <= value <= maximum:
        raise InvalidInput(
            _("%(field)s must lie between %(minimum)s and %(maximum)s.")
            % {"field": field, "minimum": minimum, "maximum": maximum},
            field=str(field),
        )
    return value


def clean_mapping(value: Any, *, field: Any) -> dict[str, Any]:
    """A copy of ``value`` if it is a mapping with text keys; else :class:`InvalidInput`."""
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise _refuse(field, _("%(field)s must be a list of names with values."))
    return dict(value)
