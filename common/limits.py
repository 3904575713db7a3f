"""What the portal takes as a plausible amount and date, in one place: the forms refuse
anything else next to the field, and the services refuse it again through the models'
validators, so no page, import or script stores a cost of a hundred billion or a project
from the year 1.

Both limits are settings: PORTAL_MAX_AMOUNT (per entry, default 1,000,000,000),
PORTAL_EARLIEST_YEAR (default 2000) and PORTAL_YEARS_AHEAD (default 5)."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


def max_amount() -> Decimal:
    return Decimal(settings.PORTAL_MAX_AMOUNT)


def date_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last day a date typed into the portal may fall on."""
    today = today or timezone.localdate()
    last_year = min(today.year + settings.PORTAL_YEARS_AHEAD, datetime.MAXYEAR)
    try:
        last = today.replace(year=last_year)
    except ValueError:  # 29 February
        last = today.replace(year=last_year, day=28)
    return datetime.date(settings.PORTAL_EARLIEST_YEAR, 1, 1), last


@deconstructible
class AmountLimit:
    """An entered amount, positive or negative, within PORTAL_MAX_AMOUNT."""

    code = "amount_limit"

    def __call__(self, value):
        if value is not None and abs(value) > max_amount():
            raise ValidationError(
                _("Enter an amount of at most %(limit)s.") % {"limit": f"{max_amount():,.2f}"},
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, AmountLimit)


@deconstructible
class PlausibleDate:
    """A typed date inside the window of date_window()."""

    code = "implausible_date"

    def __call__(self, value):
        if value is None:
            return
        first, last = date_window()
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not first <= value <= last:
            raise ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": first.isoformat(), "last": last.isoformat()},
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, PlausibleDate)


# Characters no one types: NUL and the other C0 controls but tab, line feed and carriage
# return, and DEL. PostgreSQL refuses NUL in text; the rest would break an email header or
# a spreadsheet cell.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@deconstructible
class NoControlCharacters:
    code = "control_characters"

    def __call__(self, value):
        if value and CONTROL_CHARACTERS.search(str(value)):
            raise ValidationError(
                _("Remove the control characters (such as NUL) from this text."), code=self.code
            )

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters)
