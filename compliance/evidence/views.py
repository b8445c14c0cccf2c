"""The evidence library page, and the one way a stored file leaves the application.

A download applies the access rule (a file of another organisation is a 404; anonymous
users are sent to log in), and answers as an attachment of the type detected at upload,
with ``nosniff`` and a sandboxing Content-Security-Policy, streamed from the storage in
chunks, never read into memory as a whole.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compliance.organisations.selectors import current_membership, require_editor

from . import selectors, services
from .forms import UploadForm
from .storage import evidence_storage

logger = logging.getLogger(__name__)

#: What a downloaded file may do if a browser ever renders it: nothing.
SANDBOX_CSP = "sandbox; default-src 'none'; form-action 'none'; frame-ancestors 'none'"


def posted_upload(request: HttpRequest, store) -> tuple[UploadForm, object | None]:
    """The posted upload form, and the item ``store(title=, files=, document_date=,
    valid_until=)`` made of it; ``None`` when the form or a file was refused (the form
    then says why, and nothing was stored)."""
    form = UploadForm(request.POST, request.FILES, request=request)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    try:
        item = store(
            title=data["title"],
            files=data["files"],
            document_date=data["document_date"],
            valid_until=data["valid_until"],
        )
    except services.Refused as refusal:
        form.add_error("files", str(refusal))
        return form, None
    return form, item


def after_post(request: HttpRequest, to: str) -> HttpResponse:
    """Where a successful post goes: a redirect, or for the upload script (which cannot
    see a redirect without following it, and would use up the message) 204 and the place."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return HttpResponse(status=204, headers={"X-Location": to})
    return redirect(to)


def attachment(stored) -> FileResponse:
    """A stored file as a streamed attachment, under the headers every download carries."""
    try:
        handle = evidence_storage().open(stored.key, "rb")
    except OSError:  # gone from the storage (FileNotFoundError, or the bucket's 404)
        logger.error("Evidence file %s is missing from the storage", stored.key)
        raise Http404(_("This file is missing from the storage.")) from None
    # The length is the stored file's own (FileResponse measures it), not the recorded
    # size: were the bytes ever altered, the answer still ends where they do.
    response = FileResponse(
        handle, as_attachment=True, filename=stored.name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def download(request: HttpRequest, file: str) -> HttpResponse:
    return attachment(selectors.file_or_404(request.user, file))


@login_required
def library(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        messages.info(request, _("Create or join an organisation first."))
        return redirect("organisation_list")
    organisation = membership.organisation
    form = UploadForm()
    if request.method == "POST":
        require_editor(membership)
        form, item = posted_upload(
            request, lambda **data: services.add_item(organisation, request.user, **data)
        )
        if item is not None:
            messages.success(
                request, _("Added “%(title)s” to the library.") % {"title": item.title}
            )
            return after_post(request, reverse("evidence_library"))
    query = request.GET.get("q", "")[:200]
    return render(
        request,
        "evidence/library.html",
        {
            "membership": membership,
            "items": selectors.library(organisation, query),
            "query": query,
            "form": form,
            **selectors.page_dates(),
            "expiring": selectors.expiring(organisation),
            "used": services.used_bytes(organisation),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove(request: HttpRequest, item: str) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return redirect("organisation_list")
    require_editor(membership)
    evidence = selectors.item_or_404(membership.organisation, item)
    if services.remove_item(evidence, request.user):
        messages.success(
            request,
            _("Removed “%(title)s” from the library. Submitted assessments that cite it keep it.")
            % {"title": evidence.title},
        )
    return redirect("evidence_library")
