"""From loaded YAML data to a questionnaire document, checking every key and value and
collecting every structural problem with its path (``yaml_format.load`` runs it)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .document import (
    BandDocument,
    ChoiceDocument,
    QuestionDocument,
    QuestionnaireDocument,
    ReferenceDocument,
    SectionDocument,
    ShowIf,
    Text,
    default_choices,
)
from .validation import Path

FORMAT = "compliance-questionnaire/1"
#: Version numbers are stored in a 32-bit column, and an import may add one to the highest.
MAX_VERSION_NUMBER = 1_000_000
#: Numbers this large are refused while reading (every limit in the format is far
#: smaller), and numbers with more than 6 decimal places are rounded, so that no number
#: from a file can overflow a database column (PostgreSQL refuses 1e-999999 in one).
MAX_NUMBER = Decimal(10) ** 15
NUMBER_STEP = Decimal("0.000001")
#: Problems described in full; past these a file's problems are only counted, so that a
#: hostile file (150,000 unknown keys) costs neither seconds of CPU nor a huge page.
MAX_PROBLEMS = 100


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Reader:
    """Turns loaded YAML data into a document, collecting every structural error."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines
        self.errors: list[str] = []
        #: Problems found past the first MAX_PROBLEMS: counted, not described.
        self.more = 0

    def locate(self, path: Path) -> str:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return _("Line %(line)s, %(path)s: ") % {
                    "line": self.lines[path[:end]],
                    "path": format_path(path) or _("top level"),
                }
        return ""

    def error(self, path: Path, message: str) -> None:
        if len(self.errors) >= MAX_PROBLEMS:
            self.more += 1
            return
        self.errors.append(f"{self.locate(path)}{message}")

    def mapping(self, value: Any, path: Path, required: set[str], optional: set[str]) -> dict:
        if not isinstance(value, dict):
            self.error(path, _("expected a mapping of keys and values"))
            return {}
        allowed = required | optional
        for key in value:
            if key not in allowed:
                if len(self.errors) >= MAX_PROBLEMS:
                    self.more += 1
                    continue
                self.error(
                    (*path, key),
                    _("unknown key “%(key)s”; expected one of %(keys)s")
                    % {"key": key, "keys": ", ".join(sorted(required | optional))},
                )
        for key in sorted(required - set(value)):
            self.error(path, _("the key “%(key)s” is missing") % {"key": key})
        return value

    def sequence(self, value: Any, path: Path) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, _("expected a list"))
            return []
        return value

    def string(self, value: Any, path: Path, *, required: bool = True) -> str:
        if value is None:  # a missing required key is reported by mapping()
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            hint = _(" (write yes, no, on and off in quotes)") if isinstance(value, bool) else ""
            self.error(path, _("expected text") + hint)
            return ""
        text = str(value)
        if "\x00" in text:  # written "\0" in a quoted string; no database column takes it
            self.error(path, _("contains a NUL character (\\0), which is not allowed"))
            return ""
        if required and not text.strip():
            self.error(path, _("must not be empty"))
        return text

    def code(self, value: Any, path: Path) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # YAML reads 010 as 8 and 1e3 as 1000.0: a code written as a number would
            # silently become another code.
            self.error(path, _("a code must be text: write %(value)s in quotes") % {"value": value})
            return ""
        return self.string(value, path)

    def text(self, value: Any, path: Path, *, required: bool = False) -> Text:
        if value is None:
            if required:
                self.error(path, _("this text is required"))
            return Text()
        if isinstance(value, str):
            return Text(en=self.string(value, path, required=False))
        data = self.mapping(value, path, {"en"} if required else set(), {"en", "zh-hans"})
        return Text(
            en=self.string(data.get("en"), (*path, "en"), required=required),
            zh_hans=self.string(data.get("zh-hans"), (*path, "zh-hans"), required=False),
        )

    def decimal(self, value: Any, path: Path, default: Decimal | None = None) -> Decimal | None:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(path, _("expected a number"))
            return default
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(path, _("expected a number, not “%(value)s”") % {"value": value})
            return default
        if not number.is_finite():
            self.error(path, _("expected a finite number"))
            return default
        if abs(number) >= MAX_NUMBER:
            self.error(path, _("the number %(value)s is too large") % {"value": value})
            return default
        if number.as_tuple().exponent < NUMBER_STEP.as_tuple().exponent:
            number = number.quantize(NUMBER_STEP)
        return number

    def boolean(self, value: Any, path: Path, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, _("expected true or false"))
            return default
        return value

    def document(self, data: Any) -> QuestionnaireDocument:
        top = self.mapping(
            data,
            (),
            {"format", "questionnaire", "version", "sections"},
            {"sources", "score_bands"},
        )
        if top.get("format") not in (None, FORMAT):
            self.error(("format",), _("the format must be “%(format)s”") % {"format": FORMAT})
        head = self.mapping(
            top.get("questionnaire", {}), ("questionnaire",), {"slug", "title"}, {"description"}
        )
        version = self.mapping(
            top.get("version", {}),
            ("version",),
            set(),
            {"number", "critical_threshold", "methodology", "changelog"},
        )
        number = version.get("number", 1)
        if (
            isinstance(number, bool)
            or not isinstance(number, int)
            or not 1 <= number <= MAX_VERSION_NUMBER
        ):
            self.error(
                ("version", "number"),
                _("the version number must be a whole number from 1 to %(max)s")
                % {"max": MAX_VERSION_NUMBER},
            )
            number = 1
        sources = top.get("sources") or {}
        if not isinstance(sources, dict):
            self.error(("sources",), _("expected a mapping of source codes to titles"))
            sources = {}
        return QuestionnaireDocument(
            slug=self.code(head.get("slug"), ("questionnaire", "slug")),
            title=self.text(head.get("title"), ("questionnaire", "title"), required=True),
            description=self.text(head.get("description"), ("questionnaire", "description")),
            number=number,
            critical_threshold=self.decimal(
                version.get("critical_threshold"),
                ("version", "critical_threshold"),
                Decimal("0.5"),
            ),
            methodology=self.text(version.get("methodology"), ("version", "methodology")),
            changelog=self.text(version.get("changelog"), ("version", "changelog")),
            sources={
                self.code(code, ("sources", code)): self.text(
                    title, ("sources", code), required=True
                )
                for code, title in sources.items()
            },
            score_bands=self.bands(top.get("score_bands"), ("score_bands",)),
            sections=[
                self.section(section, ("sections", index))
                for index, section in enumerate(self.sequence(top.get("sections"), ("sections",)))
            ],
        )

    def bands(self, value: Any, path: Path) -> list[BandDocument]:
        bands = []
        for index, item in enumerate(self.sequence(value, path)):
            p = (*path, index)
            data = self.mapping(item, p, {"code", "min", "max", "label"}, {"description"})
            bands.append(
                BandDocument(
                    code=self.code(data.get("code"), (*p, "code")),
                    min=self.decimal(data.get("min"), (*p, "min"), Decimal(0)),
                    max=self.decimal(data.get("max"), (*p, "max"), Decimal(0)),
                    label=self.text(data.get("label"), (*p, "label"), required=True),
                    description=self.text(data.get("description"), (*p, "description")),
                )
            )
        return bands

    def section(self, item: Any, path: Path) -> SectionDocument:
        data = self.mapping(
            item,
            path,
            {"code", "title", "questions"},
            {"description", "white_paper_part", "crosswalk", "weight", "show_if", "score_bands"},
        )
        return SectionDocument(
            code=self.code(data.get("code"), (*path, "code")),
            title=self.text(data.get("title"), (*path, "title"), required=True),
            description=self.text(data.get("description"), (*path, "description")),
            white_paper_part=self.string(
                data.get("white_paper_part"), (*path, "white_paper_part"), required=False
            ),
            crosswalk=self.text(data.get("crosswalk"), (*path, "crosswalk")),
            weight=self.decimal(data.get("weight"), (*path, "weight"), Decimal(1)),
            show_if=self.show_if(data.get("show_if"), (*path, "show_if")),
            score_bands=self.bands(data.get("score_bands"), (*path, "score_bands")),
            questions=[
                self.question(question, (*path, "questions", index))
                for index, question in enumerate(
                    self.sequence(data.get("questions"), (*path, "questions"))
                )
            ],
        )

    def question(self, item: Any, path: Path) -> QuestionDocument:
        data = self.mapping(
            item,
            path,
            {"code", "type", "text"},
            {
                "guidance",
                "recommendation",
                "evidence",
                "references",
                "references_note",
                "weight",
                "critical",
                "critical_threshold",
                "na_allowed",
                "required",
                "show_if",
                "choices",
            },
        )
        question_type = self.string(data.get("type"), (*path, "type"))
        choices = [
            self.choice(choice, (*path, "choices", index))
            for index, choice in enumerate(self.sequence(data.get("choices"), (*path, "choices")))
        ]
        return QuestionDocument(
            code=self.code(data.get("code"), (*path, "code")),
            type=question_type,
            text=self.text(data.get("text"), (*path, "text"), required=True),
            guidance=self.text(data.get("guidance"), (*path, "guidance")),
            recommendation=self.text(data.get("recommendation"), (*path, "recommendation")),
            evidence=self.text(data.get("evidence"), (*path, "evidence")),
            references=[
                self.reference(reference, (*path, "references", index))
                for index, reference in enumerate(
                    self.sequence(data.get("references"), (*path, "references"))
                )
            ],
            references_note=self.text(data.get("references_note"), (*path, "references_note")),
            weight=self.decimal(data.get("weight"), (*path, "weight"), Decimal(1)),
            critical=self.boolean(data.get("critical"), (*path, "critical"), False),
            critical_threshold=self.decimal(
                data.get("critical_threshold"), (*path, "critical_threshold")
            ),
            na_allowed=self.boolean(data.get("na_allowed"), (*path, "na_allowed"), False),
            required=self.boolean(data.get("required"), (*path, "required"), True),
            show_if=self.show_if(data.get("show_if"), (*path, "show_if")),
            choices=choices or default_choices(question_type),
        )

    def choice(self, item: Any, path: Path) -> ChoiceDocument:
        data = self.mapping(
            item,
            path,
            {"code", "label", "score"},
            {"description", "min_value", "exclusive", "justify"},
        )
        return ChoiceDocument(
            code=self.code(data.get("code"), (*path, "code")),
            label=self.text(data.get("label"), (*path, "label"), required=True),
            score=self.decimal(data.get("score"), (*path, "score"), Decimal(0)),
            description=self.text(data.get("description"), (*path, "description")),
            min_value=self.decimal(data.get("min_value"), (*path, "min_value")),
            exclusive=self.boolean(data.get("exclusive"), (*path, "exclusive"), False),
            justify=self.boolean(data.get("justify"), (*path, "justify"), False),
        )

    def reference(self, item: Any, path: Path) -> ReferenceDocument:
        data = self.mapping(item, path, {"source"}, {"locator", "element"})
        return ReferenceDocument(
            source=self.code(data.get("source"), (*path, "source")),
            locator=self.text(data.get("locator"), (*path, "locator")),
            element=self.string(data.get("element"), (*path, "element"), required=False),
        )

    def show_if(self, item: Any, path: Path) -> ShowIf | None:
        if item is None:
            return None
        data = self.mapping(item, path, {"question", "choices"}, {"match"})
        return ShowIf(
            question=self.code(data.get("question"), (*path, "question")),
            choices=[
                self.code(code, (*path, "choices", index))
                for index, code in enumerate(self.sequence(data.get("choices"), (*path, "choices")))
            ],
            match=self.string(data.get("match", "any"), (*path, "match")),
        )
