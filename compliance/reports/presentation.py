"""The numbers of one assessment, dressed for people: the results page, the PDF and the
exports all read this, so they show the same thing.

The scores come from the scoring package: frozen with a submitted assessment, computed on
demand for a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone

from compliance.actions.models import ActionPriority
from compliance.actions.selectors import actions_of
from compliance.assessments.evidence import links_by_question, only_expired
from compliance.assessments.models import (
    LOCKED,
    Answer,
    Assessment,
    AssessmentEvent,
    EvidenceLink,
    ReviewComment,
)
from compliance.assessments.scoring import answers_by_code, compute_result
from compliance.assessments.selectors import answer_text
from compliance.core.numbers import shown
from compliance.evidence.models import EvidenceItem
from compliance.questionnaires.models import Question, ScoreBand, Section
from compliance.questionnaires.selectors import LoadedVersion, load_version
from compliance.scoring import CriticalFinding, Gap, Result, Status
from compliance.scoring.model import carries_points

from .charts import TrendChart, trend_lines
from .citations import SHORT_NAMES, Citations, ListedSource
from .trends import report_history

#: How many actions and critical findings the board summary lists (it stays within four
#: pages; the full report lists them all).
BOARD_ACTIONS = 10
BOARD_FINDINGS = 8
BOARD_CHANGES = 5


@dataclass
class Band:
    code: str
    label: str
    description: str
    min: float
    max: float
    #: The questionnaire's band, for its texts in either language.
    source: ScoreBand | None = field(default=None, compare=False, repr=False)


@dataclass
class QuestionRow:
    number: str
    question: Question
    status: Status
    answer: Answer | None
    answer_text: str
    points: float
    maximum: float
    weight: float
    fraction: float | None
    scored: bool = True  # the question carries points (no weight is shown otherwise)
    #: Its references as short citations ("ECL Art. 5"); the report lists them in full.
    citations: list[str] = field(default_factory=list)
    #: The evidence the answer cites (links, each with its item and the item's files).
    evidence: list[EvidenceLink] = field(default_factory=list)
    #: The answer has evidence, and all of it had expired on the report's evidence date.
    evidence_expired: bool = False

    @property
    def hidden(self) -> bool:
        return self.status == Status.HIDDEN

    @property
    def unanswered(self) -> bool:
        return self.status == Status.UNANSWERED

    @property
    def contribution(self) -> str:
        if not self.maximum:
            return "–"
        return f"{shown(self.points, 2)} / {shown(self.maximum, 2)}"


@dataclass
class SectionRow:
    number: int
    section: Section
    score: float | None
    band: Band | None
    weight: float
    points: float
    maximum: float
    questions: list[QuestionRow]
    delta: float | None = None
    #: False when the section does not apply to the company's profile (not asked).
    shown: bool = True


@dataclass
class GapRow:
    question: Question
    section: Section
    critical: bool  # the question is critical (its gap may or may not be a finding)
    fraction: float
    shortfall: float
    finding: bool = False  # the gap is a critical finding (below the question's threshold)
    citations: list[str] = field(default_factory=list)
    rank: int = 0  # its place in the action plan, from 1


@dataclass
class CrosswalkRow:
    """One element of MOFCOM's 2021 guidance: our score on the questions that cite it,
    and the elements of the other frameworks that those questions cite."""

    element: str
    label: str
    score: float | None
    questions: int
    foreign: list[tuple[str, str]]  # (framework, element as cited)


@dataclass
class Comparison:
    previous: Assessment
    overall_delta: float | None
    improved: list[tuple[Question, float, float]] = field(default_factory=list)
    worsened: list[tuple[Question, float, float]] = field(default_factory=list)

    @property
    def most_improved(self) -> list[tuple[Question, float, float]]:
        """The answers that gained most (the board summary lists a few)."""
        return sorted(self.improved, key=lambda entry: entry[1] - entry[2])[:BOARD_CHANGES]

    @property
    def most_worsened(self) -> list[tuple[Question, float, float]]:
        return sorted(self.worsened, key=lambda entry: entry[2] - entry[1])[:BOARD_CHANGES]


@dataclass
class EvidenceRow:
    """One item of the evidence register: the item, whether it had expired, and the
    question rows that cite it."""

    item: EvidenceItem
    expired: bool
    questions: list[QuestionRow]


def evidence_day(assessment: Assessment) -> date:
    if assessment.submitted_at is not None:
        return timezone.localdate(assessment.submitted_at)
    return timezone.localdate()


@dataclass(frozen=True)
class SignOff:
    """The sign-off page of an approved assessment's reports."""

    approved_by: str
    approved_at: object  # datetime
    statement: str
    record_sha256: str
    prepared_by: list[str]
    reviewed_by: list[str]
    certificate_subject: str
    certificate_fingerprint: str
    verify_url: str
    withdrawn: bool = False


