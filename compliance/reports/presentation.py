"""The numbers of one assessment, dressed for people: the results page, the PDF and the
exports all read this, so they show the same thing.

The scores come from the scoring package: frozen with a submitted assessment, computed on
demand for a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from compliance.assessments.models import Answer, Assessment
from compliance.assessments.scoring import answers_by_code, compute_result
from compliance.questionnaires.models import Question, ScoreBand, Section
from compliance.questionnaires.selectors import LoadedVersion, load_version
from compliance.scoring import CriticalFinding, Gap, Result, Status


@dataclass
class Band:
    code: str
    label: str
    description: str
    min: float
    max: float


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
        return f"{number_format(self.points, 2)} / {number_format(self.maximum, 2)}"


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


@dataclass
class GapRow:
    question: Question
    section: Section
    critical: bool
    fraction: float
    shortfall: float


@dataclass
class Comparison:
    previous: Assessment
    overall_delta: float | None
    improved: list[tuple[Question, float, float]] = field(default_factory=list)
    worsened: list[tuple[Question, float, float]] = field(default_factory=list)


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

    @property
    def top_gaps(self) -> list[GapRow]:
        return self.gaps[:3]


def _bands(bands) -> list[Band]:
    return [
        Band(b.code, str(b.label), str(b.description), float(b.min_score), float(b.max_score))
        for b in sorted(bands, key=lambda b: b.min_score)
    ]


def answer_text(question: Question, answer: Answer | None) -> str:
    """The answer as a person reads it, in the active language."""
    if answer is None:
        return ""
    if answer.not_applicable:
        return _("Not applicable: %(why)s") % {"why": answer.na_justification}
    if question.uses_choices:
        labels = {c.code: str(c.label) for c in question.choices.all()}
        return _("; ").join(labels.get(code, code) for code in answer.choice_codes)
    if answer.value_number is not None:
        return number_format(answer.value_number.normalize())
    if answer.value_date is not None:
        return date_format(answer.value_date, "SHORT_DATE_FORMAT")
    return answer.value_text


def result_of(assessment: Assessment, content: LoadedVersion, answers: dict) -> Result:
    """The frozen result of a submitted assessment, or a fresh one for a draft."""
    if not assessment.is_draft and assessment.result:
        return Result.from_json(assessment.result)
    return compute_result(content, answers)


def build_report(assessment: Assessment) -> Report:
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

    rows = []
    for number, section_result in enumerate(result.sections, start=1):
        section = sections_by_code[section_result.code]
        own_bands = {b.code: b for b in _bands(section.score_bands.all())} or band_by_code
        questions = []
        for index, q in enumerate(section_result.questions, start=1):
            question = content.questions[q.code]
            answer = answers.get(q.code)
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
            )
        )

    def finding_row(finding: CriticalFinding) -> GapRow:
        return GapRow(
            question=content.questions[finding.code],
            section=sections_by_code[finding.section],
            critical=True,
            fraction=finding.fraction,
            shortfall=0.0,
        )

    def gap_row(gap: Gap) -> GapRow:
        return GapRow(
            question=content.questions[gap.code],
            section=sections_by_code[gap.section],
            critical=gap.critical,
            fraction=gap.fraction,
            shortfall=gap.shortfall,
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
        gaps=[gap_row(gap) for gap in result.gaps],
        answered=result.answered,
        applicable=result.applicable,
        unanswered=[content.questions[code] for code in result.unanswered],
        comparison=comparison,
    )


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The organisation's latest submitted assessment before this one."""
    earlier = Assessment.objects.filter(
        organisation_id=assessment.organisation_id,
        status=Assessment.Status.SUBMITTED,
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
