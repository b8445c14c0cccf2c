"""From an assessment's answers to the pure scoring package's input, and its result."""

from __future__ import annotations

from django.db.models import F

from compliance.questionnaires.selectors import LoadedVersion
from compliance.scoring import AnswerData, Result, score

from .models import Answer, Assessment


def answer_data(answer: Answer) -> AnswerData:
    return AnswerData(
        choices=frozenset(answer.choice_codes or ()),
        number=answer.value_number,
        has_value=bool(answer.value_text.strip()) or answer.value_date is not None,
        not_applicable=answer.not_applicable,
    )


def answers_by_code(assessment: Assessment, people: bool = True) -> dict[str, Answer]:
    """The assessment's answers by question code, each with its last author unless
    ``people`` is false (scoring needs none: half the objects to build)."""
    answers = Answer.objects.filter(assessment=assessment).annotate(code=F("question__code"))
    if people:
        answers = answers.select_related("updated_by")
    return {answer.code: answer for answer in answers}


def compute_result(content: LoadedVersion, answers: dict[str, Answer]) -> Result:
    return score(content.spec, {code: answer_data(a) for code, a in answers.items()})
