from django.utils import translation


class UserLanguageMiddleware:
    """Speaks the signed-in user's chosen language; without a choice, LocaleMiddleware's
    pick from the browser stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
