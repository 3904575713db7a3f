from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Django's backend, loading the signed-in user's department in the same query: the
    navigation and the desks show it on every page."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("department")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
