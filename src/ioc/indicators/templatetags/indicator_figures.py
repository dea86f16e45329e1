"""Figures in the language's format: 1.234,5 in Vietnamese, 1,234.5 in English."""

from django import template

from ioc.indicators.models import readable_decimal

register = template.Library()


@register.filter
def figure(value, decimals=0):
    """A value with the indicator's decimals and thousands grouped; "—" when missing."""
    if value is None or value == "":
        return "—"
    return readable_decimal(value, decimal_pos=int(decimals))