@dataclass
class Report:
    assessment: Assessment
    content: LoadedVersion
    is_draft: bool
    score: float | None
    band: Band | None
    band_capped: bool
    bands: list[Band]
    sections: list[SectionRow]
    findings: list[GapRow]
    gaps: list[GapRow]
    answered: int
    applicable: int
    unanswered: list[Question]
    comparison: Comparison | None
    crosswalk: list[CrosswalkRow] = field(default_factory=list)
    #: Who answered: the people who last changed an answer, by the number they changed.
    respondents: list[str] = field(default_factory=list)
    #: Every source the report cites, once, by the key its citations use.
    references: list[ListedSource] = field(default_factory=list)
    #: The day evidence is judged expired on: the submission's for a submitted assessment
    #: (its record stays as it was), today for a draft.
    evidence_day: date | None = None
    #: The sign-off of an approved assessment (None before approval).
    signoff: SignOff | None = None
    #: Every change of the assessment's state, oldest first (the report's appendix).
    events: list[AssessmentEvent] = field(default_factory=list)
    #: The report is printed for the approval being signed, whose event is not yet
    #: written: the appendix ends with it.
    approving: bool = False
    #: The organisation's history up to this assessment, charted (the full report's
    #: "Progress over time"): None with fewer than two submitted assessments in it.
    trend: TrendChart | None = None
    #: The organisation's remediation actions on these questions (None: it has none).
    follow_up: FollowUp | None = None

    @property
    def evidence_register(self) -> list[EvidenceRow]:
        """Every item the answers cite, once, by title, with the answers it supports."""
        rows: dict[int, EvidenceRow] = {}
        for section in self.sections:
            for row in section.questions:
                for link in row.evidence:
                    entry = rows.get(link.item_id)
                    if entry is None:
                        entry = rows[link.item_id] = EvidenceRow(
                            link.item, link.item.expired_on(self.evidence_day), []
                        )
                    entry.questions.append(row)
        return sorted(rows.values(), key=lambda entry: (entry.item.title.lower(), entry.item.pk))

    @property
    def expired_evidence(self) -> list[QuestionRow]:
        """The answers whose only evidence has expired."""
        return [row for s in self.sections for row in s.questions if row.evidence_expired]

    @property
    def top_gaps(self) -> list[GapRow]:
        return self.gaps[:3]

    @property
    def top_actions(self) -> list[GapRow]:
        """Beyond the critical findings (listed on their own), the ten actions that would
        add most to the overall score."""
        others = [gap for gap in self.gaps if not gap.finding]
        return sorted(others, key=lambda gap: -gap.shortfall)[:BOARD_ACTIONS]

    @property
    def board_findings(self) -> list[GapRow]:
        return self.findings[:BOARD_FINDINGS]

    @property
    def plan_by_section(self) -> list[tuple[SectionRow, list[GapRow]]]:
        """The action plan grouped by section, in the sections' order; each action keeps
        its rank in the whole plan."""
        by_code: dict[str, list[GapRow]] = {}
        for gap in self.gaps:
            by_code.setdefault(gap.section.code, []).append(gap)
        return [
            (row, by_code[row.section.code]) for row in self.sections if row.section.code in by_code
        ]

    @property
    def more_findings(self) -> int:
        """Critical findings the board summary leaves to the full report."""
        return max(0, len(self.findings) - BOARD_FINDINGS)

    @property
    def shown_sections(self) -> list[SectionRow]:
        """The sections the charts show: those that apply to the company's profile and
        can have a score (not a profile of unscored questions)."""
        return [row for row in self.sections if row.shown and (row.weight or row.score is not None)]


