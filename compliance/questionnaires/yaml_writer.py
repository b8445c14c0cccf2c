"""From a questionnaire document to the YAML format (``export_questionnaire``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from .document import (
    BandDocument,
    QuestionDocument,
    QuestionnaireDocument,
    SectionDocument,
    Text,
    default_choices,
)
from .yaml_reader import FORMAT

HEADER = "# A questionnaire version. Format: docs/questionnaire-format.md\n"


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
    return HEADER + yaml.dump(
        as_data(document),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=88,
        default_flow_style=False,
    )


def as_data(document: QuestionnaireDocument) -> dict[str, Any]:
    """The document as the format's plain data (numbers as ``Decimal``): the YAML file's
    content, and the API's content of a version."""
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
    return _compact(data)


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


def _show_if(condition) -> dict | None:
    if condition is None:
        return None
    return {
        "question": condition.question,
        "choices": list(condition.choices),
        "match": condition.match,
    }


def _section(section: SectionDocument) -> dict:
    return _compact(
        {
            "code": section.code,
            "title": _text(section.title),
            "description": _text(section.description),
            "white_paper_part": section.white_paper_part,
            "crosswalk": _text(section.crosswalk),
            "weight": section.weight,
            "show_if": _show_if(section.show_if),
            "score_bands": [_band(band) for band in section.score_bands],
            "questions": [_question(question) for question in section.questions],
        }
    )


def _question(question: QuestionDocument) -> dict:
    return _compact(
        {
            "code": question.code,
            "type": question.type,
            "text": _text(question.text),
            "guidance": _text(question.guidance),
            "recommendation": _text(question.recommendation),
            "evidence": _text(question.evidence),
            "references": [
                _compact(
                    {
                        "source": reference.source,
                        "element": reference.element,
                        "locator": _text(reference.locator),
                    }
                )
                for reference in question.references
            ],
            "references_note": _text(question.references_note),
            "weight": question.weight,
            "critical": question.critical or None,
            "critical_threshold": question.critical_threshold,
            "na_allowed": question.na_allowed or None,
            "required": None if question.required else False,
            "show_if": _show_if(question.show_if),
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
                        "justify": choice.justify or None,
                    }
                )
                for choice in question.choices
            ],
        }
    )
