"""Money as the portal shows it: two decimals and thousands separated by commas, behind the
currency's symbol in the reader's language (Babel's: ¥ in Chinese, CN¥ in English, US$ or
$). A plain format, because pages like collections show hundreds of amounts and Django's
localised floatformat costs tens of microseconds apiece; the symbol is looked up once per
currency and language."""

from decimal import Decimal
from functools import lru_cache

from babel.numbers import get_currency_symbol
from django import template
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=32)
def currency_symbol(currency: str, language: str) -> str:
    locale = "zh_Hans_CN" if language.lower().startswith("zh") else "en"
    return get_currency_symbol(currency, locale=locale)


@register.filter
def money(value, currency=None):
    """`{{ amount|money }}` as 1,234.50; `{{ amount|money:"USD" }}` as $1,234.50."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return ""
    if not currency:
        return f"{amount:,.2f}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency_symbol(currency, get_language() or 'en')}{abs(amount):,.2f}"


@register.filter
def grouped(value):
    """A count with its thousands marked, as money is: 17,220."""
    if value in (None, ""):
        return ""
    return f"{int(value):,}"


@register.filter
def rate(value):
    """An exchange rate with the decimals it has: 7.1, not 7.100000."""
    if value in (None, ""):
        return ""
    return f"{Decimal(value).normalize():f}"
