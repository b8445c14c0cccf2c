"""Pure scoring: questionnaire snapshot + answers -> result. No ORM, no Django imports."""

from .engine import answer_fraction, band_for, is_answered, score, visible_questions
from .model import (
    AnswerData,
    BandSpec,
    ChoiceSpec,
    QuestionnaireSpec,
    QuestionSpec,
    Result,
    SectionSpec,
    ShowIfSpec,
)

__all__ = [
    "AnswerData",
    "BandSpec",
    "ChoiceSpec",
    "QuestionSpec",
    "QuestionnaireSpec",
    "Result",
    "SectionSpec",
    "ShowIfSpec",
    "answer_fraction",
    "band_for",
    "is_answered",
    "score",
    "visible_questions",
]
