import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher costs about half a second a hash on this hardware.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ae(db):
    return UserFactory(role="ae", full_name="Chen Jing", email="chen.jing@agency.example")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="admin", full_name="Wang Lei", email="admin@agency.example")
