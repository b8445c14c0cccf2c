"""Read and write the hand-editable YAML format of docs/questionnaire-format.md.

Reading never trusts the file: the size and the nesting depth are capped, only YAML's
safe subset is read, anchors and aliases are refused (they can expand a small file into a
huge document), every key is checked, every value must fit its database column, and
every problem is reported with its line and path.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from .validation import Path, check_document

FORMAT = "compliance-questionnaire/1"
HEADER = "# A questionnaire version. Format: docs/questionnaire-format.md\n"
MAX_BYTES = 2 * 1024 * 1024
#: Nesting deeper than this is refused: PyYAML composes nodes recursively, so a small file
#: of many "[" would otherwise exhaust Python's stack. The format itself needs about 8.
MAX_DEPTH = 50
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


class QuestionnaireFileError(ValueError):
    """A file that cannot be imported; ``problems`` lists every reason, with lines."""

    def __init__(self, problems: list[str], more: int = 0) -> None:
        listed = problems[:MAX_PROBLEMS]
        more += len(problems) - len(listed)
        if more:
            listed.append(
                ngettext(
                    "… and %(n)s more problem, not listed: fix these first.",
                    "… and %(n)s more problems, not listed: fix these first.",
                    more,
                )
                % {"n": f"{more:,}"}
            )
        super().__init__("\n".join(listed))
        self.problems = listed
        self.more = more


# ---------------------------------------------------------------------------- reading


def load(content: bytes | str) -> QuestionnaireDocument:
    """Parse and check a questionnaire file; raise QuestionnaireFileError on any problem."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise QuestionnaireFileError([_too_large()])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise QuestionnaireFileError(
                [_("The file is not UTF-8 text (at byte position %(at)s).") % {"at": error.start}]
            ) from None
    if len(content.encode("utf-8")) > MAX_BYTES:
        raise QuestionnaireFileError([_too_large()])
    try:
        loader = _Loader(content)  # refuses unprintable characters (a NUL byte) at once
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        raise QuestionnaireFileError([_yaml_error(error)]) from None
    if node is None:
        raise QuestionnaireFileError([_("The file is empty.")])
    lines = _line_index(node)
    try:
        data = loader.construct_document(node)
    # A bad tag is a YAMLError; an impossible date (2024-02-30) or an integer of more than
    # 4,300 digits is a ValueError from Python itself.
    except (yaml.YAMLError, ValueError) as error:
        raise QuestionnaireFileError([_yaml_error(error)]) from None
    reader = _Reader(lines)
    document = reader.document(data)
    if reader.errors:
        raise QuestionnaireFileError(reader.errors, reader.more)
    problems = check_document(document, publishing=False)
    if problems:
        raise QuestionnaireFileError(
            [f"{reader.locate(problem.path)}{problem}" for problem in problems]
        )
    return document


