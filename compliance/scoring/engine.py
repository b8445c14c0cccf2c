"""Scoring: a questionnaire snapshot and the answers in, a result out. Pure Python.

The method (also in docs/scoring.md and in every report's methodology page):

- A question's maximum is its weight; its points are its weight times the fraction the
  answer earns (a choice's score; multiple choice: the sum of the chosen scores, capped
  at 1; number: the score of the highest threshold reached). Free text and dates carry
  no points.
- Not applicable answers, and questions hidden by a show-if condition (their own, or
  their section's), leave both the points and the maximum: they neither help nor hurt.
- An applicable question without an answer counts 0 (a draft) and is listed as
  unanswered.
- Section score = points / maximum x 100. A section without any scored applicable
  question has no score and does not count toward the overall score.
- Overall score = the section scores averaged with the sections' own weights. Sections
  are weighted by the author's section weight, not by their number of points, so that
  a long section does not outweigh a short but important one.
- A critical question scoring below its threshold (its own, else the version's) is a
  critical finding; any critical finding caps the overall band at the second-lowest
  band, whatever the score.
- Gaps: every applicable scored question below full marks, with the overall points that
  answering it fully would add, critical ones first, then the largest shortfall.

Arithmetic is exact (fractions); the result carries floats for display and storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from .model import (
    AnswerData,
    BandSpec,
    CriticalFinding,
    Gap,
    Progress,
    QuestionnaireSpec,
    QuestionResult,
    QuestionSpec,
    QuestionStatus,
    Result,
    SectionProgress,
    SectionResult,
    ShowIfSpec,
    Status,
)

HUNDRED = Fraction(100)


def visible_questions(spec: QuestionnaireSpec, answers: Mapping[str, AnswerData]) -> set[str]:
    """Codes of the questions whose show-if conditions hold (or that have none): the
    question's own and its section's.

    A condition on a question that is itself hidden or answered "not applicable" is
    false: the follow-up questions of a branch that does not apply stay hidden.
    """
    return _visibility(spec, answers)[0]


def shown_sections(spec: QuestionnaireSpec, answers: Mapping[str, AnswerData]) -> set[str]:
    """Codes of the sections whose own show-if condition holds (or that have none)."""
    return _visibility(spec, answers)[1]


def _visibility(spec: QuestionnaireSpec, answers: Mapping[str, AnswerData]):
    visible: set[str] = set()
    shown: set[str] = set()
    for section in spec.sections:
        if not _holds(section.show_if, answers, visible):
            continue
        shown.add(section.code)
        for question in section.questions:
            if _holds(question.show_if, answers, visible):
                visible.add(question.code)
    return visible, shown


def _holds(condition: ShowIfSpec | None, answers: Mapping[str, AnswerData], visible) -> bool:
    if condition is None:
        return True
    answer = answers.get(condition.question)
    if condition.question not in visible or answer is None or answer.not_applicable:
        return False
    if condition.match == "all":
        return condition.choices <= answer.choices
    return bool(condition.choices & answer.choices)


def answer_fraction(question: QuestionSpec, answer: AnswerData | None) -> Fraction | None:
    """The fraction (0 to 1) of the question's maximum that the answer earns, or None
    when there is no answer to score."""
    if answer is None:
        return None
    scores = {choice.code: choice.score for choice in question.choices}
    if question.type == "multiple_choice":
        if not answer.choices:
            return None
        return min(
            Fraction(1), sum((scores[c] for c in answer.choices if c in scores), Fraction(0))
        )
    if question.type == "number":
        if answer.number is None:
            return None
        reached = [
            choice.score
            for choice in question.choices
            if choice.min_value is not None and answer.number >= choice.min_value
        ]
        return max(reached, default=Fraction(0))
    chosen = [scores[c] for c in answer.choices if c in scores]
    return chosen[0] if chosen else None


def is_answered(question: QuestionSpec, answer: AnswerData | None) -> bool:
    if answer is None:
        return False
    if answer.not_applicable:
        return True
    if question.type in ("date", "text"):
        return answer.has_value
    if question.type == "number":
        return answer.number is not None
    return bool(answer.choices)


def band_for(bands: tuple[BandSpec, ...], score: Fraction | None) -> BandSpec | None:
    if score is None or not bands:
        return None
    ordered = sorted(bands, key=lambda band: band.min)
    for band in ordered:
        if band.min <= score < band.max:
            return band
    return ordered[-1] if score >= ordered[-1].min else ordered[0]


def score(spec: QuestionnaireSpec, answers: Mapping[str, AnswerData]) -> Result:
    """Score the answers against the questionnaire. The one scoring function."""
    visible, shown = _visibility(spec, answers)
    sections: list[SectionResult] = []
    findings: list[CriticalFinding] = []
    raw_gaps: list[tuple[QuestionSpec, Fraction, Fraction, str]] = []
    unanswered: list[str] = []
    for section in spec.sections:
        points = maximum = Fraction(0)
        question_results: list[QuestionResult] = []
        for question in section.questions:
            answer = answers.get(question.code)
            result = _question_result(question, answer, question.code in visible)
            question_results.append(result)
            if result.status == Status.UNANSWERED:
                unanswered.append(question.code)
            if result.maximum_exact:
                points += result.points_exact
                maximum += result.maximum_exact
                fraction = result.fraction_exact or Fraction(0)
                if fraction < 1:
                    raw_gaps.append((question, fraction, result.maximum_exact, section.code))
                threshold = question.critical_threshold or spec.critical_threshold
                if question.critical and fraction < threshold:
                    findings.append(CriticalFinding(question.code, section.code, float(fraction)))
        section_score = points / maximum * HUNDRED if maximum else None
        band = band_for(section.bands or spec.bands, section_score)
        sections.append(
            SectionResult(
                code=section.code,
                weight=float(section.weight),
                score_exact=section_score,
                points=float(points),
                maximum=float(maximum),
                band=band.code if band else None,
                questions=tuple(question_results),
                shown=section.code in shown,
            )
        )

    section_weight = {section.code: section.weight for section in spec.sections}
    section_maximum = {s.code: s.maximum_exact for s in sections}
    weighted = [(s, section_weight[s.code]) for s in sections if s.score_exact is not None]
    total_weight = sum((weight for _, weight in weighted), Fraction(0))
    overall = (
        sum((s.score_exact * weight for s, weight in weighted), Fraction(0)) / total_weight
        if total_weight
        else None
    )
    band = band_for(spec.bands, overall)
    capped = False
    if findings and band is not None and len(spec.bands) >= 2:
        ceiling = sorted(spec.bands, key=lambda b: b.min)[1]
        if band.min > ceiling.min:
            band, capped = ceiling, True

    gaps = []
    for question, fraction, question_maximum, section_code in raw_gaps:
        weight = section_weight[section_code]
        if not total_weight or not weight:
            shortfall = Fraction(0)
        else:
            gain = question_maximum * (1 - fraction) / section_maximum[section_code]
            shortfall = gain * HUNDRED * weight / total_weight
        gaps.append(
            Gap(question.code, section_code, question.critical, float(fraction), float(shortfall))
        )
    gaps.sort(key=lambda gap: (not gap.critical, -gap.shortfall, gap.code))

    applicable = [r for s in sections for r in s.questions if r.status.applicable]
    return Result(
        score=float(overall) if overall is not None else None,
        band=band.code if band else None,
        band_capped=capped,
        sections=tuple(sections),
        critical_findings=tuple(findings),
        gaps=tuple(gaps),
        unanswered=tuple(unanswered),
        answered=sum(1 for r in applicable if r.status == Status.ANSWERED),
        applicable=len(applicable),
    )


def progress(spec: QuestionnaireSpec, answers: Mapping[str, AnswerData]) -> Progress:
    """Every question's status and the answered and applicable counts, as ``score``
    gives them, without the points: the cheap part of scoring, for a page being filled
    in (its progress bar and sidebar) and for the progress a save records."""
    visible, shown = _visibility(spec, answers)
    sections = []
    answered = applicable = 0
    for section in spec.sections:
        statuses = tuple(
            QuestionStatus(
                question.code,
                question_status(question, answers.get(question.code), question.code in visible),
            )
            for question in section.questions
        )
        for item in statuses:
            applicable += item.status.applicable
            answered += item.status == Status.ANSWERED
        sections.append(SectionProgress(section.code, statuses, section.code in shown))
    return Progress(tuple(sections), answered, applicable)


def question_status(question: QuestionSpec, answer: AnswerData | None, visible: bool) -> Status:
    """Where one question stands: hidden, not applicable, answered or unanswered."""
    if not visible:
        return Status.HIDDEN
    if answer is not None and answer.not_applicable:
        return Status.NOT_APPLICABLE
    return Status.ANSWERED if is_answered(question, answer) else Status.UNANSWERED


def _question_result(
    question: QuestionSpec, answer: AnswerData | None, visible: bool
) -> QuestionResult:
    status = question_status(question, answer, visible)
    if not status.applicable or not question.scored:
        return QuestionResult(question.code, status, float(question.weight))
    answered = status == Status.ANSWERED
    fraction = answer_fraction(question, answer) if answered else None
    earned = question.weight * (fraction or Fraction(0))
    return QuestionResult(
        code=question.code,
        status=status,
        weight=float(question.weight),
        fraction_exact=fraction,
        points_exact=earned,
        maximum_exact=question.weight,
    )
