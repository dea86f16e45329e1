"""Figures in the language's format: 1.234,5 in Vietnamese, 1,234.5 in English."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value, decimals=0):
    """A value with the indicator's decimals and thousands grouped; "—" when missing."""
    if value is None or value == "":
        return "—"
    return number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
