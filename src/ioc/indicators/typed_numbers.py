"""Numbers typed by people in the entry forms, read and shown in the page's language.

Vietnamese pages write 1.250,5 (“.” groups thousands, “,” is the decimal mark), English
pages 1,250.5; spaces (also non-breaking) group thousands in both. Text that fits the page's
rules is read by them; text that does not (a grouping mark followed by other than three
digits, a grouped number starting with 0, marks of the other language) is refused with the
readings it could have, never guessed. Machine inputs (DHIS2 files, the API) do not come
here: services.parse_value reads them, whatever the language. docs/indicators.md.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ioc.indicators.models import plain_decimal
from ioc.indicators.services import parse_value

SPACES = " \u00a0\u202f\u2009"
_SIGNS = {"-": "-", "\u2212": "-", "+": ""}


def number_marks(language: str | None) -> tuple[str, str]:
    """(decimal mark, thousands mark) of a language: Vietnamese (the default) or English."""
    if (language or "vi").lower().startswith("en"):
        return ".", ","
    return ",", "."


def typed_number(text: str, language: str | None) -> str:
    """The plain number ("1250.5", "" when empty) of what was typed on a page in `language`,
    or ValueError with a message for the user."""
    raw = text.strip(SPACES)
    if not raw:
        return ""
    plain, misplaced = _read(raw, language)
    if plain is not None:
        return plain
    if misplaced:
        raise ValueError(_ambiguous(raw, language))
    raise ValueError(_refusal(raw, language))


def _read(raw: str, language: str | None) -> tuple[str | None, bool]:
    """(the plain number, or None when `raw` is not one by the language's rules; whether a
    grouping mark was misplaced)."""
    decimal, group = number_marks(language)
    sign = _SIGNS.get(raw[0])
    body = raw[1:].lstrip(SPACES) if sign is not None else raw
    whole, mark, fraction = body.partition(decimal)
    allowed = set("0123456789" + group + SPACES)
    if (
        not body
        or not set(whole) <= allowed
        or (mark and not fraction.isdigit())
        or not (whole or fraction)
    ):
        return None, False
    chunks = re.split(f"[{re.escape(group + SPACES)}]", whole)
    if len(chunks) > 1 and not _grouped(chunks):
        return None, True
    digits = "".join(chunks) or "0"
    return f"{sign or ''}{digits}{'.' + fraction if mark else ''}", False


def _grouped(chunks: list[str]) -> bool:
    """Thousands grouped as they are written: 1 to 3 digits (not starting with 0), then
    groups of three."""
    first, rest = chunks[0], chunks[1:]
    return (
        first.isdigit()
        and len(first) <= 3
        and not first.startswith("0")
        and all(len(chunk) == 3 and chunk.isdigit() for chunk in rest)
    )


def _ambiguous(raw: str, language: str | None) -> str:
    """The message of a grouping mark used where it cannot group: both readings, when there
    are two (one mark between digits, as “1.25”), else the page's rules."""
    decimal, group = number_marks(language)
    sign = "-" if raw[0] in "-\u2212" else ""
    parts = raw.lstrip("+-\u2212").split(group)
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return _refusal(raw, language)
    return _(
        "“%(value)s” is ambiguous: on this page “%(group)s” separates thousands, in groups "
        "of three digits. Write %(decimal_reading)s for the decimal number, or "
        "%(whole_reading)s for the whole number."
    ) % {
        "value": raw,
        "group": group,
        "decimal_reading": f"{sign}{parts[0]}{decimal}{parts[1]}",
        "whole_reading": f"{sign}{int(parts[0] + parts[1])}",
    }


def _refusal(raw: str, language: str | None) -> str:
    """Not a number as this page writes them; with the page's spelling of the number when
    the text is one as the other language writes them (“1,250.5” on a Vietnamese page)."""
    if not any(character.isdigit() for character in raw):
        return _("“%(value)s” is not a number.") % {"value": raw}
    decimal, group = number_marks(language)
    example = f"1{group}250{decimal}5"
    message = _(
        "“%(value)s” is not a number as this page writes them: thousands are grouped with "
        "“%(group)s” and decimals follow “%(decimal)s”, as in %(example)s."
    ) % {"value": raw, "group": group, "decimal": decimal, "example": example}
    plain, _misplaced = _read(raw, "vi" if decimal == "." else "en")
    if plain and (group in raw.strip("+-\u2212") or decimal in raw):
        spelled = typed_display(Decimal(plain), language)
        message += " " + _("Did you mean %(number)s?") % {"number": spelled}
    return message


def typed_value(text: str, value_type: str, language: str | None) -> str:
    """The plain number typed for an indicator of `value_type` ("" when empty), checked as
    services.parse_value checks it, or ValueError naming the text as typed."""
    plain = typed_number(text, language)
    if not plain:
        return ""
    raw = text.strip(SPACES)
    decimal, group = number_marks(language)
    whole, _mark, fraction = plain.partition(".")
    if (
        len(fraction) == 3
        and group not in raw
        and not any(space in raw for space in SPACES)
        and 1 <= len(whole.lstrip("-")) <= 3
        and not whole.lstrip("-").startswith("0")
    ):
        # “1,250” on a Vietnamese page: 1.25 by its rules, 1250 as English writes it.
        values = {
            "value": raw,
            "decimal": decimal,
            "grouped": f"{whole}{group}{fraction}",
            "plain": whole + fraction,
            "padded": f"{raw}0",
        }
        if value_type.startswith("INTEGER"):
            message = _(
                "“%(value)s” is not a whole number: on this page “%(decimal)s” marks "
                "decimals. Write %(grouped)s or %(plain)s for the whole number."
            )
        else:
            message = _(
                "“%(value)s” is ambiguous: on this page “%(decimal)s” marks decimals, but "
                "three digits after it read as thousands elsewhere. Write %(grouped)s or "
                "%(plain)s for the whole number, or %(padded)s for the decimal number."
            )
        raise ValueError(message % values)
    parse_value(plain, value_type, shown=raw)
    return plain


def typed_as_shown(typed: str | None, stored: Decimal | None, language: str | None) -> bool:
    """Whether `typed` is a stored value left as the page showed it: kept as stored, not
    read again (“1,125” shown for 1.125 would read as ambiguous)."""
    return stored is not None and (typed or "").strip(SPACES) == typed_display(stored, language)


def typed_display(value: Decimal, language: str | None) -> str:
    """A stored value as the page writes it: 1.250,5 in Vietnamese, 1,250.5 in English
    (every digit kept, no trailing zeros)."""
    decimal, group = number_marks(language)
    plain = plain_decimal(value)
    sign = "-" if plain.startswith("-") else ""
    whole, _mark, fraction = plain.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    grouped = group.join([whole, *groups])
    return f"{sign}{grouped}{decimal + fraction if fraction else ''}"


class TypedNumberField(forms.DecimalField):
    """A form's number typed as the page's language writes it, shown the same way (the
    administration's targets and thresholds); a text input, not the browser's number one."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            plain = typed_number(str(value), get_language())
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error
        return super().to_python(plain) if plain else None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return typed_display(value, get_language())
        return value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs["inputmode"] = "decimal"
        return attrs
