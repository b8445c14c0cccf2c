"""Loading a published questionnaire version once, with its snapshot for scoring.

A published or retired version never changes (``LockedVersionError``), so each process
reads it once and shares it read-only; a draft is read afresh each time.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Prefetch

from compliance.scoring import (
    BandSpec,
    ChoiceSpec,
    QuestionnaireSpec,
    QuestionSpec,
    SectionSpec,
    ShowIfSpec,
)

from .models import Choice, Question, QuestionnaireVersion, Reference, ScoreBand, Section
from .services import sealed_digest


@dataclass
class LoadedVersion:
    """A version's sections and questions as loaded once, with its scoring snapshot."""

    version: QuestionnaireVersion
    sections: list[Section]
    questions: dict[str, Question]
    spec: QuestionnaireSpec

    def section_by_number(self, number: int) -> Section | None:
        return self.sections[number - 1] if 1 <= number <= len(self.sections) else None


#: Loaded contents of published and retired versions, which never change (see
#: ``LockedVersionError``): a process loads each one once. Drafts are always read afresh.
#: Keyed by the version's id, creation and publication times and content digest, so that
#: a row restored or recreated under a reused id, or content that differs in any way, is
#: never taken for another: every process keys the same content alike.
_LOCKED_CONTENT: dict[tuple, LoadedVersion] = {}
_LOCKED_CONTENT_MAX = 32
_LOCKED_CONTENT_LOCK = threading.Lock()


def forget_loaded_versions() -> None:
    """Empty this process's store of loaded versions (tests, and after a restore)."""
    with _LOCKED_CONTENT_LOCK:
        _LOCKED_CONTENT.clear()


def load_version(version: QuestionnaireVersion) -> LoadedVersion:
    """Sections, questions and choices in a fixed number of queries, whatever the size.

    A published or retired version's content is immutable, so it is loaded once per
    process and then shared (read-only) by every request; a draft is read each time.
    """
    if not version.is_draft:
        key = (version.pk, version.created_at, version.published_at, sealed_digest(version))
        cached = _LOCKED_CONTENT.get(key)
        if cached is None:
            cached = _read_version(version)
            with _LOCKED_CONTENT_LOCK:
                if len(_LOCKED_CONTENT) >= _LOCKED_CONTENT_MAX:
                    _LOCKED_CONTENT.clear()
                _LOCKED_CONTENT[key] = cached
        # The caller's instance: its status (published, retired) may be newer.
        return dataclasses.replace(cached, version=version)
    return _read_version(version)


def _read_version(version: QuestionnaireVersion) -> LoadedVersion:
    sections = list(
        Section.objects.filter(version=version)
        .order_by("order", "pk")
        .select_related("show_if_question")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "pk")
                .select_related("show_if_question")
                .prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
                    Prefetch(
                        "references",
                        queryset=Reference.objects.select_related("source").order_by("order"),
                    ),
                ),
            ),
            Prefetch("score_bands", queryset=ScoreBand.objects.order_by("min_score")),
        )
    )
    overall_bands = ScoreBand.objects.filter(version=version, section__isnull=True)
    questions = {q.code: q for section in sections for q in section.questions.all()}
    spec = QuestionnaireSpec(
        sections=tuple(
            SectionSpec(
                code=section.code,
                weight=Fraction(section.weight),
                questions=tuple(_question_spec(q) for q in section.questions.all()),
                bands=tuple(_band_spec(b) for b in section.score_bands.all()),
                show_if=_show_if_spec(section),
            )
            for section in sections
        ),
        bands=tuple(_band_spec(band) for band in overall_bands.order_by("min_score")),
        critical_threshold=Fraction(version.critical_threshold),
    )
    return LoadedVersion(version, sections, questions, spec)


def _band_spec(band: ScoreBand) -> BandSpec:
    return BandSpec(band.code, Fraction(band.min_score), Fraction(band.max_score))


def _show_if_spec(row: Question | Section) -> ShowIfSpec | None:
    if not row.show_if_question_id:
        return None
    return ShowIfSpec(row.show_if_question.code, frozenset(row.show_if_choices), row.show_if_match)


def _question_spec(question: Question) -> QuestionSpec:
    return QuestionSpec(
        code=question.code,
        type=question.type,
        weight=Fraction(question.weight),
        critical=question.critical,
        required=question.required,
        na_allowed=question.na_allowed,
        show_if=_show_if_spec(question),
        critical_threshold=None
        if question.critical_threshold is None
        else Fraction(question.critical_threshold),
        choices=tuple(
            ChoiceSpec(choice.code, Fraction(choice.score), choice.min_value)
            for choice in question.choices.all()
        ),
    )
