"""The public verification page: is this PDF an unaltered approved report of this
installation, and of which assessment?

An auditor uploads the PDF (or pastes its SHA-256). A SHA-256 of one of the signed
reports on record answers with the assessment, organisation, document, approval date and
approver (and whether the approval was withdrawn); any other answers only "not
recognised", whatever exists, so that the page reveals nothing to someone guessing. For an
uploaded file that is not on record the page also says what its signature shows (changed
after signing, signed by another certificate), which concerns only the file itself.

No login; uses are limited per client address (``VERIFY_LIMIT_PER_HOUR``), uploads to
``VERIFY_MAX_FILE_MB``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from compliance.accounts.addresses import client_address

from . import signing
from .models import SignedReport, VerificationAttempt
from .pdf import BOARD

SHA256 = re.compile(r"^[0-9a-f]{64}$")
WINDOW = timedelta(hours=1)


class VerifyForm(forms.Form):
    document = forms.FileField(label=gettext_lazy("The PDF"), required=False)
    sha256 = forms.CharField(
        label=gettext_lazy("Or its SHA-256"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("64 hexadecimal characters, as sha256sum prints it."),
    )

    def __init__(self, *args, oversized: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = oversized

    def clean_sha256(self) -> str:
        value = re.sub(r"\s+", "", self.cleaned_data.get("sha256", "")).lower()
        if value and not SHA256.match(value):
            raise forms.ValidationError(
                _("A SHA-256 is 64 characters, each 0-9 or a-f."), code="invalid"
            )
        return value

    def clean(self):
        data = super().clean()
        limit = settings.VERIFY_MAX_FILE_BYTES
        document = data.get("document")
        if self.oversized or (document is not None and document.size > limit):
            raise forms.ValidationError(
                _("The file is larger than %(limit)s: no report of this installation is.")
                % {"limit": filesizeformat(limit)}
            )
        if not document and not data.get("sha256"):
            raise forms.ValidationError(_("Choose the PDF, or paste its SHA-256."))
        return data


def _limited(address: str | None) -> bool:
    since = timezone.now() - WINDOW
    VerificationAttempt.objects.filter(at__lt=since - timedelta(days=1)).delete()
    recent = VerificationAttempt.objects.filter(client_address=address, at__gte=since).count()
    return recent >= settings.VERIFY_LIMIT_PER_HOUR


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    outcome = None
    status = 200
    form = VerifyForm()
    if request.method == "POST":
        address = client_address(request) or None
        if _limited(address):
            response = render(
                request,
                "reports/verify.html",
                {"form": form, "limited": True, "max_size": settings.VERIFY_MAX_FILE_BYTES},
                status=429,
            )
            response["Retry-After"] = str(int(WINDOW.total_seconds()))
            return response
        VerificationAttempt.objects.create(client_address=address)
        form = VerifyForm(
            request.POST,
            request.FILES,
            oversized=bool(getattr(request, "oversized_uploads", None)),
        )
        if form.is_valid():
            outcome = _outcome(form.cleaned_data)
            form = VerifyForm()
        else:
            status = 400
    return render(
        request,
        "reports/verify.html",
        {"form": form, "outcome": outcome, "max_size": settings.VERIFY_MAX_FILE_BYTES},
        status=status,
    )


def _outcome(data: dict) -> dict:
    document = data.get("document")
    content = b""
    if document is not None:
        content = b"".join(document.chunks())
        sha = hashlib.sha256(content).hexdigest()
    else:
        sha = data["sha256"]
    found = (
        SignedReport.objects.filter(sha256=sha)
        .select_related("approval__assessment__organisation", "approval__approved_by")
        .defer("data")
        .first()
    )
    if found is not None:
        approval = found.approval
        approver = approval.approved_by
        return {
            "recognised": True,
            "sha256": sha,
            "assessment": approval.assessment,
            "organisation": approval.assessment.organisation,
            "document": _("Board summary") if found.kind == BOARD else _("Full report"),
            "language": dict(settings.LANGUAGES).get(found.language, found.language),
            "approved_at": approval.approved_at,
            "approver": (approver.get_full_name() or approver.email) if approver else "–",
            "record_sha256": approval.record_sha256,
            "withdrawn_at": approval.withdrawn_at,
        }
    result = {"recognised": False, "sha256": sha, "signature": None}
    if content:
        check = signing.check_signature(content)
        if check.signed:
            if not (check.intact and check.covers_whole_file):
                result["signature"] = "altered"
            elif check.trusted:
                result["signature"] = "ours"
            else:
                result["signature"] = "other"
    return result
