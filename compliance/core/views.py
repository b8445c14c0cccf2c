"""Project-level pages: the home page, the health check, /favicon.ico and the page of a
form refused by the CSRF check."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (settings.CSRF_FAILURE_VIEW): a page of the site, in
    the user's language, that says what to do. Django's own page has an inline <style>,
    which the Content-Security-Policy refuses. Django's middleware logs the reason."""
    return render(request, "403_csrf.html", status=403)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): send them to
    the app's icon instead of a 404. Not permanent: the icon's static name has a hash."""
    response = HttpResponseRedirect(static("favicon.svg"))
    patch_cache_control(response, max_age=86_400)
    return response