def _bands(bands) -> list[Band]:
    return [
        Band(b.code, str(b.label), str(b.description), float(b.min_score), float(b.max_score), b)
        for b in sorted(bands, key=lambda b: b.min_score)
    ]


def result_of(assessment: Assessment, content: LoadedVersion, answers: dict) -> Result:
    """The frozen result of a submitted assessment, or a fresh one for a draft."""
    if not assessment.is_draft and assessment.result:
        return Result.from_json(assessment.result)
    return compute_result(content, answers)


def build_report(assessment: Assessment, signoff: SignOff | None = None) -> Report:
    """The report of ``assessment``; ``signoff`` is the one being signed (at approval),
    else an approved assessment's own."""
    content = load_version(assessment.version)
    answers = answers_by_code(assessment)
    result = result_of(assessment, content, answers)
    overall_bands = _bands(
        ScoreBand.objects.filter(version=assessment.version, section__isnull=True)
    )
    band_by_code = {band.code: band for band in overall_bands}
    sections_by_code = {section.code: section for section in content.sections}
    previous = previous_assessment(assessment)
    previous_result = Result.from_json(previous.result) if previous else None
    previous_scores = {s.code: s.score for s in previous_result.sections} if previous_result else {}

    citations = Citations()
    cited: dict[str, list[str]] = {}
    evidence = links_by_question(assessment)
    day = evidence_day(assessment)
    rows = []
    for number, section_result in enumerate(result.sections, start=1):
        section = sections_by_code[section_result.code]
        own_bands = {b.code: b for b in _bands(section.score_bands.all())} or band_by_code
        questions = []
        for index, q in enumerate(section_result.questions, start=1):
            question = content.questions[q.code]
            answer = answers.get(q.code)
            cited[q.code] = citations.cite(question)
            links = evidence.get(question.pk, [])
            questions.append(
                QuestionRow(
                    number=f"{number}.{index}",
                    question=question,
                    status=q.status,
                    answer=answer,
                    answer_text=answer_text(question, answer),
                    points=q.points,
                    maximum=q.maximum,
                    weight=q.weight,
                    fraction=q.fraction,
                    scored=carries_points(
                        question.type, question.weight, bool(question.choices.all())
                    ),
                    citations=cited[q.code],
                    evidence=links,
                    evidence_expired=only_expired(links, day),
                )
            )
        before = previous_scores.get(section.code)
        rows.append(
            SectionRow(
                number=number,
                section=section,
                score=section_result.score,
                band=own_bands.get(section_result.band),
                weight=section_result.weight,
                points=section_result.points,
                maximum=section_result.maximum,
                questions=questions,
                delta=(
                    section_result.score - before
                    if before is not None and section_result.score is not None
                    else None
                ),
                shown=section_result.shown,
            )
        )

    def finding_row(finding: CriticalFinding) -> GapRow:
        return GapRow(
            question=content.questions[finding.code],
            section=sections_by_code[finding.section],
            critical=True,
            fraction=finding.fraction,
            shortfall=0.0,
            finding=True,
            citations=cited.get(finding.code, []),
        )

    finding_codes = {finding.code for finding in result.critical_findings}

    def gap_row(gap: Gap, rank: int) -> GapRow:
        return GapRow(
            question=content.questions[gap.code],
            section=sections_by_code[gap.section],
            critical=gap.critical,
            fraction=gap.fraction,
            shortfall=gap.shortfall,
            finding=gap.code in finding_codes,
            citations=cited.get(gap.code, []),
            rank=rank,
        )

    comparison = None
    if previous is not None:
        comparison = _compare(previous, previous_result, result, content)
    return Report(
        assessment=assessment,
        content=content,
        is_draft=assessment.is_draft,
        score=result.score,
        band=band_by_code.get(result.band),
        band_capped=result.band_capped,
        bands=overall_bands,
        sections=rows,
        findings=[finding_row(finding) for finding in result.critical_findings],
        gaps=[gap_row(gap, rank) for rank, gap in enumerate(result.gaps, start=1)],
        answered=result.answered,
        applicable=result.applicable,
        unanswered=[content.questions[code] for code in result.unanswered],
        comparison=comparison,
        crosswalk=crosswalk(content, result),
        respondents=respondents(answers),
        references=citations.listing(),
        evidence_day=day,
        signoff=signoff or (signoff_of(assessment, answers) if assessment.is_approved else None),
        approving=signoff is not None,
        trend=report_trend(assessment),
        follow_up=follow_up_of(assessment, content),
        events=list(
            AssessmentEvent.objects.filter(assessment=assessment)
            .select_related("user")
            .order_by("at", "pk")
        ),
    )


