"""Reads of assessments: the access rule (every view gets an assessment through here),
each section's progress, and an answer's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from compliance.organisations.models import Membership
from compliance.questionnaires.selectors import LoadedVersion, load_version
from compliance.scoring import Progress, Result, Status

from .models import Answer, Assessment
from .scoring import AnswerStates, answers_with_states

NO_STATES = AnswerStates({}, frozenset())


def assessments_for(user) -> QuerySet[Assessment]:
    """The assessments of every organisation the user is an active member of."""
    if not user.is_authenticated or not user.is_active:
        return Assessment.objects.none()
    return Assessment.objects.filter(organisation__memberships__user=user)


def assessment_or_404(user, uuid: UUID | str, lock: bool = False) -> tuple[Assessment, Membership]:
    """The assessment and the user's membership of its organisation, or 404.

    One query: the membership is read from the same join that grants access. With
    ``lock`` (in a transaction), the assessment's row is read under the lock that a
    change to it takes (``select_for_update``), so that a save reads it once.
    """
    assessments = assessments_for(user)
    if lock:
        assessments = assessments.select_for_update(of=("self",))
    try:
        # get(), not first(): one row at most (one membership per user and organisation),
        # and no ORDER BY to compile and run.
        assessment = (
            assessments.select_related("organisation", "version__questionnaire")
            .annotate(
                membership_id=F("organisation__memberships__id"),
                membership_role=F("organisation__memberships__role"),
                membership_created_at=F("organisation__memberships__created_at"),
            )
            .get(uuid=uuid)
        )
    except (Assessment.DoesNotExist, ValidationError):
        raise Http404(_("No such assessment.")) from None
    membership = Membership.from_db(
        assessment._state.db,
        ["id", "organisation_id", "user_id", "role", "created_at"],
        [
            assessment.membership_id,
            assessment.organisation_id,
            user.pk,
            assessment.membership_role,
            assessment.membership_created_at,
        ],
    )
    membership.organisation = assessment.organisation
    membership.user = user
    return assessment, membership


@dataclass
class SectionPage:
    """One section of an assessment as its page shows it."""

    assessment: Assessment
    content: LoadedVersion
    section: object
    number: int
    questions: list
    #: The answers to this section's questions, by code, with their authors.
    answers: dict[str, Answer]
    #: Every answer's state: the progress of the whole assessment.
    states: AnswerStates

    @property
    def count(self) -> int:
        return len(self.content.sections)


def section_page(assessment: Assessment, number: int, answers: bool = True) -> SectionPage:
    """Section ``number`` (from 1) of the assessment's version with its answers and the
    states of all (neither read when ``answers`` is false: a save reads them under its
    lock); 404 for a number the version does not have."""
    content = load_version(assessment.version)
    section = content.section_by_number(number)
    if section is None:
        raise Http404(_("No such section."))
    questions = list(section.questions.all())
    page = SectionPage(assessment, content, section, number, questions, {}, NO_STATES)
    if answers:
        by_id, page.states = answers_with_states(
            assessment, {q.pk for q in questions}, authors=True
        )
        page.answers = {answer.code: answer for answer in by_id.values()}
    return page


def section_progress(
    content: LoadedVersion, states: AnswerStates, result: Result | Progress
) -> list[dict]:
    """Per section: answered of applicable questions, percent, answers carried over, and
    whether the section applies at all (``shown``: its own show-if, such as the profile)."""
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
                "shown": section_result.shown,
                "answered": answered,
                "applicable": applicable,
                "percent": round(100 * answered / applicable) if applicable else 100,
                "carried_over": sum(
                    1 for q in section.questions.all() if q.code in states.carried_over
                ),
            }
        )
    return rows


def answer_history(assessment: Assessment, question) -> list[dict]:
    """Every saved state of an answer, newest first, each with what changed from the one
    before it (the fields a person reads; bookkeeping left out), every value as a person
    reads it: choice labels in the active language, dates and numbers localised."""
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
                "old": readable(question, change.field, change.old),
                "new": readable(question, change.field, change.new),
            }
            for change in (record.diff_against(previous).changes if previous else [])
            if change.field not in hidden_fields
        ]
        changes.append({"record": record, "diff": diff, "answer": first_answer(question, record)})
        previous = record
    changes.reverse()
    return changes


def readable(question, field: str, value) -> str:
    """One field of an answer as a person reads it ("—" for nothing)."""
    if value in (None, "", [], ()):
        return "—"
    if field == "choice_codes":
        labels = {choice.code: str(choice.label) for choice in question.choices.all()}
        return _("; ").join(labels.get(code, code) for code in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return number_format(value.normalize())
    return str(value)


#: The fields that hold an answer's value, in the order they are read.
VALUE_FIELDS = ("choice_codes", "value_number", "value_date", "value_text")


def _value_text(question, record) -> str:
    """An answer's (or a history record's) choices or value as a person reads it."""
    for field in VALUE_FIELDS:
        value = getattr(record, field)
        if value not in (None, "", [], ()):
            return readable(question, field, value)
    return ""


def answer_text(question, answer) -> str:
    """The answer as a person reads it, in the active language ("" for no answer): the
    one formatter of the results page, the report, the exports and the history."""
    if answer is None:
        return ""
    if answer.not_applicable:
        return _("Not applicable: %(why)s") % {"why": answer.na_justification}
    return _value_text(question, answer)


def first_answer(question, record) -> str:
    """What a first answer was: its choices or value, or "not applicable"."""
    if record.not_applicable:
        return str(_("Not applicable"))
    return _value_text(question, record) or "—"
