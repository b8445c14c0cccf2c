"""Pure scoring: questionnaire snapshot + answers -> result. No ORM, no Django imports."""

from .engine import (
    answer_fraction,
    band_for,
    is_answered,
    progress,
    question_status,
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
    Progress,
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
    "Progress",
    "QuestionSpec",
    "QuestionnaireSpec",
    "Result",
    "SectionSpec",
    "ShowIfSpec",
    "Status",
    "answer_fraction",
    "band_for",
    "is_answered",
    "progress",
    "question_status",
    "score",
    "shown_sections",
    "visible_questions",
]
