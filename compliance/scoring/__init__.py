"""Pure scoring: questionnaire snapshot + answers -> result. No ORM, no Django imports."""

from .engine import (
    answer_fraction,
    band_for,
    is_answered,
    score,
    shown_sections,
    visible_questions,
)
from .model import (
    AnswerData,
    BandSpec,
    ChoiceSpec,
    CriticalFinding,
    Gap,
    QuestionnaireSpec,
    QuestionSpec,
    Result,
    SectionSpec,
    ShowIfSpec,
    Status,
)

__all__ = [
    "AnswerData",
    "BandSpec",
    "ChoiceSpec",
    "CriticalFinding",
    "Gap",
    "QuestionSpec",
    "QuestionnaireSpec",
    "Result",
    "SectionSpec",
    "ShowIfSpec",
    "Status",
    "answer_fraction",
    "band_for",
    "is_answered",
    "score",
    "shown_sections",
    "visible_questions",
]
