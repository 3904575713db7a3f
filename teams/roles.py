from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AE = "ae", _("Account executive")
    ACCOUNT_DIRECTOR = "account_director", _("Account director")
    FINANCE = "finance", _("Finance")
    STAFF = "staff", _("Department staff")
    ADMIN = "admin", _("Administrator")
