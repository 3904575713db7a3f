import secrets

from django.db import transaction

from .models import User


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def calendar_token_replace(*, user: User) -> str:
    """A new secret for the person's calendar feed address; the old address stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
