"""The user's chosen language follows them from device to device."""

from django.utils import translation


class PreferredLanguageMiddleware:
    """After authentication: a signed-in user's saved language wins over the cookie and
    the browser's Accept-Language (which LocaleMiddleware used for everyone else)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user and user.is_authenticated else ""
        if language and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
