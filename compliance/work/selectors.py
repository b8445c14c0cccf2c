"""Reads across all of a person's organisations: what "My work" lists and the rows of the
portfolio. Each is read in a fixed number of queries, however many organisations,
assignments or actions there are: the pages list them all on one screen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from compliance.actions.models import Action
from compliance.actions.selectors import ActionCounts, counts_for
from compliance.actions.selectors import assigned_to as actions_assigned_to
from compliance.assessments.assignment import assigned_to as sections_assigned_to
from compliance.assessments.cycle import add_months
from compliance.assessments.models import (
    AWAITING_REVIEW,
    EDITABLE,
    LOCKED,
    Answer,
    Assessment,
    SectionAssignment,
)
from compliance.assessments.scoring import AnswerStates, answer_data, compute_progress
from compliance.assessments.selectors import section_progress
from compliance.organisations.models import Membership, MembershipRole, Organisation
from compliance.organisations.selectors import memberships_for
from compliance.questionnaires.models import QuestionnaireVersion, ScoreBand
from compliance.questionnaires.selectors import load_version

# My work


@dataclass(frozen=True)
class AssignedSection:
    """A section someone is to answer, with how far it is answered."""

    assignment: SectionAssignment
    #: The section's place in its version, from 1 (its page's number).
    number: int
    answered: int
    applicable: int

    @property
    def assessment(self) -> Assessment:
        return self.assignment.assessment

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.applicable) if self.applicable else 100


def assigned_sections(user) -> list[AssignedSection]:
    """The sections assigned to ``user`` in assessments being filled in, each with its
    progress: the assignments, one read of all their assessments' answers, and each
    questionnaire version once (a published version is loaded once per process)."""
    assignments = list(sections_assigned_to(user).select_related("assessment__version"))
    states = answer_states_of({a.assessment_id for a in assignments})
    progress_by_assessment: dict[int, dict[int, dict]] = {}
    rows = []
    for assignment in assignments:
        assessment = assignment.assessment
        sections = progress_by_assessment.get(assessment.pk)
        if sections is None:
            content = load_version(assessment.version)
            assessment_states = states.get(assessment.pk, AnswerStates({}, frozenset()))
            progress = compute_progress(content, assessment_states)
            sections = {
                row["section"].pk: row
                for row in section_progress(content, assessment_states, progress)
            }
            progress_by_assessment[assessment.pk] = sections
        row = sections.get(assignment.section_id)
        if row is None:  # not a section of the assessment's version: nothing to link to
            continue
        rows.append(AssignedSection(assignment, row["number"], row["answered"], row["applicable"]))
    return rows


def answer_states_of(assessment_ids: Iterable[int]) -> dict[int, AnswerStates]:
    """Every answer's state of each assessment, as its progress reads them, in one query."""
    rows = (
        Answer.objects.filter(assessment_id__in=list(assessment_ids))
        .annotate(code=F("question__code"))
        .values_list(
            "assessment_id",
            "code",
            "choice_codes",
            "value_number",
            "value_text",
            "value_date",
            "not_applicable",
            "carried_over",
            named=True,
        )
    )
    data: dict[int, dict] = defaultdict(dict)
    carried: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        data[row.assessment_id][row.code] = answer_data(row)
        if row.carried_over:
            carried[row.assessment_id].add(row.code)
    return {pk: AnswerStates(answers, frozenset(carried[pk])) for pk, answers in data.items()}


def open_actions(user, day: date) -> list[Action]:
    """The open actions ``user`` owns, due first (those without a due date last), each
    with ``overdue``: whether its due date is past on ``day``."""
    return list(
        actions_assigned_to(user, day)
        .annotate(
            # "not null and" first: a comparison with no due date is unknown, not false.
            overdue=ExpressionWrapper(
                Q(due_date__isnull=False, due_date__lt=day), output_field=BooleanField()
            )
        )
        .order_by(F("due_date").asc(nulls_last=True), "priority", "created_at")
    )


