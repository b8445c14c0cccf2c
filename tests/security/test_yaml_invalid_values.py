"""Questionnaire files of the right shape with wrong values, through the admin's import
page: every wrong type at every level and every value that does not fit a column is
refused with a message that names it, and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.questionnaires.models import (
    Question,
)
from tests.security.yaml_upload import IMPORT, SAMPLE, dumped, refused, sample

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------ wrong types


def _set(path: tuple, value):
    def change(data):
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = value
        return data

    return change


WRONG_TYPES = {
    "a list for the whole file": (
        lambda data: ["format", "sections"],
        "top level: expected a mapping",
    ),
    "a number for the whole file": (lambda data: 42, "top level: expected a mapping"),
    "a list for the questionnaire": (
        _set(("questionnaire",), ["sample-icp"]),
        "questionnaire: expected a mapping of keys and values",
    ),
    "a list for the version": (_set(("version",), [1]), "version: expected a mapping"),
    "text for the version number": (
        _set(("version", "number"), "1"),
        "the version number must be a whole number from 1 to 1000000",
    ),
    "a huge version number": (
        _set(("version", "number"), 10**20),
        "the version number must be a whole number from 1 to 1000000",
    ),
    "a list for the sources": (
        _set(("sources",), ["ecl"]),
        "expected a mapping of source codes to titles",
    ),
    "a number as a source code": (
        lambda data: {**data, "sources": {7: {"en": "Seven"}, **data["sources"]}},
        "a code must be text: write 7 in quotes",
    ),
    "a mapping for the sections": (
        _set(("sections",), {"policy": {}}),
        "sections: expected a list",
    ),
    "text for a section": (_set(("sections", 0), "policy"), "sections[1]: expected a mapping"),
    "a number as a section code": (
        _set(("sections", 0, "code"), 10),
        "a code must be text: write 10 in quotes",
    ),
    "a number as a question code": (
        _set(("sections", 0, "questions", 0, "code"), 8),
        "a code must be text: write 8 in quotes",
    ),
    "a float as a choice code": (
        _set(("sections", 0, "questions", 1, "choices", 0, "code"), 1.5),
        "a code must be text: write 1.5 in quotes",
    ),
    "null questions": (
        _set(("sections", 0, "questions"), None),
        "the section has no question",
    ),
    "a mapping for the questions": (
        _set(("sections", 0, "questions"), {"a": 1}),
        "sections[1].questions: expected a list",
    ),
    "a null question text": (
        _set(("sections", 0, "questions", 0, "text"), None),
        "this text is required",
    ),
    "a null English text": (
        _set(("sections", 0, "questions", 0, "text"), {"en": None, "zh-hans": "是"}),
        "the English text is missing",
    ),
    "a list as a text": (
        _set(("sections", 0, "questions", 0, "text", "en"), ["Is", "it"]),
        "expected text",
    ),
    "a mapping as the type": (
        _set(("sections", 0, "questions", 0, "type"), {"yes": 1}),
        "expected text",
    ),
    "text as a weight": (
        _set(("sections", 0, "questions", 0, "weight"), "heavy"),
        "expected a number, not “heavy”",
    ),
    "a list as a weight": (
        _set(("sections", 0, "questions", 0, "weight"), [2]),
        "expected a number",
    ),
    "text for true or false": (
        _set(("sections", 0, "questions", 0, "critical"), "yes"),
        "expected true or false",
    ),
    "a mapping for the references": (
        _set(("sections", 0, "questions", 0, "references"), {"source": "ecl"}),
        "references: expected a list",
    ),
    "text for a choice": (
        _set(("sections", 0, "questions", 1, "choices", 0), "l0"),
        "choices[1]: expected a mapping",
    ),
    "a list for show-if": (
        _set(("sections", 1, "questions", 1, "show_if"), ["lists", "watch"]),
        "show_if: expected a mapping",
    ),
    "a mapping for the score bands": (
        _set(("score_bands",), {"low": [0, 50]}),
        "score_bands: expected a list",
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_wrong_types_at_every_level_are_refused(author, case):
    change, message = WRONG_TYPES[case]
    refused(author, dumped(change(sample())), "nothing was changed", message)


# ------------------------------------------------------------------------ values that do not fit


TOO_BIG = {
    "a code of 12,000 characters": (
        _set(("sections", 0, "code"), "p" * 12_000),
        "must be at most 60 letters, digits, hyphens and underscores",
    ),
    "a code with a slash": (
        _set(("sections", 0, "questions", 0, "code"), "policy/signed"),
        "the code “policy/signed” must be",
    ),
    "a code in Chinese": (
        _set(("sections", 0, "questions", 0, "code"), "政策"),
        "the code “政策” must be",
    ),
    "a slug with a line break": (
        _set(("questionnaire", "slug"), "sample\nicp"),
        "must be at most 80 letters",
    ),
    "a title of 300 characters": (
        _set(("sections", 0, "title", "en"), "T" * 300),
        "the text has 300 characters; at most 200 fit",
    ),
    "a weight of 10^20": (
        _set(("sections", 0, "questions", 0, "weight"), 10**20),
        "the number 100000000000000000000 is too large",
    ),
    "a weight of 12,345": (
        _set(("sections", 0, "weight"), 12_345),
        "12345 is out of range (at most 9999.99 in size)",
    ),
    "a threshold of minus 10^11 for a number question's choice": (
        lambda data: _set(("sections", 0, "questions", 1, "choices", 0, "min_value"), -(10**11))(
            _set(("sections", 0, "questions", 1, "type"), "number")(data)
        ),
        "-100000000000 is out of range (at most 9999999999.9999 in size)",
    ),
    "a NUL written as \\0 in a title": (
        _set(("sections", 0, "title", "en"), "Pol\x00icy"),
        "contains a NUL character (\\0), which is not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(TOO_BIG))
def test_values_that_do_not_fit_a_column_are_refused(author, case):
    """SQLite would store them; PostgreSQL refuses them with a server error, and a code
    that is no slug breaks the section page's links."""
    change, message = TOO_BIG[case]
    refused(author, dumped(change(sample())), "nothing was changed", message)


def test_a_code_that_yaml_reads_as_octal_is_refused(author):
    """YAML 1.1 reads 010 as the number 8: the code would silently become "8"."""
    content = SAMPLE.read_text(encoding="utf-8").replace("code: policy-signed", "code: 010")
    refused(author, content.encode(), "a code must be text: write 8 in quotes")


def test_a_tiny_number_is_rounded_not_a_server_error(author):
    """1e-999999 is a finite number within range: it is stored as 0, not sent to the
    database as an exponent no numeric column takes."""
    # (Not critical: a critical question of weight 0 carries no points and is refused.)
    content = (
        SAMPLE.read_text(encoding="utf-8")
        .replace("weight: 2\n", 'weight: "1e-999999"\n')
        .replace("        critical: true\n", "", 1)
    )
    response = author.post(
        reverse(IMPORT), {"file": SimpleUploadedFile("s.yaml", content.encode())}
    )
    assert response.status_code == 302
    assert Question.objects.get(code="policy-signed").weight == 0
