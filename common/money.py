"""Money as the portal stores it: Decimal, 14 digits with 2 decimals, each document in its
currency; totals that span clients are in the agency's base currency."""

from django.conf import settings

MONEY = {"max_digits": 14, "decimal_places": 2}
# A rate to the base currency as a document keeps it.
RATE = {"max_digits": 14, "decimal_places": 6}


def base_currency() -> str:
    return settings.PORTAL_BASE_CURRENCY