def reviews_waiting(user) -> QuerySet[Assessment]:
    """Submitted assessments waiting for a review, in the organisations where ``user``
    reviews (owner or reviewer), the longest waiting first."""
    if not user.is_authenticated or not user.is_active:
        return Assessment.objects.none()
    # One filter(): the member and their role must be the same membership row.
    return (
        Assessment.objects.filter(
            organisation__memberships__user=user,
            organisation__memberships__role__in=(MembershipRole.OWNER, MembershipRole.REVIEWER),
            review_required=True,
            status__in=AWAITING_REVIEW,
        )
        .select_related("organisation", "version__questionnaire")
        .order_by("submitted_at", "pk")
    )


# Portfolio


@dataclass(frozen=True)
class PortfolioRow:
    """One organisation of a person's portfolio."""

    membership: Membership
    #: The latest submitted (in review, approved) assessment: its frozen result.
    result: Assessment | None
    band: ScoreBand | None
    #: The latest assessment being filled in (a draft, or one returned for changes).
    draft: Assessment | None
    actions: ActionCounts
    next_due: date | None
    today: date

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def score(self) -> float | None:
        return self.result.score if self.result else None

    @property
    def critical_findings(self) -> int | None:
        if self.result is None or not self.result.result:
            return None
        return len(self.result.result.get("critical_findings") or ())

    @property
    def due_overdue(self) -> bool:
        return self.next_due is not None and self.next_due < self.today

    @property
    def draft_percent(self) -> int | None:
        if self.draft is None:
            return None
        answered, applicable = self.draft.answered_count, self.draft.applicable_count
        return round(100 * answered / applicable) if applicable else 0


def _latest(organisation, statuses, order: tuple) -> Subquery:
    return Subquery(
        Assessment.objects.filter(organisation=organisation, status__in=statuses)
        .order_by(*order)
        .values("pk")[:1]
    )


def portfolio(user, today: date | None = None) -> list[PortfolioRow]:
    """A row for each organisation ``user`` belongs to, by name, in four queries: the
    memberships with the ids of their latest assessments, those assessments, their
    versions' overall bands, and the organisations' action figures."""
    today = today or timezone.localdate()
    organisation = OuterRef("organisation")
    memberships = list(
        memberships_for(user)
        .annotate(
            result_id=_latest(
                organisation,
                LOCKED,
                (F("submitted_at").desc(nulls_last=True), "-created_at", "-pk"),
            ),
            draft_id=_latest(organisation, EDITABLE, ("-created_at", "-pk")),
            last_submitted_at=Subquery(
                Assessment.objects.filter(
                    organisation=organisation, status__in=LOCKED, submitted_at__isnull=False
                )
                .order_by("-submitted_at")
                .values("submitted_at")[:1]
            ),
        )
        .order_by("organisation__name", "organisation__pk")
    )
    wanted = {m.result_id for m in memberships} | {m.draft_id for m in memberships}
    assessments = Assessment.objects.in_bulk([pk for pk in wanted if pk is not None])
    bands = _overall_bands({a.version_id for a in assessments.values() if a.result})
    counts = counts_for([m.organisation_id for m in memberships], today)
    rows = []
    for membership in memberships:
        result = assessments.get(membership.result_id)
        band_code = (result.result or {}).get("band") if result else None
        rows.append(
            PortfolioRow(
                membership=membership,
                result=result,
                band=bands.get((result.version_id, band_code)) if result else None,
                draft=assessments.get(membership.draft_id),
                actions=counts.get(membership.organisation_id, ActionCounts()),
                next_due=due_after(membership.last_submitted_at, membership.organisation),
                today=today,
            )
        )
    return rows


def due_after(submitted_at: datetime | None, organisation: Organisation) -> date | None:
    """When the next assessment is due after one submitted at ``submitted_at``: the rule
    of ``assessments.cycle.next_due``, from a date already read."""
    if submitted_at is None:
        return None
    return add_months(timezone.localdate(submitted_at), organisation.reassessment_months)


