"""The account's reminder settings: which kinds of reminder a user receives."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ReminderSettingsForm


@login_required
@require_http_methods(["GET", "POST"])
def reminders(request: HttpRequest) -> HttpResponse:
    # Not ``request.POST or None``: with every box unticked nothing else is posted.
    posted = request.POST if request.method == "POST" else None
    form = ReminderSettingsForm(posted, user=request.user, prefix="reminders")
    if posted is not None and form.is_valid():
        form.save()
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("account_reminders")
    return render(request, "notifications/reminders.html", {"form": form})
