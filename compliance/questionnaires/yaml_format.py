"""Read the hand-editable YAML format of docs/questionnaire-format.md (writing it:
``yaml_writer``).

Reading never trusts the file: the size and the nesting depth are capped, only YAML's
safe subset is read, anchors and aliases are refused (they can expand a small file into a
huge document), every key is checked, every value must fit its database column, and
every problem is reported with its line and path.
"""

from __future__ import annotations

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .document import (
    QuestionnaireDocument,
)
from .validation import Path, check_document
from .yaml_reader import (  # noqa: F401 (part of this module's interface)
    FORMAT,
    MAX_NUMBER,
    MAX_PROBLEMS,
    MAX_VERSION_NUMBER,
    NUMBER_STEP,
    _Reader,
    format_path,
)

MAX_BYTES = 2 * 1024 * 1024
#: Nesting deeper than this is refused: PyYAML composes nodes recursively, so a small file
#: of many "[" would otherwise exhaust Python's stack. The format itself needs about 8.
MAX_DEPTH = 50


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