class _Loader(yaml.SafeLoader):
    """YAML's safe subset, refusing nesting deeper than MAX_DEPTH before it gets there."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise QuestionnaireFileError(
                    [
                        _("Line %(line)s: the file is nested more than %(depth)s levels deep.")
                        % {"line": self.peek_event().start_mark.line + 1, "depth": MAX_DEPTH}
                    ]
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _too_large() -> str:
    return _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}


def _yaml_error(error: Exception) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        return _("Line %(line)s: this is not valid YAML (%(problem)s).") % {
            "line": mark.line + 1,
            "problem": problem,
        }
    return _("This is not valid YAML (%(problem)s).") % {"problem": problem}


def _line_index(root: yaml.Node) -> dict[Path, int]:
    """Map every path in the document to its line; refuse aliases on the way."""
    lines: dict[Path, int] = {}
    seen: set[int] = set()
    stack: list[tuple[Path, yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            raise QuestionnaireFileError(
                [
                    _("Line %(line)s: anchors and aliases (& and *) are not allowed.")
                    % {"line": node.start_mark.line + 1}
                ]
            )
        seen.add(id(node))
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    stack.append(((*path, key.value), value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, index), item) for index, item in enumerate(node.value))
    return lines


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
            {"description", "white_paper_part", "crosswalk", "weight", "score_bands"},
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
                "references",
                "references_note",
                "weight",
                "critical",
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
            references=[
                self.reference(reference, (*path, "references", index))
                for index, reference in enumerate(
                    self.sequence(data.get("references"), (*path, "references"))
                )
            ],
            references_note=self.text(data.get("references_note"), (*path, "references_note")),
            weight=self.decimal(data.get("weight"), (*path, "weight"), Decimal(1)),
            critical=self.boolean(data.get("critical"), (*path, "critical"), False),
            na_allowed=self.boolean(data.get("na_allowed"), (*path, "na_allowed"), False),
            required=self.boolean(data.get("required"), (*path, "required"), True),
            show_if=self.show_if(data.get("show_if"), (*path, "show_if")),
            choices=choices or default_choices(question_type),
        )

    def choice(self, item: Any, path: Path) -> ChoiceDocument:
        data = self.mapping(
            item, path, {"code", "label", "score"}, {"description", "min_value", "exclusive"}
        )
        return ChoiceDocument(
            code=self.code(data.get("code"), (*path, "code")),
            label=self.text(data.get("label"), (*path, "label"), required=True),
            score=self.decimal(data.get("score"), (*path, "score"), Decimal(0)),
            description=self.text(data.get("description"), (*path, "description")),
            min_value=self.decimal(data.get("min_value"), (*path, "min_value")),
            exclusive=self.boolean(data.get("exclusive"), (*path, "exclusive"), False),
        )

    def reference(self, item: Any, path: Path) -> ReferenceDocument:
        data = self.mapping(item, path, {"source"}, {"locator"})
        return ReferenceDocument(
            source=self.code(data.get("source"), (*path, "source")),
            locator=self.text(data.get("locator"), (*path, "locator")),
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


# ---------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    value = value.normalize()
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


def dump(document: QuestionnaireDocument) -> str:
    """The document as YAML: stable key order, so that equal documents give equal files."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "questionnaire": _compact(
            {
                "slug": document.slug,
                "title": _text(document.title),
                "description": _text(document.description),
            }
        ),
        "version": _compact(
            {
                "number": document.number,
                "critical_threshold": document.critical_threshold,
                "methodology": _text(document.methodology),
                "changelog": _text(document.changelog),
            }
        ),
        "sources": {code: _text(title) for code, title in document.sources.items()},
        "score_bands": [_band(band) for band in document.score_bands],
        "sections": [_section(section) for section in document.sections],
    }
    return HEADER + yaml.dump(
        _compact(data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=88,
        default_flow_style=False,
    )


def _compact(data: dict) -> dict:
    """Leave out empty values and defaults, so that files stay short and readable."""
    return {key: value for key, value in data.items() if value not in (None, {}, [], "")}


def _text(text: Text) -> dict | None:
    if not text:
        return None
    return _compact({"en": text.en, "zh-hans": text.zh_hans})


def _band(band: BandDocument) -> dict:
    return _compact(
        {
            "code": band.code,
            "min": band.min,
            "max": band.max,
            "label": _text(band.label),
            "description": _text(band.description),
        }
    )


def _section(section: SectionDocument) -> dict:
    return _compact(
        {
            "code": section.code,
            "title": _text(section.title),
            "description": _text(section.description),
            "white_paper_part": section.white_paper_part,
            "crosswalk": _text(section.crosswalk),
            "weight": section.weight,
            "score_bands": [_band(band) for band in section.score_bands],
            "questions": [_question(question) for question in section.questions],
        }
    )


def _question(question: QuestionDocument) -> dict:
    show_if = None
    if question.show_if:
        show_if = {
            "question": question.show_if.question,
            "choices": list(question.show_if.choices),
            "match": question.show_if.match,
        }
    return _compact(
        {
            "code": question.code,
            "type": question.type,
            "text": _text(question.text),
            "guidance": _text(question.guidance),
            "recommendation": _text(question.recommendation),
            "references": [
                _compact({"source": reference.source, "locator": _text(reference.locator)})
                for reference in question.references
            ],
            "references_note": _text(question.references_note),
            "weight": question.weight,
            "critical": question.critical or None,
            "na_allowed": question.na_allowed or None,
            "required": None if question.required else False,
            "show_if": show_if,
            "choices": None
            if question.choices == default_choices(question.type)
            else [
                _compact(
                    {
                        "code": choice.code,
                        "label": _text(choice.label),
                        "description": _text(choice.description),
                        "score": choice.score,
                        "min_value": choice.min_value,
                        "exclusive": choice.exclusive or None,
                    }
                )
                for choice in question.choices
            ],
        }
    )
