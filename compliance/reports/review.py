"""The reviewer's pages: the review of a submitted assessment (its answers, comments,
what changed since it was returned), and the actions: start the review, comment, return
for changes, approve; an owner's withdrawal of an approval.

Another organisation's assessment is a 404 (the access rule); a role that may not act a
403; an assessment no longer in a state that allows the action a 409 with the reason;
bad input a 400 with the page shown again, what was typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compliance.assessments import workflow
from compliance.assessments.models import AssessmentEvent, ReviewComment
from compliance.assessments.selectors import assessment_or_404
from compliance.notifications.services import Origin
from compliance.questionnaires.models import Question

from .approval import ApprovalFailed, approve
from .presentation import build_report


def default_statement() -> str:
    return _(
        "I confirm that this assessment reflects the company's internal compliance "
        "programme for export control as it stood when it was submitted, that I have "
        "reviewed its answers and the evidence cited, and that I approve it."
    )


def _changes_since_return(assessment, report) -> tuple[object, list, list]:
    """The last return, the questions whose answers changed since, and the comments
    resolved since."""
    returned = (
        AssessmentEvent.objects.filter(assessment=assessment, kind=AssessmentEvent.Kind.RETURNED)
        .order_by("-at", "-pk")
        .first()
    )
    if returned is None:
        return None, [], []
    changed = [
        row
        for section in report.sections
        for row in section.questions
        if row.answer is not None and row.answer.updated_at > returned.at
    ]
    resolved = [
        comment
        for comment in ReviewComment.objects.filter(
            assessment=assessment, resolved_at__gt=returned.at
        ).select_related("question", "resolved_by")
    ]
    return returned, changed, resolved


def _page(
    request: HttpRequest,
    assessment,
    membership,
    *,
    errors: dict | None = None,
    data: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    report = build_report(assessment)
    comments = list(
        ReviewComment.objects.filter(assessment=assessment)
        .select_related("question", "author", "resolved_by")
        .order_by("created_at", "pk")
    )
    by_question: dict[int | None, list] = {}
    for comment in comments:
        by_question.setdefault(comment.question_id, []).append(comment)
    for section in report.sections:
        for row in section.questions:
            row.review_comments = by_question.get(row.question.pk, [])
    refusal = ""
    try:
        workflow.check_approver(assessment, request.user, membership)
    except (PermissionDenied, workflow.Conflict) as error:
        refusal = str(error)
    returned, changed, resolved = _changes_since_return(assessment, report)
    return render(
        request,
        "reports/review.html",
        {
            "assessment": assessment,
            "membership": membership,
            "report": report,
            "comments": comments,
            "general_comments": by_question.get(None, []),
            "open_count": sum(1 for comment in comments if comment.is_open),
            "approval_refusal": refusal,
            "returned": returned,
            "changed": changed,
            "resolved": resolved,
            "errors": errors or {},
            "data": data or {},
            "statement": (data or {}).get("statement", default_statement()),
        },
        status=status,
    )


def _refused(request: HttpRequest, assessment, error: Exception) -> HttpResponse:
    return render(
        request,
        "assessments/refused.html",
        {"assessment": assessment, "message": str(error)},
        status=409,
    )


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_safe
def review(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    workflow.require_reviewer(membership)
    if not assessment.awaiting_review:
        return redirect("assessment_overview", assessment.uuid)
    return _page(request, assessment, membership)


@login_required
@require_POST
def start(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    try:
        workflow.start_review(assessment, request.user, membership)
    except workflow.Conflict as error:
        return _refused(request, assessment, error)
    messages.success(request, _("The review has started."))
    return redirect("assessment_review", assessment.uuid)


@login_required
@require_POST
def comment(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    workflow.require_reviewer(membership)
    body = request.POST.get("body", "")
    code = request.POST.get("question", "")
    question = None
    if code:
        question = Question.objects.filter(version=assessment.version, code=code).first()
        if question is None:
            return _page(
                request,
                assessment,
                membership,
                errors={"comment": _("That question is not part of this assessment.")},
                data={"body": body},
                status=400,
            )
    try:
        added = workflow.add_comment(assessment, request.user, membership, body, question)
    except workflow.Conflict as error:
        return _refused(request, assessment, error)
    except ValidationError as error:
        return _page(
            request,
            assessment,
            membership,
            errors={"comment": _message(error), "comment_question": code},
            data={"body": body, "question": code},
            status=400,
        )
    messages.success(request, _("Comment added."))
    anchor = f"#q-{question.code}" if question else f"#comment-{added.pk}"
    return redirect(request.path.rsplit("comment/", 1)[0] + anchor)


@login_required
@require_POST
def return_for_changes(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    note = request.POST.get("note", "")
    try:
        workflow.return_for_changes(
            assessment, request.user, membership, note, site=Origin.of(request).site
        )
    except workflow.Conflict as error:
        return _refused(request, assessment, error)
    except ValidationError as error:
        return _page(
            request,
            assessment,
            membership,
            errors={"return": _message(error)},
            data={"note": note},
            status=400,
        )
    messages.success(request, _("Returned for changes: the respondents have been told."))
    return redirect("assessment_overview", assessment.uuid)


@login_required
@require_POST
def approve_view(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    workflow.require_reviewer(membership)
    statement = request.POST.get("statement", "")
    try:
        approve(assessment, request.user, membership, statement, site=Origin.of(request).site)
    except workflow.Conflict as error:
        return _refused(request, assessment, error)
    except ValidationError as error:
        return _page(
            request,
            assessment,
            membership,
            errors={"approve": _message(error)},
            data={"statement": statement},
            status=400,
        )
    except ApprovalFailed as error:
        return _page(
            request,
            assessment,
            membership,
            errors={"approve": str(error)},
            data={"statement": statement},
            status=503,
        )
    messages.success(request, _("Approved: the reports are signed and the assessment is final."))
    return redirect("assessment_results", assessment.uuid)


@login_required
@require_POST
def withdraw(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    try:
        workflow.withdraw_approval(
            assessment, request.user, membership, request.POST.get("reason", "")
        )
    except workflow.Conflict as error:
        return _refused(request, assessment, error)
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect("assessment_overview", assessment.uuid)
    messages.success(request, _("The approval is withdrawn: the assessment is in review again."))
    return redirect("assessment_overview", assessment.uuid)
