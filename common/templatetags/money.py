"""Money as the portal shows it: two decimals and thousands separated by commas, in both of
its languages. A plain format, because pages like collections show hundreds of amounts and
Django's localised floatformat costs tens of microseconds apiece."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value):
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (ArithmeticError, TypeError, ValueError):
        return ""
