"""Account pages: the language switch, the lockout page; login, logout and passwords
are Django's own views (see urls.py); sign-up makes an organisation too, so it is the
organisations app's."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import i18n
from django.views.decorators.http import require_POST


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the user's account."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout page: what happened and when to try again, in the user's language."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


#: django-axes stores the identity in a column of this size (AccessAttempt.username).
IDENTITY_LENGTH = 255


def login_identity(request: HttpRequest, credentials: dict | None) -> str:
    """The account a login attempt is for, as django-axes counts failures: case-insensitive,
    so that "Alice@example.com" and "alice@example.com" share one counter. Cut to the size
    of axes' column: the admin's login form passes any length (PostgreSQL would refuse it)."""
    source = credentials if credentials is not None else request.POST
    return str(source.get("username") or "").strip().lower()[:IDENTITY_LENGTH]
