"""Approving an assessment: the frozen record, both documents in both languages with their
sign-off page, signed, and stored with the approval in one transaction.

1. The approver is checked, and the record built with the approval's time and statement;
   its SHA-256 goes on the sign-off page.
2. The board summary and the full report are rendered in English and Chinese (in
   parallel: each render is a child process) and signed with the installation's key.
   Nothing is written yet: a render or a signature that fails leaves the assessment in
   review, with the reason.
3. In one short transaction, under the assessment's lock, ``workflow.record_approval``
   rebuilds the record: if anything in it changed since step 1 (an answer, a comment, the
   state: someone else approved, returned or reopened it meanwhile) nothing is stored;
   otherwise the approval, its event and the four signed documents are committed together,
   and the respondents' e-mails go out after the commit.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.assessments import workflow
from compliance.assessments.models import Approval, Assessment

from . import signing
from .models import SignedReport
from .pdf import BOARD, FULL, RenderError, prepare, write_pdf
from .presentation import make_signoff

logger = logging.getLogger(__name__)

#: The documents an approval signs: (kind, language).
DOCUMENTS = [(kind, code) for kind in (BOARD, FULL) for code, _name in settings.LANGUAGES]


class ApprovalFailed(Exception):
    """The reports could not be rendered or signed: nothing was approved."""


@dataclass(frozen=True)
class _Document:
    kind: str
    language: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def approve(
    assessment: Assessment, user, membership, statement: str, *, site: str = ""
) -> Approval:
    """Approve ``assessment`` as ``user``; raises ``PermissionDenied``, ``Conflict``,
    ``ValidationError`` or ``ApprovalFailed`` with nothing changed."""
    statement = workflow.clean_text(statement, required=True, what=_("The statement"))
    assessment = Assessment.objects.select_related("organisation", "version__questionnaire").get(
        pk=assessment.pk
    )
    workflow.check_approver(assessment, user, membership)
    approved_at = timezone.now().replace(microsecond=0)
    _text, sha = workflow.build_record(assessment, user, approved_at, statement)
    pending = Approval(
        assessment=assessment,
        approved_by=user,
        approved_at=approved_at,
        statement=statement,
        record_sha256=sha,
        site=site,
    )
    verify_url = site + reverse("verify")
    try:
        signoff = make_signoff(assessment, pending, verify_url)
    except signing.SigningError as error:
        raise _signing_failed(assessment, error) from error
    documents = _signed_documents(assessment, signoff, approved_at)
    with transaction.atomic():
        approval = workflow.record_approval(
            assessment,
            user,
            membership,
            approved_at=approved_at,
            statement=statement,
            record_sha256=sha,
            site=site,
        )
        SignedReport.objects.bulk_create(
            SignedReport(
                approval=approval,
                kind=document.kind,
                language=document.language,
                data=document.data,
                size=len(document.data),
                sha256=document.sha256,
            )
            for document in documents
        )
    logger.info("Assessment %s approved by user %s, record %s", assessment.uuid, user.pk, sha)
    return approval


def _signed_documents(assessment: Assessment, signoff, approved_at) -> list[_Document]:
    # The HTML is made here (Django, one thread); the renders and signatures in parallel.
    prepared = []
    for kind, language in DOCUMENTS:
        html = prepare(assessment, language, None, kind, signoff=signoff).html
        prepared.append((kind, language, html))
    reason = _("Approval of the assessment “%(title)s”") % {"title": assessment.title}

    def produce(item) -> _Document:
        kind, language, html = item
        pdf = write_pdf(html)
        signed = signing.sign_pdf(
            pdf,
            reason=reason,
            location=assessment.organisation.name,
            contact=signoff.verify_url,
        )
        return _Document(kind, language, signed)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(produce, prepared))
    except RenderError as error:
        logger.error("Approval of %s: render failed: %s", assessment.uuid, error.detail or error)
        raise ApprovalFailed(
            _("The reports could not be rendered, so nothing was approved: %(reason)s")
            % {"reason": error}
        ) from error
    except signing.SigningError as error:
        raise _signing_failed(assessment, error) from error


def _signing_failed(assessment: Assessment, error: Exception) -> ApprovalFailed:
    logger.error("Approval of %s: signing failed: %s", assessment.uuid, error)
    return ApprovalFailed(
        _("%(reason)s Nothing was approved: the assessment stays in review.")
        % {"reason": str(error).rstrip(".") + "."}
    )


def signed_report(assessment: Assessment, kind: str, language: str) -> SignedReport | None:
    """The signed document of the assessment's current approval."""
    return (
        SignedReport.objects.filter(
            approval__assessment=assessment,
            approval__withdrawn_at__isnull=True,
            kind=kind,
            language=language,
        )
        .defer("data")
        .first()
    )
