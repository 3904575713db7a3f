"""Settings for a Celery worker started by a test: the portal's, with mail kept as files."""

from agency.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.mailbox.EmailBackend"
