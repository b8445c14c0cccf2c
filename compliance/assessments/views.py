"""Assessment pages: dashboard, new, overview, section pages, a question's evidence,
submit, reopen, history.

Every view finds its assessment through ``selectors.assessment_or_404``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from compliance.actions import selectors as actions
from compliance.core.jinja2 import render_fragment
from compliance.evidence import selectors as library
from compliance.evidence.forms import UploadForm
from compliance.evidence.views import after_post, posted_upload
from compliance.notifications.services import Origin
from compliance.organisations.selectors import current_membership, require_editor, require_owner
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.selectors import load_version
from compliance.scoring import answer_fraction

from . import assignment, cycle, evidence, selectors, services, workflow
from .cards import card_action, cited_evidence, question_card, render_cards
from .forms import AnswerForm, NewAssessmentForm
from .models import ReviewComment
from .scoring import answer_states, compute_progress
from .selectors import assessment_or_404, assessments_for

DEFAULT_QUESTIONNAIRE = "cn-export-control-icp"
#: Library items a question's evidence page offers to link at most (a search finds others).
LIBRARY_SHOWN = 30


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
    expiring = []
    context = {}
    if membership:
        organisation = membership.organisation
        expiring = library.expiring(organisation)
        assessments = list(
            assessments_for(request.user)
            .filter(organisation=organisation)
            .select_related("version__questionnaire", "last_changed_by")
            .order_by("-created_at")
        )
        due = cycle.next_due(organisation)
        today = library.today()
        days = (due - today).days if due else None
        draft = next((a for a in assessments if a.is_draft), None)
        context = {
            "next_due": due,
            "due_in_days": days,
            "overdue_days": -days if days is not None and days < 0 else 0,
            "draft": draft,
            "draft_percent": (
                round(100 * draft.answered_count / draft.applicable_count)
                if draft and draft.applicable_count
                else 0
            ),
            "action_figures": actions.counts(organisation, today),
        }
    return render(
        request,
        "assessments/dashboard.html",
        {
            "membership": membership,
            "assessments": assessments,
            "expiring": expiring,
            **library.page_dates(),
            **context,
        },
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


@login_required
@require_safe
def overview(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    content = load_version(assessment.version)
    states = answer_states(assessment)
    progress = selectors.section_progress(content, states, compute_progress(content, states))
    assigned = assignment.by_section(assessment)
    for row in progress:
        row["assignment"] = assigned.get(row["section"].pk)
    can_assign = assessment.is_draft and membership.can_edit
    return render(
        request,
        "assessments/overview.html",
        {
            "assessment": assessment,
            "membership": membership,
            "progress": progress,
            "can_assign": can_assign,
            "assignable": list(assignment.assignable(assessment.organisation))
            if can_assign
            else [],
            "events": assessment.events.select_related("user"),
            "review_comments": _comments(assessment),
            "approval": workflow.current_approval(assessment) if assessment.is_approved else None,
        },
    )


@login_required
@require_POST
def assign_sections(request: HttpRequest, assessment) -> HttpResponse:
    """Save who answers each section (``section-<id>``: a user id, or empty for nobody)."""
    assessment, membership = assessment_or_404(request.user, assessment)
    require_editor(membership)
    content = load_version(assessment.version)
    members = {m.user.pk: m.user for m in assignment.assignable(assessment.organisation)}
    changes = []
    for section in content.sections:
        name = f"section-{section.pk}"
        if name not in request.POST:
            continue
        value = request.POST[name].strip()
        if value and not (value.isdigit() and int(value) in members):
            messages.error(
                request,
                _("%(section)s: choose an owner or an editor of the organisation.")
                % {"section": section.title}
                + " "
                + _("Nothing was changed."),
            )
            return redirect("assessment_overview", assessment.uuid)
        changes.append((section, members[int(value)] if value else None))
    try:
        with transaction.atomic():
            before = assignment.by_section(assessment)
            changed = 0
            for section, person in changes:
                current = before.get(section.pk)
                if (current.assignee_id if current else None) != (person.pk if person else None):
                    assignment.assign(assessment, section, person, request.user)
                    changed += 1
    except services.AssessmentLocked:
        return locked_response(request, assessment)
    messages.success(
        request,
        ngettext("%(count)d assignment changed.", "%(count)d assignments changed.", changed)
        % {"count": changed},
    )
    return redirect("assessment_overview", assessment.uuid)


@login_required
def section(request: HttpRequest, assessment, n: int) -> HttpResponse:
    if request.method == "POST":
        return _save_section(request, assessment, n)
    assessment, membership = assessment_or_404(request.user, assessment)
    return _section_response(request, selectors.section_page(assessment, n), membership)


def _save_section(request: HttpRequest, uuid, n: int) -> HttpResponse:
    with transaction.atomic():
        # The access check reads the assessment under the save's lock (one read for
        # both); the answers are read once, by the save: the forms need none to validate.
        assessment, membership = assessment_or_404(request.user, uuid, lock=True)
        require_editor(membership)
        page = selectors.section_page(assessment, n, answers=False)
        questions = page.questions
        if request.POST.get("partial") == "1":
            # An autosave of the cards that changed (autosave.js posts only those): the
            # questions not posted are left alone, and cost nothing.
            questions = [q for q in questions if f"{q.code}-loaded" in request.POST]
        forms = [AnswerForm(request.POST, question=q, answer=None) for q in questions]
        valid = [form for form in forms if form.is_valid()]
        try:
            outcome = services.save_answers(
                assessment,
                [form.to_submitted() for form in valid],
                request.user,
                page.content,
                locked=True,
            )
        except services.AssessmentLocked:
            outcome = None
    if outcome is None:
        return locked_response(request, assessment)
    page.states = outcome.states
    invalid = [form for form in forms if form.errors]
    if request.htmx:
        return _autosave_response(request, page, outcome, invalid)
    _tell_outcome(request, page, outcome)
    if invalid:
        # Keep what was typed and show each error; the valid answers are saved. The page
        # names each answer's author: read the answers again, with them.
        page = selectors.section_page(assessment, n)
        forms = [
            AnswerForm(request.POST, question=q, answer=page.answers.get(q.code)) for q in questions
        ]
        for form in forms:
            form.is_valid()
        return _section_response(request, page, membership, forms)
    return redirect("assessment_section", assessment.uuid, _next_section(request, page))


def _next_section(request: HttpRequest, page: selectors.SectionPage) -> int:
    if "save_next" in request.POST and page.number < page.count:
        return page.number + 1
    if "previous" in request.POST and page.number > 1:
        return page.number - 1
    return page.number


def _tell_outcome(request: HttpRequest, page: selectors.SectionPage, outcome) -> None:
    questions = page.content.questions
    for code, who in outcome.overwritten:
        messages.warning(
            request,
            _(
                "“%(question)s” had been changed by %(who)s since you opened the page; "
                "your answer replaced theirs (theirs is in the question's history)."
            )
            % {"question": questions[code].text, "who": _who(who, request.user)},
        )
    for code in outcome.merged:
        messages.info(
            request,
            _(
                "“%(question)s” had been changed elsewhere since you opened the page, in "
                "other fields than yours: both changes were kept."
            )
            % {"question": questions[code].text},
        )
    if outcome.saved:
        count = len(outcome.saved)
        messages.success(
            request,
            ngettext("Saved %(count)d answer.", "Saved %(count)d answers.", count)
            % {"count": count},
        )


def _who(user, me) -> str:
    """Who made a change, as a warning names them."""
    if user is None:
        return _("someone")
    if user.pk == me.pk:
        return _("you, in another tab or window")
    return user.email


def _percent(result) -> int:
    """How much of the assessment is answered, in whole percent."""
    return round(100 * result.answered / result.applicable) if result.applicable else 100


def _section_number_of(content, question) -> int | None:
    """The number of the section that holds ``question`` (a section's condition)."""
    if question is None:
        return None
    numbers = {section.pk: n for n, section in enumerate(content.sections, start=1)}
    return numbers.get(question.section_id)


def _section_response(
    request: HttpRequest, page: selectors.SectionPage, membership, forms=()
) -> HttpResponse:
    shown = {form.question.code: form for form in forms}
    result = compute_progress(page.content, page.states)
    section_result = result.sections[page.number - 1]
    hidden = section_result.hidden
    cards = []
    questions = page.questions if section_result.shown else ()
    cited = evidence.links_by_question(page.assessment, questions) if questions else {}
    day = library.today()
    organisation = page.assessment.organisation
    open_actions = (
        actions.open_by_code(organisation, [q.code for q in questions]) if questions else {}
    )
    spec = {q.code: q for q in page.content.spec.questions()} if open_actions else {}
    for question in questions:
        card = question_card(question, page.answers.get(question.code), shown.get(question.code))
        card.hidden = question.code in hidden
        card.cited = cited_evidence(cited.get(question.pk, ()), day)
        action = open_actions.get(question.code)
        if action is not None:
            fraction = answer_fraction(spec[question.code], page.states.data.get(question.code))
            card.action = card_action(action, organisation, day, fraction == 1)
        cards.append(card)
    editable = page.assessment.is_draft and membership.can_edit
    assigned = assignment.by_section(page.assessment)
    numbers = {section.pk: number for number, section in enumerate(page.content.sections, 1)}
    current = assigned.get(page.section.pk)
    context = {
        "assignee": current.assignee if current else None,
        "assignments": sorted(
            (
                {"number": numbers[pk], "assignee": row.assignee}
                for pk, row in assigned.items()
                if pk in numbers
            ),
            key=lambda row: row["number"],
        ),
        "assessment": page.assessment,
        "membership": membership,
        "section": page.section,
        "number": page.number,
        "count": page.count,
        "section_nav": _section_nav(page, result),
        "cards": render_cards(cards, page.assessment, editable),
        "section_shown": section_result.shown,
        "condition_number": _section_number_of(page.content, page.section.show_if_question),
        "error_forms": [form for form in forms if form.errors],
        "overall_percent": _percent(result),
        "editable": editable,
        "review_comments": _comments(page.assessment, question__section=page.section),
        "question_numbers": {
            question.code: f"{page.number}.{index}"
            for index, question in enumerate(page.questions, start=1)
        },
    }
    return render(request, "assessments/section.html", context)


def _comments(assessment, **filters) -> list[ReviewComment]:
    return list(
        ReviewComment.objects.filter(assessment=assessment, **filters)
        .select_related("question", "author", "resolved_by")
        .order_by("resolved_at", "created_at", "pk")
    )


def _section_nav(page: selectors.SectionPage, progress, oob: bool = False) -> SafeString:
    """The sidebar: every section with its progress (a Jinja2 fragment, as the cards)."""
    return render_fragment(
        "assessments/section_nav.html",
        {
            "progress": selectors.section_progress(page.content, page.states, progress),
            "number": page.number,
            "uuid": page.assessment.uuid,
            "oob": oob,
        },
    )


def _autosave_response(request, page: selectors.SectionPage, outcome, invalid) -> HttpResponse:
    questions = page.content.questions
    context = {
        "saved": outcome.saved,
        "tokens": outcome.tokens,
        "invalid": invalid,
        "overwritten": [
            (questions[code].text, _who(who, request.user)) for code, who in outcome.overwritten
        ],
        "merged": [questions[code].text for code in outcome.merged],
    }
    if page.states is not None:
        # The sidebar, the progress bar and the show-if markers follow the answers
        # (swapped out of band). The save counted the answers it read under the lock; a
        # save of nothing did not. A save that changed nothing they read (no states) sends
        # none of them: they stand as the page shows them.
        result = outcome.progress or compute_progress(page.content, page.states)
        hidden = result.sections[page.number - 1].hidden
        context |= {
            "conditional": [
                (q.code, q.code in hidden) for q in page.questions if q.show_if_question_id
            ],
            "assessment": page.assessment,
            "number": page.number,
            "section_nav": _section_nav(page, result, oob=True),
            "overall_percent": _percent(result),
        }
    response = render(request, "assessments/_autosave.html", context)
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
            services.submit(assessment, request.user, site=Origin.of(request).site)
        except services.IncompleteAssessment as error:
            missing = error.missing
        except services.AssessmentLocked:
            return locked_response(request, assessment)
        else:
            # The results say it once: the header of a submitted assessment's pages.
            return redirect("assessment_results", assessment.uuid)
    return render(
        request,
        "assessments/submit.html",
        {
            "assessment": assessment,
            "membership": membership,
            "missing": missing,
            "open_comments": ReviewComment.objects.filter(
                assessment=assessment, resolved_at__isnull=True
            ).count(),
        },
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
    changes = selectors.answer_history(assessment, question)
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


def _question_or_404(assessment, code: str):
    content = load_version(assessment.version)
    question = content.questions.get(code)
    if question is None:
        raise Http404(_("No such question."))
    number = next(i for i, s in enumerate(content.sections, start=1) if s.pk == question.section_id)
    return question, number


@login_required
def question_evidence(request: HttpRequest, assessment, code: str) -> HttpResponse:
    """A question's evidence: what cites it, upload new files, link an item of the
    library. Plain forms (a script adds drag-and-drop and progress); each post answers
    with a redirect back here, or the page again with the refusal."""
    assessment, membership = assessment_or_404(request.user, assessment)
    question, number = _question_or_404(assessment, code)
    form = UploadForm()
    if request.method == "POST":
        require_editor(membership)
        action = request.POST.get("action")
        try:
            if action == "upload":
                form, item = posted_upload(
                    request,
                    lambda **data: evidence.attach_upload(
                        assessment, question, request.user, **data
                    ),
                )
                if item is not None:
                    messages.success(
                        request, _("Attached “%(title)s” to this question.") % {"title": item.title}
                    )
                    return after_post(request, request.path)
            elif action == "link":
                item = library.item_or_404(assessment.organisation, request.POST.get("item", ""))
                try:
                    linked = evidence.link_item(assessment, question, item, request.user)
                except ValueError as error:
                    messages.error(request, str(error))
                else:
                    if linked:
                        messages.success(request, _("Linked “%(title)s”.") % {"title": item.title})
                return redirect(request.path)
            elif action == "unlink":
                try:
                    link_id = int(request.POST.get("link", ""))
                except ValueError:
                    raise Http404(_("No such evidence.")) from None
                link = evidence.unlink(assessment, link_id, request.user)
                if link is not None:
                    messages.success(
                        request,
                        _("“%(title)s” no longer supports this answer (it stays in the library).")
                        % {"title": link.item.title},
                    )
                return redirect(request.path)
            else:
                return HttpResponse(_("Unknown action."), status=400, content_type="text/plain")
        except services.AssessmentLocked:
            return locked_response(request, assessment)
    links = evidence.links_by_question(assessment, [question]).get(question.pk, [])
    query = request.GET.get("q", "")[:200]
    linked = {link.item_id for link in links}
    found = [
        item
        for item in library.library(assessment.organisation, query)[: LIBRARY_SHOWN + len(linked)]
        if item.pk not in linked
    ][:LIBRARY_SHOWN]
    return render(
        request,
        "assessments/evidence.html",
        {
            "assessment": assessment,
            "membership": membership,
            "question": question,
            "number": number,
            "links": links,
            "found": found,
            "query": query,
            "form": form,
            "editable": assessment.is_draft and membership.can_edit,
            **library.page_dates(),
            "back": reverse("assessment_section", args=[assessment.uuid, number])
            + f"#q-{question.code}",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def resolve_comment(request: HttpRequest, assessment, comment: int) -> HttpResponse:
    """A respondent marks a reviewer's comment resolved (while the assessment is returned)."""
    assessment, membership = assessment_or_404(request.user, assessment)
    found = ReviewComment.objects.filter(assessment=assessment, pk=comment).first()
    if found is None:
        raise Http404(_("No such comment."))
    try:
        workflow.resolve_comment(found, request.user, membership)
    except workflow.Conflict as error:
        return render(
            request,
            "assessments/refused.html",
            {"assessment": assessment, "message": str(error)},
            status=409,
        )
    messages.success(request, _("Comment marked resolved."))
    back = request.POST.get("next", "")
    if back.startswith(f"/assessments/{assessment.uuid}/") and "//" not in back:
        return redirect(back)
    return redirect("assessment_overview", assessment.uuid)
