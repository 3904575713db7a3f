from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import permissions
from .roles import Role


class Department(models.Model):
    """A department of the agency. Its name is kept in English and, for those who read the
    portal in Chinese, in Chinese; it shows in the reader's language."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh_hans = models.CharField(
        _("name in Chinese"),
        max_length=100,
        blank=True,
        help_text=_("Shown to those who read the portal in Chinese, e.g. 创意部."),
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short name used in job numbers and filters, e.g. creative."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language."""
        if self.name_zh_hans and (translation.get_language() or "").startswith("zh"):
            return self.name_zh_hans
        return self.name


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def account_executives(self):
        return self.filter(role=Role.AE)

    def account_directors(self):
        return self.filter(role=Role.ACCOUNT_DIRECTOR)

    def for_account_teams(self):
        """The people who may be put on a client's account team."""
        return self.active().filter(role__in=permissions.ACCOUNT_TEAM_ROLES)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # People type their email in any case; it is stored in lower case.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=email.strip().lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person of the agency. The role decides what they may see and do (teams/permissions.py);
    the rates price their time on projects."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    cost_rate = models.DecimalField(
        _("cost rate per hour"),
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text=_("What an hour of this person costs the agency, in CNY."),
    )
    bill_rate = models.DecimalField(
        _("bill rate per hour"),
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text=_("What an hour of this person is billed to clients, in CNY."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the interface; empty follows the browser."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive people cannot sign in. Deactivate instead of deleting."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The secret in the address of the person's calendar feed, which calendar apps fetch
    # without signing in; replacing it turns the old address off.
    calendar_token = models.CharField(
        _("calendar feed key"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message=_("Someone already signs in with this email address."),
            ),
            models.CheckConstraint(
                condition=models.Q(cost_rate__gte=0) & models.Q(bill_rate__gte=0),
                name="user_rates_not_negative",
                violation_error_message=_("Rates cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    # Django's admin asks these; the role answers them.
    @property
    def is_staff(self):
        return permissions.can_use_admin(self)

    @property
    def is_superuser(self):
        return permissions.can_use_admin(self)

    def has_perm(self, perm, obj=None):
        return permissions.can_use_admin(self)

    def has_perms(self, perm_list, obj=None):
        return permissions.can_use_admin(self)

    def has_module_perms(self, app_label):
        return permissions.can_use_admin(self)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email