@dataclass(frozen=True)
class FollowUp:
    """The organisation's remediation actions on this questionnaire's questions, as they
    stand on ``day`` (the report says so): the open ones, critical and due first, and
    the closed ones, latest first."""

    day: date
    open: list
    closed: list

    @property
    def open_critical(self) -> int:
        return sum(1 for action in self.open if action.priority == ActionPriority.CRITICAL)

    @property
    def overdue(self) -> int:
        return sum(1 for action in self.open if action.is_overdue(self.day))


def follow_up_of(assessment: Assessment, content: LoadedVersion) -> FollowUp | None:
    """None where the organisation has no action on these questions."""
    found = list(
        actions_of(assessment.organisation)
        .filter(question_code__in=list(content.questions))
        .prefetch_related("evidence")
    )
    if not found:
        return None
    day = timezone.localdate()
    still_open = sorted(
        (action for action in found if action.is_open),
        key=lambda action: (action.priority, action.due_date or date.max, action.created_at),
    )
    closed = sorted(
        (action for action in found if not action.is_open),
        key=lambda action: action.closed_at or action.updated_at,
        reverse=True,
    )
    return FollowUp(day, still_open, closed)


def report_trend(assessment: Assessment) -> TrendChart | None:
    """The chart of the history a report of ``assessment`` shows (``report_history``)."""
    history = report_history(assessment)
    return trend_lines(history, "pdf-trend", for_print=True) if history else None


