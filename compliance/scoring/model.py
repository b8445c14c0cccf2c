"""Plain data for scoring: the questionnaire snapshot, the answers, and the result."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

#: Question types answered by choosing (their answers are choice codes).
CHOICE_TYPES = frozenset({"yes_partial_no", "single_choice", "maturity", "multiple_choice"})
#: Question types that never carry points.
UNSCORED_TYPES = frozenset({"date", "text"})


def carries_points(question_type: str, weight, has_choices: bool) -> bool:
    """Whether a question carries points: the one rule, for the scoring engine, the
    questionnaire validator and the authoring documents. A weight of 0 carries none, and
    a number question only with its thresholds (choices)."""
    if question_type in UNSCORED_TYPES or not weight:
        return False
    return question_type != "number" or has_choices


@dataclass(frozen=True)
class ChoiceSpec:
    code: str
    score: Fraction
    min_value: Decimal | None = None


@dataclass(frozen=True)
class ShowIfSpec:
    question: str
    choices: frozenset[str]
    match: str = "any"


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    type: str
    weight: Fraction = Fraction(1)
    critical: bool = False
    required: bool = True
    na_allowed: bool = False
    show_if: ShowIfSpec | None = None
    choices: tuple[ChoiceSpec, ...] = ()
    #: Below this fraction a critical question is a finding; None: the version's threshold.
    critical_threshold: Fraction | None = None

    @property
    def scored(self) -> bool:
        """Whether the question carries points (``carries_points``)."""
        return carries_points(self.type, self.weight, bool(self.choices))


@dataclass(frozen=True)
class BandSpec:
    code: str
    min: Fraction
    max: Fraction


@dataclass(frozen=True)
class SectionSpec:
    code: str
    weight: Fraction
    questions: tuple[QuestionSpec, ...]
    bands: tuple[BandSpec, ...] = ()
    #: The whole section is asked only when this holds (for example a company profile).
    show_if: ShowIfSpec | None = None


@dataclass(frozen=True)
class QuestionnaireSpec:
    sections: tuple[SectionSpec, ...]
    bands: tuple[BandSpec, ...] = ()
    critical_threshold: Fraction = Fraction(1, 2)

    def questions(self) -> list[QuestionSpec]:
        return [question for section in self.sections for question in section.questions]

    def section(self, code: str) -> SectionSpec:
        return next(section for section in self.sections if section.code == code)


@dataclass(frozen=True)
class AnswerData:
    """One answer, reduced to what scoring needs."""

    choices: frozenset[str] = frozenset()
    number: Decimal | None = None
    has_value: bool = False  # a date or free text was given
    not_applicable: bool = False


class Status(StrEnum):
    """Where a question stands in a result."""

    ANSWERED = "answered"
    UNANSWERED = "unanswered"
    NOT_APPLICABLE = "not_applicable"
    HIDDEN = "hidden"  # not asked: a show-if condition on an earlier answer is not met

    @property
    def applicable(self) -> bool:
        return self in (Status.ANSWERED, Status.UNANSWERED)


@dataclass(frozen=True)
class QuestionResult:
    code: str
    status: Status
    weight: float
    fraction_exact: Fraction | None = None
    points_exact: Fraction = Fraction(0)
    maximum_exact: Fraction = Fraction(0)

    @property
    def points(self) -> float:
        return float(self.points_exact)

    @property
    def maximum(self) -> float:
        return float(self.maximum_exact)

    @property
    def fraction(self) -> float | None:
        return None if self.fraction_exact is None else float(self.fraction_exact)


@dataclass(frozen=True)
class SectionResult:
    code: str
    weight: float
    score_exact: Fraction | None
    points: float
    maximum: float
    band: str | None
    questions: tuple[QuestionResult, ...] = ()
    #: False when the section's own show-if condition does not hold: not applicable.
    shown: bool = True

    @property
    def score(self) -> float | None:
        return None if self.score_exact is None else float(self.score_exact)

    @property
    def maximum_exact(self) -> Fraction:
        return sum((q.maximum_exact for q in self.questions), Fraction(0))

    @property
    def hidden(self) -> frozenset[str]:
        """The codes of the section's questions not asked (show-if)."""
        return frozenset(q.code for q in self.questions if q.status == Status.HIDDEN)


