"""Money as the portal stores it: Decimal, 14 digits with 2 decimals."""

MONEY = {"max_digits": 14, "decimal_places": 2}
