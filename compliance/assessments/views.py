"""Assessment pages: dashboard, new, overview, section pages, submit, reopen, history.

Every view finds its assessment through ``selectors.assessment_or_404``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from compliance.organisations.selectors import current_membership, require_editor, require_owner
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.selectors import LoadedVersion, load_version
from compliance.scoring import Status

from . import services
from .forms import MAX_TEXT, AnswerForm, NewAssessmentForm, question_display
from .models import Answer
from .scoring import answers_by_code, compute_result
from .selectors import assessment_or_404, assessments_for

DEFAULT_QUESTIONNAIRE = "cn-export-control-icp"


def locked_response(request: HttpRequest, assessment) -> HttpResponse:
    return render(
        request,
        "assessments/locked.html",
        {"assessment": assessment},
        status=400,
    )


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    assessments = []
    if membership:
        assessments = (
            assessments_for(request.user)
            .filter(organisation=membership.organisation)
            .select_related("version__questionnaire", "last_changed_by")
            .order_by("-created_at")
        )
    return render(
        request,
        "assessments/dashboard.html",
        {"membership": membership, "assessments": assessments},
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        messages.info(request, _("Create or join an organisation first."))
        return redirect("organisation_list")
    require_editor(membership)
    organisation = membership.organisation
    default = (
        QuestionnaireVersion.objects.published()
        .filter(questionnaire__slug=DEFAULT_QUESTIONNAIRE)
        .order_by("-number")
        .first()
    )
    form = NewAssessmentForm(
        request.POST or None,
        organisation=organisation,
        initial={"version": default, "title": _("Self-assessment")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assessment = services.create_assessment(
            organisation=organisation,
            version=data["version"],
            title=data["title"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            carry_over_from=data.get("carry_over_from"),
            user=request.user,
        )
        return redirect("assessment_section", assessment.uuid, 1)
    return render(request, "assessments/new.html", {"form": form})


def _progress(content: LoadedVersion, answers: dict, result) -> list[dict]:
    rows = []
    for number, (section, section_result) in enumerate(
        zip(content.sections, result.sections, strict=True), start=1
    ):
        statuses = [q.status for q in section_result.questions]
        applicable = sum(1 for s in statuses if s.applicable)
        answered = sum(1 for s in statuses if s == Status.ANSWERED)
        rows.append(
            {
                "number": number,
                "section": section,
                "answered": answered,
                "applicable": applicable,
                "percent": round(100 * answered / applicable) if applicable else 100,
                "carried_over": sum(
                    1
                    for q in section.questions.all()
                    if q.code in answers and answers[q.code].carried_over
                ),
            }
        )
    return rows


@login_required
@require_safe
def overview(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    content = load_version(assessment.version)
    answers = answers_by_code(assessment)
    return render(
        request,
        "assessments/overview.html",
        {
            "assessment": assessment,
            "membership": membership,
            "progress": _progress(content, answers, compute_result(content, answers)),
            "events": assessment.events.select_related("user"),
        },
    )


@login_required
def section(request: HttpRequest, assessment, n: int) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    content = load_version(assessment.version)
    current = content.section_by_number(n)
    if current is None:
        raise Http404(_("No such section."))
    questions = list(current.questions.all())
    answers = answers_by_code(assessment)
    if request.method == "POST":
        require_editor(membership)
        if not assessment.is_draft:
            return locked_response(request, assessment)
        forms = [
            AnswerForm(request.POST, question=q, answer=answers.get(q.code)) for q in questions
        ]
        valid = [form for form in forms if form.is_valid()]
        try:
            outcome = services.save_answers(
                assessment, [form.to_submitted() for form in valid], request.user, content
            )
        except services.AssessmentLocked:
            return locked_response(request, assessment)
        answers.update(outcome.answers)
        invalid = [form for form in forms if not form.is_valid()]
        if request.htmx:
            return _autosave_response(
                request, assessment, content, current, answers, outcome, invalid
            )
        for code, who in outcome.overwritten:
            messages.warning(
                request,
                _(
                    "“%(question)s” had been changed by %(who)s since you opened the page; "
                    "your answer replaced theirs (theirs is in the question's history)."
                )
                % {"question": content.questions[code].text, "who": _who(who, request.user)},
            )
        for code in outcome.merged:
            messages.info(
                request,
                _(
                    "“%(question)s” had been changed elsewhere since you opened the page, in "
                    "other fields than yours: both changes were kept."
                )
                % {"question": content.questions[code].text},
            )
        if not invalid:
            if outcome.saved:
                messages.success(
                    request,
                    ngettext(
                        "Saved %(count)d answer.", "Saved %(count)d answers.", len(outcome.saved)
                    )
                    % {"count": len(outcome.saved)},
                )
            target = n
            if "save_next" in request.POST and n < len(content.sections):
                target = n + 1
            elif "previous" in request.POST and n > 1:
                target = n - 1
            return redirect("assessment_section", assessment.uuid, target)
        # Errors: keep what was typed, show each error; the valid answers are saved.
        shown = {form.question.code: form for form in forms}
    else:
        forms, shown = [], {}
    items = [question_display(q, answers.get(q.code), shown.get(q.code)) for q in questions]
    result = compute_result(content, answers)
    return render(
        request,
        "assessments/section.html",
        _section_context(
            assessment, membership, content, current, n, items, forms, answers, result
        ),
        status=200,
    )


def _who(user, me) -> str:
    """Who made a change, as a warning names them."""
    if user is None:
        return _("someone")
    if user.pk == me.pk:
        return _("you, in another tab or window")
    return user.email


def _section_context(assessment, membership, content, current, n, items, forms, answers, result):
    section_result = result.sections[n - 1]
    status = {q.code: q.status for q in section_result.questions}
    for item in items:
        item["hidden"] = status[item["question"].code] == Status.HIDDEN
    return {
        "assessment": assessment,
        "membership": membership,
        "section": current,
        "number": n,
        "count": len(content.sections),
        "progress": _progress(content, answers, result),
        "items": items,
        "max_text": MAX_TEXT,
        "error_forms": [form for form in forms if form.errors],
        "overall_percent": round(100 * result.answered / result.applicable)
        if result.applicable
        else 100,
        "result": result,
        "editable": assessment.is_draft and membership.can_edit,
    }


def _autosave_response(request, assessment, content, current, answers, outcome, invalid):
    result = compute_result(content, answers)
    section_result = next(s for s in result.sections if s.code == current.code)
    hidden = {q.code for q in section_result.questions if q.status == Status.HIDDEN}
    response = render(
        request,
        "assessments/_autosave.html",
        {
            "saved": outcome.saved,
            "tokens": outcome.tokens,
            "conditional": [
                (q.code, q.code in hidden) for q in current.questions.all() if q.show_if_question_id
            ],
            "invalid": invalid,
            "overwritten": [
                (content.questions[code].text, _who(who, request.user))
                for code, who in outcome.overwritten
            ],
            "merged": [content.questions[code].text for code in outcome.merged],
        },
    )
    # The page's script reads this to tell a real autosave answer from anything else
    # (a login page after the session ended, an error page).
    response["X-Autosave"] = "invalid" if invalid else "saved"
    return response


@login_required
def submit(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    if not assessment.is_draft:
        if request.method == "POST":
            return locked_response(request, assessment)
        return redirect("assessment_overview", assessment.uuid)
    missing = services.missing_items(assessment)
    if request.method == "POST":
        require_editor(membership)
        try:
            services.submit(assessment, request.user)
        except services.IncompleteAssessment as error:
            missing = error.missing
        except services.AssessmentLocked:
            return locked_response(request, assessment)
        else:
            messages.success(request, _("Submitted. The answers and the result are now frozen."))
            return redirect("assessment_overview", assessment.uuid)
    return render(
        request,
        "assessments/submit.html",
        {"assessment": assessment, "membership": membership, "missing": missing},
    )


@login_required
@require_POST
def reopen(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    require_owner(membership)
    note = request.POST.get("note", "")[:2000]
    if "\x00" in note:
        messages.error(request, _("The note cannot contain a NUL character."))
        return redirect("assessment_overview", assessment.uuid)
    try:
        services.reopen(assessment, request.user, note=note)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Reopened: the assessment can be edited again."))
    return redirect("assessment_overview", assessment.uuid)


@login_required
@require_safe
def history(request: HttpRequest, assessment, code: str) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    content = load_version(assessment.version)
    question = content.questions.get(code)
    if question is None:
        raise Http404(_("No such question."))
    answer = Answer.objects.filter(assessment=assessment, question=question).first()
    records = []
    if answer is not None:
        records = list(answer.history.select_related("history_user").order_by("history_date"))
    changes = []
    previous = None
    hidden_fields = {"revision", "updated_by", "carried_over"}
    for record in records:
        diff = [
            {
                "field": Answer._meta.get_field(change.field).verbose_name,
                "old": change.old,
                "new": change.new,
            }
            for change in (record.diff_against(previous).changes if previous else [])
            if change.field not in hidden_fields
        ]
        changes.append({"record": record, "diff": diff})
        previous = record
    changes.reverse()
    number = next(i for i, s in enumerate(content.sections, start=1) if s.pk == question.section_id)
    return render(
        request,
        "assessments/history.html",
        {
            "assessment": assessment,
            "question": question,
            "changes": changes,
            "back": reverse("assessment_section", args=[assessment.uuid, number]),
        },
    )
