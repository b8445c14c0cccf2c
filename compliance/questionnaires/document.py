"""A questionnaire version as plain data, and the way in and out of the database.

The document is the one shape that the YAML format, the publishing checks, the
"new draft from this version" copy and the version comparison all work on:

    database --document_from_version--> QuestionnaireDocument --create_version--> database
    YAML file --yaml_format.load-----------^          \\--yaml_writer.dump--> YAML file
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch

from compliance.core.i18n import column_suffix
from compliance.scoring.model import carries_points

from .models import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Reference,
    ScoreBand,
    Section,
    Source,
)


@dataclass
class Text:
    """A text in both content languages."""

    en: str = ""
    zh_hans: str = ""

    def __bool__(self) -> bool:
        return bool(self.en or self.zh_hans)

    @classmethod
    def of(cls, obj: object, name: str) -> Text:
        return cls(getattr(obj, f"{name}_en"), getattr(obj, f"{name}_zh_hans"))

    def current(self) -> str:
        """The text in the active language, falling back to English."""
        return (column_suffix() == "zh_hans" and self.zh_hans) or self.en

    def columns(self, name: str) -> dict[str, str]:
        return {f"{name}_en": self.en, f"{name}_zh_hans": self.zh_hans}


@dataclass
class ChoiceDocument:
    code: str
    label: Text
    score: Decimal
    description: Text = field(default_factory=Text)
    min_value: Decimal | None = None
    exclusive: bool = False
    justify: bool = False


@dataclass
class ReferenceDocument:
    source: str
    locator: Text = field(default_factory=Text)
    element: str = ""


@dataclass
class ShowIf:
    question: str
    choices: list[str]
    match: str = "any"
    #: Set when read from a database row whose condition points into another version.
    other_version: bool = False


@dataclass
class QuestionDocument:
    code: str
    type: str
    text: Text
    guidance: Text = field(default_factory=Text)
    recommendation: Text = field(default_factory=Text)
    evidence: Text = field(default_factory=Text)
    references: list[ReferenceDocument] = field(default_factory=list)
    references_note: Text = field(default_factory=Text)
    weight: Decimal = Decimal(1)
    critical: bool = False
    critical_threshold: Decimal | None = None
    na_allowed: bool = False
    required: bool = True
    show_if: ShowIf | None = None
    choices: list[ChoiceDocument] = field(default_factory=list)

    @property
    def is_scored(self) -> bool:
        return carries_points(self.type, self.weight, bool(self.choices))


@dataclass
class BandDocument:
    code: str
    min: Decimal
    max: Decimal
    label: Text
    description: Text = field(default_factory=Text)


@dataclass
class SectionDocument:
    code: str
    title: Text
    description: Text = field(default_factory=Text)
    white_paper_part: str = ""
    crosswalk: Text = field(default_factory=Text)
    weight: Decimal = Decimal(1)
    show_if: ShowIf | None = None
    score_bands: list[BandDocument] = field(default_factory=list)
    questions: list[QuestionDocument] = field(default_factory=list)


@dataclass
class QuestionnaireDocument:
    slug: str
    title: Text
    number: int = 1
    description: Text = field(default_factory=Text)
    methodology: Text = field(default_factory=Text)
    changelog: Text = field(default_factory=Text)
    critical_threshold: Decimal = Decimal("0.5")
    sources: dict[str, Text] = field(default_factory=dict)
    score_bands: list[BandDocument] = field(default_factory=list)
    sections: list[SectionDocument] = field(default_factory=list)

    def questions(self) -> list[QuestionDocument]:
        return [question for section in self.sections for question in section.questions]


DEFAULT_YES_PARTIAL_NO = (
    ("yes", Text("Yes", "是"), Decimal(1)),
    ("partial", Text("Partially", "部分"), Decimal("0.5")),
    ("no", Text("No", "否"), Decimal(0)),
)


def default_choices(question_type: str) -> list[ChoiceDocument]:
    """The choices a yes / partially / no question gets when none are written."""
    if question_type != Question.Type.YES_PARTIAL_NO:
        return []
    return [ChoiceDocument(code, label, score) for code, label, score in DEFAULT_YES_PARTIAL_NO]


def document_from_version(version: QuestionnaireVersion) -> QuestionnaireDocument:
    """Read a version and everything under it (a fixed number of queries)."""
    questions = Question.objects.select_related("show_if_question").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
        Prefetch(
            "references", queryset=Reference.objects.select_related("source").order_by("order")
        ),
    )
    version = (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.select_related("show_if_question").order_by("order", "pk"),
            ),
            Prefetch("sections__questions", queryset=questions.order_by("order", "pk")),
            Prefetch("score_bands", queryset=ScoreBand.objects.order_by("order", "min_score")),
            Prefetch("sources", queryset=Source.objects.order_by("pk")),
        )
        .get(pk=version.pk)
    )
    bands = list(version.score_bands.all())
    return QuestionnaireDocument(
        slug=version.questionnaire.slug,
        title=Text.of(version.questionnaire, "title"),
        number=version.number,
        description=Text.of(version, "description"),
        methodology=Text.of(version, "methodology"),
        changelog=Text.of(version, "changelog"),
        critical_threshold=version.critical_threshold,
        sources={source.code: Text.of(source, "title") for source in version.sources.all()},
        score_bands=[_band_document(band) for band in bands if band.section_id is None],
        sections=[
            SectionDocument(
                code=section.code,
                title=Text.of(section, "title"),
                description=Text.of(section, "description"),
                white_paper_part=section.white_paper_part,
                crosswalk=Text.of(section, "crosswalk"),
                weight=section.weight,
                show_if=_show_if_document(section),
                score_bands=[_band_document(b) for b in bands if b.section_id == section.pk],
                questions=[_question_document(q) for q in section.questions.all()],
            )
            for section in version.sections.all()
        ],
    )


def _band_document(band: ScoreBand) -> BandDocument:
    return BandDocument(
        code=band.code,
        min=band.min_score,
        max=band.max_score,
        label=Text.of(band, "label"),
        description=Text.of(band, "description"),
    )


def _show_if_document(row: Question | Section) -> ShowIf | None:
    """The show-if condition of a question or a section, as the document holds it."""
    if row.show_if_question is None:
        return None
    return ShowIf(
        row.show_if_question.code,
        list(row.show_if_choices),
        row.show_if_match,
        other_version=row.show_if_question.version_id != row.version_id,
    )


def _question_document(question: Question) -> QuestionDocument:
    show_if = _show_if_document(question)
    return QuestionDocument(
        code=question.code,
        type=question.type,
        text=Text.of(question, "text"),
        guidance=Text.of(question, "guidance"),
        recommendation=Text.of(question, "recommendation"),
        evidence=Text.of(question, "evidence"),
        references=[
            ReferenceDocument(
                reference.source.code, Text.of(reference, "locator"), reference.element
            )
            for reference in question.references.all()
        ],
        references_note=Text.of(question, "references_note"),
        weight=question.weight,
        critical=question.critical,
        critical_threshold=question.critical_threshold,
        na_allowed=question.na_allowed,
        required=question.required,
        show_if=show_if,
        choices=[
            ChoiceDocument(
                code=choice.code,
                label=Text.of(choice, "label"),
                score=choice.score,
                description=Text.of(choice, "description"),
                min_value=choice.min_value,
                exclusive=choice.exclusive,
                justify=choice.justify,
            )
            for choice in question.choices.all()
        ],
    )


@transaction.atomic
def create_version(
    document: QuestionnaireDocument,
    *,
    number: int | None = None,
    based_on: QuestionnaireVersion | None = None,
) -> QuestionnaireVersion:
    """Write a document as a new draft version (and the questionnaire, if it is new).

    The version gets ``number`` when given, else the document's number when that is
    free, else the next number. Bulk writes: the query count does not grow with size.
    """
    questionnaire, _created = Questionnaire.objects.get_or_create(
        slug=document.slug, defaults=document.title.columns("title")
    )
    taken = set(questionnaire.versions.values_list("number", flat=True))
    if number is None:
        number = document.number if document.number not in taken else max(taken) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        based_on=based_on,
        critical_threshold=document.critical_threshold,
        **document.description.columns("description"),
        **document.methodology.columns("methodology"),
        **document.changelog.columns("changelog"),
    )
    sources = Source.objects.bulk_create(
        Source(version=version, code=code, **title.columns("title"))
        for code, title in document.sources.items()
    )
    source_by_code = {source.code: source for source in sources}
    sections = Section.objects.bulk_create(
        Section(
            version=version,
            order=index,
            code=section.code,
            white_paper_part=section.white_paper_part,
            weight=section.weight,
            **section.title.columns("title"),
            **section.description.columns("description"),
            **section.crosswalk.columns("crosswalk"),
        )
        for index, section in enumerate(document.sections, start=1)
    )
    bands = [_band(version, None, index, band) for index, band in enumerate(document.score_bands)]
    question_rows: list[tuple[QuestionDocument, Question]] = []
    for section, section_document in zip(sections, document.sections, strict=True):
        bands += [
            _band(version, section, index, band)
            for index, band in enumerate(section_document.score_bands)
        ]
        for index, question in enumerate(section_document.questions, start=1):
            question_rows.append((question, _question(version, section, index, question)))
    ScoreBand.objects.bulk_create(bands)
    created_questions = Question.objects.bulk_create(row for _, row in question_rows)
    question_by_code = {question.code: question for question in created_questions}

    choices, references, with_condition = [], [], []
    for question_document, question in zip(
        (document for document, _ in question_rows), created_questions, strict=True
    ):
        choices += [
            Choice(
                question=question,
                order=index,
                code=choice.code,
                score=choice.score,
                min_value=choice.min_value,
                exclusive=choice.exclusive,
                justify=choice.justify,
                **choice.label.columns("label"),
                **choice.description.columns("description"),
            )
            for index, choice in enumerate(question_document.choices, start=1)
        ]
        references += [
            Reference(
                question=question,
                order=index,
                source=source_by_code[reference.source],
                element=reference.element,
                **reference.locator.columns("locator"),
            )
            for index, reference in enumerate(question_document.references, start=1)
        ]
        if question_document.show_if:
            question.show_if_question = question_by_code[question_document.show_if.question]
            with_condition.append(question)
    Choice.objects.bulk_create(choices)
    Reference.objects.bulk_create(references)
    Question.objects.bulk_update(with_condition, ["show_if_question"])
    routed = []
    for section, section_document in zip(sections, document.sections, strict=True):
        if section_document.show_if:
            section.show_if_question = question_by_code[section_document.show_if.question]
            section.show_if_choices = list(section_document.show_if.choices)
            section.show_if_match = section_document.show_if.match
            routed.append(section)
    Section.objects.bulk_update(routed, ["show_if_question", "show_if_choices", "show_if_match"])
    return version


def _band(version, section, index: int, band: BandDocument) -> ScoreBand:
    return ScoreBand(
        version=version,
        section=section,
        order=index,
        code=band.code,
        min_score=band.min,
        max_score=band.max,
        **band.label.columns("label"),
        **band.description.columns("description"),
    )


def _question(version, section, index: int, question: QuestionDocument) -> Question:
    return Question(
        version=version,
        section=section,
        order=index,
        code=question.code,
        type=question.type,
        weight=question.weight,
        critical=question.critical,
        critical_threshold=question.critical_threshold,
        na_allowed=question.na_allowed,
        required=question.required,
        show_if_choices=list(question.show_if.choices) if question.show_if else [],
        show_if_match=question.show_if.match if question.show_if else Question.Match.ANY,
        **question.text.columns("text"),
        **question.guidance.columns("guidance"),
        **question.recommendation.columns("recommendation"),
        **question.evidence.columns("evidence"),
        **question.references_note.columns("references_note"),
    )


def text_fields(document_class: type) -> list[str]:
    """Names of a document class's bilingual text fields (for checks and comparisons)."""
    return [f.name for f in fields(document_class) if f.type in ("Text", Text)]
