"""Sign-up; login, logout and passwords are Django's own views (see urls.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from compliance.notifications.services import MailLimitReached, MailNotSent
from compliance.organisations import services

from .forms import SignUpForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the user's account."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_sign_up(
                email=data["email"],
                password=data["password1"],
                organisation_name=data["organisation"],
                sector=data["sector"],
                country=data["country"],
                request=request,
            )
        except (MailLimitReached, MailNotSent) as error:
            form.add_error(None, str(error))
        else:
            return render(request, "registration/signup_done.html", {"email": data["email"]})
    return render(request, "registration/signup.html", {"form": form})


@require_safe
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link of a sign-up e-mail: the account is activated and signed in."""
    user = services.activate(uidb64, token)
    if user is None:
        return render(request, "registration/activation_invalid.html", status=400)
    login(request, user, backend=BACKEND)
    messages.success(request, _("Your account is ready. Welcome."))
    return redirect("assessment_dashboard")


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