def person_name(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else "–"


def reviewers(assessment: Assessment, approver=None) -> list[str]:
    """Who reviewed: whoever started the review or commented, and the approver."""
    people: dict[int, object] = {}
    for event in AssessmentEvent.objects.filter(
        assessment=assessment,
        kind__in=[AssessmentEvent.Kind.REVIEW_STARTED, AssessmentEvent.Kind.RETURNED],
    ).select_related("user"):
        if event.user is not None:
            people.setdefault(event.user.pk, event.user)
    for comment in ReviewComment.objects.filter(assessment=assessment).select_related("author"):
        if comment.author is not None:
            people.setdefault(comment.author.pk, comment.author)
    if approver is not None:
        people.setdefault(approver.pk, approver)
    return sorted({person_name(user) for user in people.values()})


def make_signoff(assessment: Assessment, approval, verify_url: str, answers=None) -> SignOff:
    """The sign-off page of ``approval`` (saved or about to be); ``answers`` when the
    caller has them already (``answers_by_code``)."""
    from . import signing

    if answers is None:
        answers = answers_by_code(assessment)
    return SignOff(
        approved_by=person_name(approval.approved_by),
        approved_at=approval.approved_at,
        statement=approval.statement,
        record_sha256=approval.record_sha256,
        prepared_by=respondents(answers),
        reviewed_by=reviewers(assessment, approval.approved_by),
        certificate_subject=signing.certificate_subject(),
        certificate_fingerprint=signing.certificate_fingerprint(),
        verify_url=verify_url,
        withdrawn=approval.withdrawn_at is not None,
    )


def signoff_of(assessment: Assessment, answers=None) -> SignOff | None:
    from compliance.assessments.workflow import current_approval

    approval = current_approval(assessment)
    if approval is None:
        return None
    verify_url = approval.site + reverse("verify") if approval.site else ""
    return make_signoff(assessment, approval, verify_url, answers)


def respondents(answers: dict) -> list[str]:
    """The people who answered, most answers first: each answer's last author (an
    answer carried over counts for whoever confirmed or changed it last)."""
    counts: dict[str, int] = {}
    for answer in answers.values():
        if answer.updated_by is not None:
            who = answer.updated_by.get_full_name() or answer.updated_by.email
            counts[who] = counts.get(who, 0) + 1
    return sorted(counts, key=lambda who: (-counts[who], who))


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The organisation's latest submitted (or approved) assessment before this one."""
    earlier = Assessment.objects.filter(
        organisation_id=assessment.organisation_id,
        status__in=LOCKED,
        result__isnull=False,
    ).exclude(pk=assessment.pk)
    if assessment.submitted_at:
        earlier = earlier.filter(submitted_at__lt=assessment.submitted_at)
    return earlier.order_by("-submitted_at").first()


def _compare(
    previous: Assessment, before: Result, now: Result, content: LoadedVersion
) -> Comparison:
    """Change since the previous assessment, matching questions by code across versions."""
    earlier = {
        q.code: q.fraction for s in before.sections for q in s.questions if q.fraction is not None
    }
    comparison = Comparison(
        previous=previous,
        overall_delta=(
            now.score - before.score if now.score is not None and before.score is not None else None
        ),
    )
    for section in now.sections:
        for q in section.questions:
            old = earlier.get(q.code)
            if old is None or q.fraction is None or q.fraction == old:
                continue
            entry = (content.questions[q.code], old, q.fraction)
            (comparison.improved if q.fraction > old else comparison.worsened).append(entry)
    return comparison


#: The frameworks a crosswalk row lists, by source code, in this order (the table shows
#: each by its short name).
FOREIGN_FRAMEWORKS = ("bis-ecg-2017", "eu-2019-1318", "eu-2021-1700", "wassenaar-2011")
MOFCOM = "mofcom-2021"


@dataclass
class _Element:
    label: str
    points: float = 0.0
    maximum: float = 0.0
    questions: int = 0
    foreign: dict = field(default_factory=dict)


def crosswalk(content: LoadedVersion, result: Result) -> list[CrosswalkRow]:
    """Element by element of MOFCOM's 2021 guidance, from the questions' references that
    name an element: the score of the applicable questions citing it (points over
    maximum), and the foreign frameworks' elements they cite. Empty for a version whose
    references name no element (version 1)."""
    outcome = {q.code: q for s in result.sections for q in s.questions}
    order = list(FOREIGN_FRAMEWORKS)
    elements: dict[str, _Element] = {}
    for question in content.questions.values():
        references = list(question.references.all())
        for reference in references:
            if reference.source.code != MOFCOM or not reference.element:
                continue
            element = elements.setdefault(reference.element, _Element(str(reference.locator)))
            q = outcome.get(question.code)
            if q is not None and q.maximum:
                element.points += q.points
                element.maximum += q.maximum
                element.questions += 1
            for other in references:
                if other.source.code in FOREIGN_FRAMEWORKS and other.element:
                    key = (order.index(other.source.code), _element_order(other.element))
                    cited = (str(SHORT_NAMES[other.source.code]), str(other.locator))
                    element.foreign.setdefault(key, cited)
    return [
        CrosswalkRow(
            element=code,
            label=element.label,
            score=100 * element.points / element.maximum if element.maximum else None,
            questions=element.questions,
            foreign=[element.foreign[key] for key in sorted(element.foreign)],
        )
        for code, element in sorted(elements.items(), key=lambda item: _element_order(item[0]))
    ]


def _element_order(element: str) -> tuple:
    return (0, int(element), "") if element.isdigit() else (1, 0, element)
