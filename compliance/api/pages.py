"""The organisation's API tokens page: owners make tokens (each shown once), see when
each was last used, and revoke them. Other members get a 403, outsiders a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.organisations.selectors import membership_or_404, require_owner

from . import tokens
from .forms import TokenForm
from .models import ApiToken

#: Where a new token's text waits, in the server-side session, for the one page that
#: shows it (after the redirect, so that reloading that page makes no second token).
MADE = "api_token_made"


@login_required
def token_list(request: HttpRequest, organisation: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    require_owner(membership)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = tokens.make_token(
                membership.organisation,
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[MADE] = {"token": str(made.token.uuid), "text": made.text}
            return redirect("organisation_api_tokens", organisation)
    listed = list(
        ApiToken.objects.filter(organisation=membership.organisation)
        .select_related("created_by", "revoked_by")
        .order_by("-created_at", "-pk")
    )
    made = request.session.pop(MADE, None) if request.method == "GET" else None
    shown = None
    if made:
        shown = next((t for t in listed if str(t.uuid) == made["token"]), None)
    response = render(
        request,
        "api/tokens.html",
        {
            "membership": membership,
            "form": form,
            "made": {"token": shown, "text": made["text"]} if shown else None,
            "tokens": listed,
            "now": timezone.now(),
        },
    )
    # The page that shows a token's text once is kept by no cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, organisation: str, api_token: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    require_owner(membership)
    found = ApiToken.objects.filter(organisation=membership.organisation, uuid=api_token).first()
    if found is None:
        raise Http404(_("No such token."))
    if tokens.revoke(found, request.user):
        messages.success(
            request, _("Revoked “%(name)s”: it no longer works.") % {"name": found.name}
        )
    else:
        messages.info(request, _("“%(name)s” was revoked already.") % {"name": found.name})
    return redirect("organisation_api_tokens", organisation)
