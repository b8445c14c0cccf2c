"""The checks a questionnaire version must pass: on import, and before it is published.

Each problem names where it is twice: as a path into the document (which the YAML reader
turns into a line number) and as a label with the codes an author recognises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django.utils.translation import gettext as _

from .document import BandDocument, QuestionDocument, QuestionnaireDocument, Text
from .models import (
    Choice,
    Question,
    Questionnaire,
    Reference,
    ScoreBand,
    Section,
    Source,
)

Path = tuple[str | int, ...]

QUESTION_TYPES = set(Question.Type.values)
WHITE_PAPER_PARTS = set(Section.WhitePaperPart.values)
#: What a code may hold: the same as a slug in a URL, where question codes appear.
CODE = re.compile(r"[-a-zA-Z0-9_]+")


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _largest(model, name: str) -> Decimal:
    """The largest number a decimal column of the model holds."""
    field = model._meta.get_field(name)
    step = Decimal(1).scaleb(-field.decimal_places)
    return Decimal(10) ** (field.max_digits - field.decimal_places) - step


@dataclass(frozen=True)
class Problem:
    path: Path
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def check_document(document: QuestionnaireDocument, *, publishing: bool) -> list[Problem]:
    """Every problem of the document. With ``publishing``, also missing translations."""
    checker = _Checker(document, publishing)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, document: QuestionnaireDocument, publishing: bool) -> None:
        self.document = document
        self.publishing = publishing
        self.problems: list[Problem] = []

    def add(self, path: Path, where: str, message: str) -> None:
        self.problems.append(Problem(path, where, message))

    def run(self) -> None:
        document = self.document
        self.require_text(("questionnaire", "title"), _("questionnaire"), document.title)
        self.check_code(("questionnaire", "slug"), _("questionnaire"), document.slug, Questionnaire)
        self.check_length(
            ("questionnaire", "title"), _("questionnaire"), document.title, Questionnaire, "title"
        )
        for code, title in document.sources.items():
            where = _("source “%(code)s”") % {"code": _shortened(code)}
            self.check_code(("sources", code), where, code, Source)
            self.check_length(("sources", code), where, title, Source, "title")
        if not 0 <= document.critical_threshold <= 1:
            self.add(
                ("version", "critical_threshold"),
                _("version"),
                _("the critical threshold must be between 0 and 1"),
            )
        self.check_bands(("score_bands",), _("overall score bands"), document.score_bands)
        if not document.sections:
            self.add(("sections",), "", _("the version has no section"))
        self.check_unique(
            "",
            [(("sections", i), section.code) for i, section in enumerate(document.sections)],
            _("section code"),
        )
        self.check_unique(
            "",
            [
                (("sections", s, "questions", q), question.code)
                for s, section in enumerate(document.sections)
                for q, question in enumerate(section.questions)
            ],
            _("question code"),
        )
        earlier: dict[str, QuestionDocument] = {}
        for s_index, section in enumerate(document.sections):
            path = ("sections", s_index)
            where = _("section “%(code)s”") % {"code": section.code}
            self.require_text((*path, "title"), where, section.title)
            self.check_code((*path, "code"), where, section.code, Section)
            self.check_length((*path, "title"), where, section.title, Section, "title")
            if section.weight < 0:
                self.add((*path, "weight"), where, _("the weight must be 0 or more"))
            self.check_largest((*path, "weight"), where, section.weight, Section, "weight")
            if section.white_paper_part and section.white_paper_part not in WHITE_PAPER_PARTS:
                self.add(
                    (*path, "white_paper_part"),
                    where,
                    _("the white paper part must be one of I, II, III, IV"),
                )
            if section.score_bands:
                self.check_bands((*path, "score_bands"), where, section.score_bands)
            if not section.questions:
                self.add((*path, "questions"), where, _("the section has no question"))
            # A section's condition is on a question of an earlier section (the profile).
            self.check_show_if(path, where, section.show_if, earlier)
            for q_index, question in enumerate(section.questions):
                self.check_question((*path, "questions", q_index), question, earlier)
                earlier[question.code] = question

    def check_question(
        self, path: Path, question: QuestionDocument, earlier: dict[str, QuestionDocument]
    ) -> None:
        where = _("question “%(code)s”") % {"code": question.code}
        self.require_text((*path, "text"), where, question.text)
        if question.type not in QUESTION_TYPES:
            self.add(
                (*path, "type"),
                where,
                _("unknown type “%(type)s”; use one of %(types)s")
                % {"type": question.type, "types": ", ".join(sorted(QUESTION_TYPES))},
            )
            return
        self.check_code((*path, "code"), where, question.code, Question)
        if question.weight < 0:
            self.add((*path, "weight"), where, _("the weight must be 0 or more"))
        self.check_largest((*path, "weight"), where, question.weight, Question, "weight")
        uses_choices = question.type in Question.CHOICE_TYPES
        if uses_choices and not question.choices:
            self.add((*path, "choices"), where, _("a question answered by choices needs choices"))
        if question.type in Question.UNSCORED_TYPES and question.choices:
            self.add(
                (*path, "choices"), where, _("a date or free-text question must not have choices")
            )
        if question.critical and not question.is_scored:
            self.add((*path, "critical"), where, _("a critical question must be scored"))
        if question.critical_threshold is not None:
            if not question.critical:
                self.add(
                    (*path, "critical_threshold"),
                    where,
                    _("only a critical question has a critical threshold"),
                )
            elif not Decimal(0) < question.critical_threshold <= Decimal(1):
                self.add(
                    (*path, "critical_threshold"),
                    where,
                    _("the critical threshold must be above 0 and at most 1"),
                )
        self.check_unique(
            where,
            [((*path, "choices", i), choice.code) for i, choice in enumerate(question.choices)],
            _("choice code"),
        )
        for c_index, choice in enumerate(question.choices):
            c_path = (*path, "choices", c_index)
            c_where = f"{where}, " + _("choice “%(code)s”") % {"code": choice.code}
            self.require_text((*c_path, "label"), c_where, choice.label)
            self.check_code((*c_path, "code"), c_where, choice.code, Choice)
            self.check_length((*c_path, "label"), c_where, choice.label, Choice, "label")
            if choice.min_value is not None:
                self.check_largest(
                    (*c_path, "min_value"), c_where, choice.min_value, Choice, "min_value"
                )
            if not Decimal(0) <= choice.score <= Decimal(1):
                self.add(
                    (*c_path, "score"),
                    c_where,
                    _("the score %(score)s is outside 0 to 1") % {"score": choice.score},
                )
            if choice.exclusive and question.type != Question.Type.MULTIPLE_CHOICE:
                self.add(
                    (*c_path, "exclusive"),
                    c_where,
                    _("only a multiple-choice question's choice can be exclusive"),
                )
            if choice.justify and not uses_choices:
                self.add(
                    (*c_path, "justify"),
                    c_where,
                    _("only a choice of a question answered by choices can need a justification"),
                )
            if question.type == Question.Type.NUMBER and choice.min_value is None:
                self.add(
                    (*c_path, "min_value"),
                    c_where,
                    _("a number question's choice needs a “from value” (min_value)"),
                )
        for r_index, reference in enumerate(question.references):
            self.check_length(
                (*path, "references", r_index, "locator"),
                where,
                reference.locator,
                Reference,
                "locator",
            )
            if len(reference.element) > _max_length(Reference, "element"):
                self.add(
                    (*path, "references", r_index, "element"),
                    where,
                    _("the element has %(length)s characters; at most %(max)s fit")
                    % {
                        "length": len(reference.element),
                        "max": _max_length(Reference, "element"),
                    },
                )
            if reference.source not in self.document.sources:
                self.add(
                    (*path, "references", r_index, "source"),
                    where,
                    _("unknown source “%(source)s”") % {"source": reference.source},
                )
        self.check_show_if(path, where, question.show_if, earlier)

    def check_show_if(self, path: Path, where: str, condition, earlier: dict) -> None:
        """A question's or a section's condition: on an earlier question, by its choices."""
        if condition is None:
            return
        c_path = (*path, "show_if")
        if getattr(condition, "other_version", False):
            self.add(
                (*c_path, "question"),
                where,
                _("show-if points at a question of another version"),
            )
            return
        target = earlier.get(condition.question)
        if target is None:
            later = any(q.code == condition.question for q in self.document.questions())
            message = (
                _("show-if must point at an earlier question, not “%(code)s”")
                if later
                else _("show-if points at a missing question “%(code)s”")
            )
            self.add((*c_path, "question"), where, message % {"code": condition.question})
            return
        if target.type not in Question.CHOICE_TYPES:
            self.add(
                (*c_path, "question"),
                where,
                _("show-if must point at a question answered by choices"),
            )
        if condition.match not in ("any", "all"):
            self.add((*c_path, "match"), where, _("show-if match must be “any” or “all”"))
        if not condition.choices:
            self.add((*c_path, "choices"), where, _("show-if names no choice"))
        known = {choice.code for choice in target.choices}
        for index, code in enumerate(condition.choices):
            if code not in known:
                self.add(
                    (*c_path, "choices", index),
                    where,
                    _("show-if names “%(choice)s”, which is not a choice of “%(question)s”")
                    % {"choice": code, "question": target.code},
                )

    def check_bands(self, path: Path, where: str, bands: list[BandDocument]) -> None:
        if not bands:
            if self.publishing:
                self.add(path, where, _("there are no score bands"))
            return
        self.check_unique(
            where, [((*path, i), band.code) for i, band in enumerate(bands)], _("band code")
        )
        for index, band in enumerate(bands):
            self.require_text((*path, index, "label"), where, band.label)
            self.check_code((*path, index, "code"), where, band.code, ScoreBand)
            self.check_length((*path, index, "label"), where, band.label, ScoreBand, "label")
            if not (0 <= band.min < band.max <= 100):
                self.add(
                    (*path, index),
                    where,
                    _("band “%(code)s” must run from a lower to a higher score within 0 to 100")
                    % {"code": band.code},
                )
        ordered = sorted(enumerate(bands), key=lambda item: (item[1].min, item[1].max))
        if ordered[0][1].min != 0:
            self.add((*path, ordered[0][0]), where, _("the score bands must start at 0"))
        if ordered[-1][1].max != 100:
            self.add((*path, ordered[-1][0]), where, _("the score bands must end at 100"))
        for (_i, low), (j, high) in pairwise(ordered):
            if high.min > low.max:
                self.add(
                    (*path, j),
                    where,
                    _("gap between bands “%(low)s” and “%(high)s” (%(from)s to %(to)s)")
                    % {"low": low.code, "high": high.code, "from": low.max, "to": high.min},
                )
            elif high.min < low.max:
                self.add(
                    (*path, j),
                    where,
                    _("bands “%(low)s” and “%(high)s” overlap")
                    % {"low": low.code, "high": high.code},
                )

    def check_unique(self, where: str, items: list[tuple[Path, str]], what: str) -> None:
        """Report each repeat of a code at the place where it repeats."""
        seen: set[str] = set()
        for path, code in items:
            if code in seen:
                self.add(
                    (*path, "code"),
                    where,
                    _("duplicate %(what)s “%(code)s”") % {"what": what, "code": code},
                )
            seen.add(code)

    def check_code(self, path: Path, where: str, code: str, model) -> None:
        """A code (or the questionnaire's slug) fits its column and the URLs it appears in."""
        longest = _max_length(model, "slug" if model is Questionnaire else "code")
        if not code:
            self.add(path, where, _("must not be empty"))
        elif not (CODE.fullmatch(code) and len(code) <= longest):
            self.add(
                path,
                where,
                _(
                    "the code “%(code)s” must be at most %(max)s letters, digits, hyphens "
                    "and underscores"
                )
                % {"code": _shortened(code), "max": longest},
            )

    def check_length(self, path: Path, where: str, text: Text, model, name: str) -> None:
        for language, column in (("en", f"{name}_en"), ("zh-hans", f"{name}_zh_hans")):
            value = text.en if language == "en" else text.zh_hans
            longest = _max_length(model, column)
            if len(value) > longest:
                self.add(
                    (*path, language),
                    where,
                    _("the text has %(length)s characters; at most %(max)s fit")
                    % {"length": len(value), "max": longest},
                )

    def check_largest(self, path: Path, where: str, value: Decimal, model, name: str) -> None:
        largest = _largest(model, name)
        if abs(value) > largest:
            self.add(
                path,
                where,
                _("%(value)s is out of range (at most %(max)s in size)")
                % {"value": value, "max": largest},
            )

    def require_text(self, path: Path, where: str, text) -> None:
        if not text.en.strip():
            self.add((*path, "en"), where, _("the English text is missing"))
        elif self.publishing and not text.zh_hans.strip():
            self.add((*path, "zh-hans"), where, _("the Chinese text is missing"))


def _shortened(code: str, size: int = 60) -> str:
    """A code as quoted in a message: a long one cut short."""
    return code if len(code) <= size else code[:size] + "…"