@dataclass(frozen=True)
class QuestionStatus:
    code: str
    status: Status


@dataclass(frozen=True)
class SectionProgress:
    """Where a section's questions stand, without their scores (``progress``)."""

    code: str
    questions: tuple[QuestionStatus, ...]
    shown: bool = True

    @property
    def hidden(self) -> frozenset[str]:
        """The codes of the section's questions not asked (show-if)."""
        return frozenset(q.code for q in self.questions if q.status == Status.HIDDEN)


@dataclass(frozen=True)
class Progress:
    """How far an assessment is answered: every question's status as ``score`` gives it,
    and the counts, without the points (what a page being filled in shows)."""

    sections: tuple[SectionProgress, ...]
    answered: int = 0
    applicable: int = 0


@dataclass(frozen=True)
class CriticalFinding:
    code: str
    section: str
    fraction: float


@dataclass(frozen=True)
class Gap:
    code: str
    section: str
    critical: bool
    fraction: float
    shortfall: float  # points of the overall score that a full answer would add


@dataclass(frozen=True)
class Result:
    score: float | None
    band: str | None
    band_capped: bool
    sections: tuple[SectionResult, ...]
    critical_findings: tuple[CriticalFinding, ...] = ()
    gaps: tuple[Gap, ...] = ()
    unanswered: tuple[str, ...] = ()
    answered: int = 0
    applicable: int = 0

    def section(self, code: str) -> SectionResult:
        return next(section for section in self.sections if section.code == code)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        """The result as ``to_json`` froze it (exact fractions come back from the floats
        that were stored: a frozen result is read, never scored again)."""

        def exact(value: float | None) -> Fraction | None:
            return None if value is None else Fraction(str(value))

        return cls(
            score=data["score"],
            band=data["band"],
            band_capped=data["band_capped"],
            answered=data["answered"],
            applicable=data["applicable"],
            unanswered=tuple(data["unanswered"]),
            critical_findings=tuple(CriticalFinding(**f) for f in data["critical_findings"]),
            gaps=tuple(Gap(**g) for g in data["gaps"]),
            sections=tuple(
                SectionResult(
                    code=s["code"],
                    weight=s["weight"],
                    score_exact=exact(s["score"]),
                    points=s["points"],
                    maximum=s["maximum"],
                    band=s["band"],
                    shown=s.get("shown", True),  # results frozen before sections could hide
                    questions=tuple(
                        QuestionResult(
                            code=q["code"],
                            status=Status(q["status"]),
                            weight=q["weight"],
                            fraction_exact=exact(q["fraction"]),
                            points_exact=exact(q["points"]),
                            maximum_exact=exact(q["maximum"]),
                        )
                        for q in s["questions"]
                    ),
                )
                for s in data["sections"]
            ),
        )

    def to_json(self) -> dict:
        """Plain JSON data, for freezing the result with a submitted assessment."""
        return {
            "score": self.score,
            "band": self.band,
            "band_capped": self.band_capped,
            "answered": self.answered,
            "applicable": self.applicable,
            "unanswered": list(self.unanswered),
            "critical_findings": [asdict(f) for f in self.critical_findings],
            "gaps": [asdict(g) for g in self.gaps],
            "sections": [
                {
                    "code": s.code,
                    "weight": s.weight,
                    "score": s.score,
                    "points": s.points,
                    "maximum": s.maximum,
                    "band": s.band,
                    "shown": s.shown,
                    "questions": [
                        {
                            "code": q.code,
                            "status": q.status,
                            "weight": q.weight,
                            "fraction": q.fraction,
                            "points": q.points,
                            "maximum": q.maximum,
                        }
                        for q in s.questions
                    ],
                }
                for s in self.sections
            ],
        }
