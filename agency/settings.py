"""The portal's one settings file: every value that differs between machines comes from
the environment, with defaults that are safe for a local run.

Production sets at least DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
EMAIL_URL and DJANGO_HTTPS=1 (see README.md).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (make run generates one for local use).")
    SECRET_KEY = "insecure-local-only"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "pgtrigger",
    "pghistory",
    "common",
    "agency",
    "teams",
    "notifications",
    "accounts",
    "projects",
    "budgets",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.PrivatePages",
    # Before the session and the user are read: see common.pagecache.
    "common.pagecache.PageCacheSnapshot",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "teams.middleware.UserLanguageMiddleware",
    "common.middleware.RefuseControlCharactersInQuery",
    "common.middleware.SavedAtTheSameMoment",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "common.pagecache.PageCache",
    # Tags the audit history of money objects with the signed-in user and the URL.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of every sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "agency.urls"
WSGI_APPLICATION = "agency.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agency.context_processors.navigation",
            ],
        },
    },
]

# Form widgets are drawn from Django's own Jinja2 copies of its widget templates: the same
# markup, at a fraction of the cost on pages with many fields and choices (list filters).
FORM_RENDERER = "common.renderers.WidgetRenderer"

# Database: PostgreSQL only, in tests as in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://aeportal@127.0.0.1:5432/aeportal"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Drawn pages, kept in each web worker's memory and served again to the same person while
# the database has committed nothing new (common.pagecache). DJANGO_PAGE_CACHE=0 turns it
# off, to measure what drawing a page costs.
PAGE_CACHE = env.bool("DJANGO_PAGE_CACHE", default=True)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        # A key holds for a minute at most (it names the minute it was drawn in).
        "TIMEOUT": 120,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}

# Users and sign-in.
AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "teams.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "teams:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "teams:login"
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

# Five failed sign-ins for the same email from the same address lock that pair out for
# fifteen minutes, whether or not the email belongs to a user.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# The audit history names who changed a row and where, through the middleware's context. A GET
# never writes, so only the methods that do are tagged: a tag costs every query of a request
# a set_config statement before it.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# HTTPS: on in production (DJANGO_HTTPS=1), off for local runs, tests and the benchmark.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Only the portal's own files run, style and load: no inline script or style (not even an
# attribute), no other site; htmx talks to the portal alone. Pages answer with this header
# whatever they are, and the browser tests fail on the console error a breach would give.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        # Bootstrap draws its form arrows and check marks as data: SVG images.
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    }
}

# Language and time.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# Static files, served by whitenoise; the vendored libraries live in static/vendor/.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the portal keeps (documents as sent, attachments), through Django's storage API: a
# local folder by default (make run keeps it in its state directory), or an S3-compatible
# bucket when PORTAL_S3_BUCKET is set (with django-storages[s3] installed; README.md).
MEDIA_ROOT = env.path("PORTAL_FILES_DIR", default=BASE_DIR / "files")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.str("PORTAL_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("PORTAL_S3_BUCKET"),
            "endpoint_url": env.str("PORTAL_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("PORTAL_S3_REGION", default="") or None,
            "access_key": env.str("PORTAL_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("PORTAL_S3_SECRET_KEY", default="") or None,
            # Files are private: every download goes through the portal's scoped views.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Attachments: the largest file taken, and the types taken, as read from the file's content.
ATTACHMENT_MAX_BYTES = env.int("PORTAL_ATTACHMENT_MAX_MB", default=25) * 1024 * 1024
ATTACHMENT_TYPES = env.list(
    "PORTAL_ATTACHMENT_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
        "video/mp4",
    ],
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default; make run writes mail to files, production sets an SMTP URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG.get("EMAIL_FILE_PATH"):
    # django-environ reads filemail:///var/mail as the relative path var/mail.
    EMAIL_FILE_PATH = "/" + EMAIL_CONFIG["EMAIL_FILE_PATH"].lstrip("/")
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="AE Portal <noreply@aeportal.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in emails point.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")

# Celery, on Redis. The worker acknowledges a task only once it has finished, and a task
# whose worker died is handed back to the queue.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# The sweep may have thousands of reminders to deliver after an outage.
REMINDER_SWEEP_TIME_LIMIT = 20 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest task, so that an unacknowledged task is not handed out twice.
    "visibility_timeout": 60 * 60,
    # A request that queues a task gives up on an unreachable broker within about a second:
    # what it saved stands, and the reminder sweep sends what could not be queued.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# Exactly one beat process runs per deployment; it only queues these, any worker runs them.
# A tick that falls due while the broker is away is queued as soon as it is back.
CELERY_BEAT_SCHEDULER = "agency.beat:CatchUpScheduler"
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": env.int("REMINDER_SWEEP_SECONDS", default=5 * 60),
    },
    "aging-roll-over": {
        "task": "billing.tasks.roll_over_aging",
        "schedule": crontab(minute=5),
    },
    "budget-review-order": {
        "task": "budgets.tasks.reorder_budget_review",
        "schedule": crontab(minute=10),
    },
    "daily-digest": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=8, minute=0),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools tell every step of every PDF at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# What the portal takes as a plausible entry (common/limits.py): an amount per entry, and
# the window of years a typed date may fall in.
PORTAL_MAX_AMOUNT = env.int("PORTAL_MAX_AMOUNT", default=1_000_000_000)
PORTAL_EARLIEST_YEAR = env.int("PORTAL_EARLIEST_YEAR", default=2000)
PORTAL_YEARS_AHEAD = env.int("PORTAL_YEARS_AHEAD", default=5)
# The currency every total across clients is given in; other currencies are converted at
# the rates finance records.
PORTAL_BASE_CURRENCY = env.str("PORTAL_BASE_CURRENCY", default="CNY")

# How long a client's personal link to approve a document works, in days.
CLIENT_LINK_DAYS = env.int("PORTAL_CLIENT_LINK_DAYS", default=30)

# The agency as its documents to clients (estimates, change orders, invoices) name it, in
# the letterhead and the payment details. PORTAL_AGENCY_LOGO is a static file, an SVG or
# PNG; the Chinese name, address and bank are used on documents in Chinese when they are set.
AGENCY_LETTERHEAD = {
    "name": env.str("PORTAL_AGENCY_NAME", default="Harbour & Reed Advertising"),
    "name_zh": env.str("PORTAL_AGENCY_NAME_ZH", default="港苇广告"),
    "address": env.str(
        "PORTAL_AGENCY_ADDRESS", default="18F, 1000 Middle Huaihai Road, Shanghai 200031"
    ),
    "address_zh": env.str("PORTAL_AGENCY_ADDRESS_ZH", default="上海市淮海中路1000号18楼 200031"),
    "tax_id": env.str("PORTAL_AGENCY_TAX_ID", default="91310000MA1FL0000X"),
    "email": env.str("PORTAL_AGENCY_EMAIL", default="accounts@harbourreed.example"),
    "bank": env.str("PORTAL_AGENCY_BANK", default="Bank of China, Shanghai Huaihai Branch"),
    "bank_zh": env.str("PORTAL_AGENCY_BANK_ZH", default="中国银行上海淮海支行"),
    "bank_account": env.str("PORTAL_AGENCY_BANK_ACCOUNT", default="4375 0000 1234 5678"),
    "swift": env.str("PORTAL_AGENCY_SWIFT", default="BKCHCNBJ300"),
    "logo": env.str("PORTAL_AGENCY_LOGO", default="img/letterhead-logo.svg"),
}
