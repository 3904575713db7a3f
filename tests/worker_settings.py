"""Settings for a Celery worker started by a test: the portal's, with mail kept as files."""

from django.conf import global_settings

from agency.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.mailbox.EmailBackend"

# Accounts made by the tests carry the fast hasher the tests use; the servers a test
# starts sign them in.
PASSWORD_HASHERS = [
    *(vars().get("PASSWORD_HASHERS") or global_settings.PASSWORD_HASHERS),
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