def _overall_bands(version_ids: set[int]) -> dict[tuple[int, str], ScoreBand]:
    """The overall (not section) bands of the versions, by version id and band code."""
    return {
        (band.version_id, band.code): band
        for band in ScoreBand.objects.filter(version_id__in=version_ids, section__isnull=True)
    }


#: The portfolio's columns a person may sort by: key, and the value a row sorts by
#: (rows without one, such as no score yet, come last either way).
SORT_KEYS: dict[str, Callable[[PortfolioRow], object]] = {
    "name": lambda row: row.organisation.name.casefold(),
    "role": lambda row: MembershipRole.values.index(row.membership.role),
    "score": lambda row: row.score,
    "band": lambda row: row.band.min_score if row.band else None,
    "critical": lambda row: row.critical_findings,
    "open": lambda row: row.actions.open,
    "overdue": lambda row: row.actions.overdue,
    "due": lambda row: row.next_due,
    "draft": lambda row: row.draft_percent,
}
DEFAULT_SORT = "name"


def sort_key(value: str | None) -> str:
    """A sort as the query string gives it, or the default for anything unknown."""
    return value if value and value.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def sorted_rows(rows: list[PortfolioRow], sort: str) -> list[PortfolioRow]:
    """The rows sorted by ``sort`` ("score", or "-score" for descending); ties by name."""
    sort = sort_key(sort)
    value = SORT_KEYS[sort.lstrip("-")]
    by_name = sorted(rows, key=SORT_KEYS["name"])
    present = [row for row in by_name if value(row) is not None]
    missing = [row for row in by_name if value(row) is None]
    # sorted() is stable, in reverse too: equal values stay in name order.
    return sorted(present, key=value, reverse=sort.startswith("-")) + missing


# Campaigns


def campaign_organisations(user) -> QuerySet[Organisation]:
    """The organisations where ``user`` may start assessments (owner or editor)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    # One filter(): the member and their role must be the same membership row.
    return Organisation.objects.filter(
        memberships__user=user,
        memberships__role__in=(MembershipRole.OWNER, MembershipRole.EDITOR),
    ).order_by("name", "pk")


def default_version() -> QuestionnaireVersion | None:
    """The version a campaign offers first: the latest published one of the default
    questionnaire (as a new assessment does), else the latest published of any."""
    from compliance.assessments.views import DEFAULT_QUESTIONNAIRE

    published = QuestionnaireVersion.objects.published().select_related("questionnaire")
    return (
        published.filter(questionnaire__slug=DEFAULT_QUESTIONNAIRE).order_by("-number").first()
        or published.order_by(F("published_at").desc(nulls_last=True), "-pk").first()
    )


def carry_over_sources(organisation_ids: Iterable[int]) -> dict[int, Assessment]:
    """Each organisation's assessment a new one carries answers over from: its latest
    submitted one (in review and approved included), else its latest one; in one query."""
    by_organisation: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in Assessment.objects.filter(organisation_id__in=list(organisation_ids)):
        by_organisation[assessment.organisation_id].append(assessment)
    found = {}
    for organisation_id, assessments in by_organisation.items():
        submitted = [a for a in assessments if a.status in LOCKED]
        found[organisation_id] = (
            max(submitted, key=lambda a: (a.submitted_at or a.created_at, a.pk))
            if submitted
            else max(assessments, key=lambda a: (a.created_at, a.pk))
        )
    return found


def drafts_on(
    version: QuestionnaireVersion, organisation_ids: Iterable[int]
) -> dict[int, Assessment]:
    """Each organisation's assessment being filled in on ``version``, if it has one."""
    return {
        assessment.organisation_id: assessment
        for assessment in Assessment.objects.filter(
            organisation_id__in=list(organisation_ids), version=version, status__in=EDITABLE
        ).order_by("created_at")
    }
