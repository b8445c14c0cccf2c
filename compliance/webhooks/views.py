"""The owners' webhook pages: endpoints, and each endpoint's deliveries with "send
again". Other members get a 403, outsiders a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.organisations.selectors import membership_or_404, require_owner

from . import outbox
from .forms import EndpointForm, EndpointSettingsForm
from .models import Delivery, Endpoint, Event, new_secret


def _owner(request, organisation):
    membership = membership_or_404(request.user, organisation)
    require_owner(membership)
    return membership


def _endpoint(membership, endpoint) -> Endpoint:
    found = Endpoint.objects.filter(organisation=membership.organisation, uuid=endpoint).first()
    if found is None:
        raise Http404(_("No such endpoint."))
    return found


@login_required
def endpoint_list(request: HttpRequest, organisation: str) -> HttpResponse:
    membership = _owner(request, organisation)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = Endpoint.objects.create(
            organisation=membership.organisation,
            url=form.cleaned_data["url"],
            events=sorted(form.cleaned_data["events"]),
            created_by=request.user,
        )
        messages.success(request, _("Added the endpoint. Its secret is on its page."))
        return redirect("webhook_endpoint", organisation, endpoint.uuid)
    endpoints = Endpoint.objects.filter(organisation=membership.organisation)
    return render(
        request,
        "webhooks/endpoints.html",
        {"membership": membership, "form": form, "endpoints": endpoints},
    )


@login_required
def endpoint_detail(request: HttpRequest, organisation: str, endpoint: str) -> HttpResponse:
    membership = _owner(request, organisation)
    found = _endpoint(membership, endpoint)
    form = EndpointSettingsForm(
        request.POST or None, initial={"events": found.events, "active": found.active}
    )
    if request.method == "POST" and form.is_valid():
        found.events = sorted(form.cleaned_data["events"])
        found.active = form.cleaned_data["active"]
        found.save(update_fields=["events", "active"])
        messages.success(request, _("Saved the endpoint's settings."))
        return redirect("webhook_endpoint", organisation, found.uuid)
    page = Paginator(Delivery.objects.filter(endpoint=found), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/endpoint.html",
        {"membership": membership, "endpoint": found, "form": form, "page": page},
    )


@login_required
@require_POST
def endpoint_secret(request: HttpRequest, organisation: str, endpoint: str) -> HttpResponse:
    """A new secret: every delivery from now on, the ones waiting included, is signed with
    it; the old one no longer checks."""
    membership = _owner(request, organisation)
    found = _endpoint(membership, endpoint)
    Endpoint.objects.filter(pk=found.pk).update(secret=new_secret())
    messages.success(
        request, _("Made a new secret. Give it to the receiver: the old one no longer checks.")
    )
    return redirect("webhook_endpoint", organisation, found.uuid)


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, organisation: str, endpoint: str) -> HttpResponse:
    membership = _owner(request, organisation)
    found = _endpoint(membership, endpoint)
    found.delete()
    messages.success(request, _("Removed the endpoint %(url)s.") % {"url": found.url})
    return redirect("webhook_endpoints", organisation)


@login_required
@require_POST
def endpoint_ping(request: HttpRequest, organisation: str, endpoint: str) -> HttpResponse:
    membership = _owner(request, organisation)
    found = _endpoint(membership, endpoint)
    with transaction.atomic():
        outbox.queue_to(found, Event.PING, {"message": "A test event."})
    messages.success(request, _("Sent a test event."))
    return redirect("webhook_endpoint", organisation, found.uuid)


@login_required
@require_POST
def delivery_resend(
    request: HttpRequest, organisation: str, endpoint: str, delivery: str
) -> HttpResponse:
    membership = _owner(request, organisation)
    found = _endpoint(membership, endpoint)
    row = Delivery.objects.filter(endpoint=found, uuid=delivery).first()
    if row is None:
        raise Http404(_("No such delivery."))
    with transaction.atomic():
        outbox.send_again(row)
    messages.success(request, _("The delivery is being sent again."))
    return redirect("webhook_endpoint", organisation, found.uuid)
