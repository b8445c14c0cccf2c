"""From results to actions: the results page's follow-up panel and the view that turns
gaps into remediation actions (one gap, or every critical finding at once).

The results body is rendered once per state of the assessment and kept (``views``); the
panel is not, since actions change on their own and its forms carry the reader's CSRF
token. What the panel needs of the result (``Plan``: the gaps in the plan's order and
the questions with full marks) is kept with the body, so that a kept page costs one query
for the actions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from compliance.actions import selectors as actions
from compliance.actions import services
from compliance.actions.models import Action
from compliance.assessments.selectors import assessment_or_404
from compliance.questionnaires.models import Question
from compliance.questionnaires.selectors import load_version
from compliance.scoring import Status

from .presentation import Report, build_report


@dataclass(frozen=True)
class Gap:
    code: str
    finding: bool
    critical: bool


@dataclass(frozen=True)
class Plan:
    """What the follow-up panel needs of a result, kept with the results body."""

    gaps: tuple[Gap, ...] = ()
    full_marks: frozenset[str] = frozenset()

    @classmethod
    def of(cls, report: Report) -> Plan:
        return cls(
            gaps=tuple(Gap(row.question.code, row.finding, row.critical) for row in report.gaps),
            full_marks=frozenset(
                row.question.code
                for section in report.sections
                for row in section.questions
                if row.status == Status.ANSWERED and row.maximum and row.fraction == 1
            ),
        )


@dataclass
class PanelRow:
    question: Question
    finding: bool
    critical: bool
    action: Action | None  # the open action, else the latest closed one, else None


@dataclass
class Panel:
    rows: list[PanelRow] = field(default_factory=list)
    #: Open actions whose question now has full marks: offered as done.
    offered_done: list[tuple[Question, Action]] = field(default_factory=list)

    @property
    def findings_without_action(self) -> int:
        return sum(
            1 for row in self.rows if row.finding and not (row.action and row.action.is_open)
        )


def panel(assessment, plan: Plan) -> Panel:
    content = load_version(assessment.version)
    codes = {gap.code for gap in plan.gaps} | set(plan.full_marks)
    found = actions.latest_by_code(assessment.organisation, codes) if codes else {}
    rows = [
        PanelRow(content.questions[gap.code], gap.finding, gap.critical, found.get(gap.code))
        for gap in plan.gaps
        if gap.code in content.questions
    ]
    offered = [
        (content.questions[code], found[code])
        for code in sorted(plan.full_marks, key=lambda code: content.questions[code].order)
        if code in found and found[code].is_open and code in content.questions
    ]
    return Panel(rows, offered)


def _refused(request: HttpRequest, assessment, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "assessments/refused.html",
        {"assessment": assessment, "message": message},
        status=status,
    )


@login_required
@require_POST
def create_actions(request: HttpRequest, assessment) -> HttpResponse:
    """Turn one gap (``question``: its code) or every critical finding (``findings``) of
    the assessment's results into actions of its organisation."""
    assessment, membership = assessment_or_404(request.user, assessment)
    services.require_action_editor(membership)
    report = build_report(assessment)
    plan = {row.question.code: row for row in report.gaps}
    if request.POST.get("findings"):
        chosen = [row for row in report.gaps if row.finding]
    else:
        code = request.POST.get("question", "")
        if code not in report.content.questions:
            return _refused(
                request,
                assessment,
                _("This question is not in the questionnaire version of the assessment."),
                400,
            )
        if code not in plan:
            return _refused(
                request, assessment, _("This question has no gap in these results."), 400
            )
        chosen = [plan[code]]
    source = assessment.title  # the history words it in the reader's language
    try:
        with transaction.atomic():  # all of them, or none
            made, kept = _create(request, assessment, chosen, source)
    except ValidationError as error:
        return _refused(request, assessment, " ".join(error.messages), 400)
    if made:
        messages.success(
            request,
            ngettext("Created %(count)d action.", "Created %(count)d actions.", made)
            % {"count": made},
        )
    if kept:
        messages.info(
            request,
            ngettext(
                "%(count)d question already had an open action.",
                "%(count)d questions already had an open action.",
                kept,
            )
            % {"count": kept},
        )
    if not chosen:
        messages.info(request, _("These results have no critical finding."))
    return redirect(reverse("assessment_results", args=[assessment.uuid]) + "#follow-up")


def _create(request: HttpRequest, assessment, chosen, source: str) -> tuple[int, int]:
    """How many actions were made, and how many questions already had an open one."""
    made = kept = 0
    for row in chosen:
        created = services.create_action(
            organisation=assessment.organisation,
            question=row.question,
            version=assessment.version,
            user=request.user,
            priority=services.default_priority(finding=row.finding, critical=row.critical),
            source=source,
        )
        made += created.created
        kept += not created.created
    return made, kept
