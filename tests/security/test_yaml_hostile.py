"""Hostile questionnaire files through the admin's import page.

Each file is refused with a message that names the problem, the page says that nothing
was changed, and nothing was: the row count of every table is the same before and after
(questionnaires, versions, sections, questions and choices included). The parser-level
cases of tests/questionnaires/test_yaml_format.py are repeated here only where the upload
path adds something (the size cap of the form, a file posted as a plain field).
"""

from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.questionnaires import services
from compliance.questionnaires.models import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)
from compliance.questionnaires.yaml_format import MAX_BYTES, MAX_DEPTH
from tests.factories import UserFactory
from tests.security.checks import assert_escaped, row_counts

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "questionnaires" / "sample.yaml"
IMPORT = "admin:questionnaires_questionnaire_import"
NOTHING_CHANGED = "The file was not imported; nothing was changed."


@pytest.fixture
def author(client, db):
    """A member of the "Questionnaire editors" group, logged in to the admin."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Questionnaire editors"))
    client.force_login(user)
    return client


def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def dumped(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def content_counts() -> tuple[int, ...]:
    models = (Questionnaire, QuestionnaireVersion, Section, Question, Choice)
    return tuple(model._base_manager.count() for model in models)


def refused(client, content: bytes, *expected: str, name: str = "hostile.yaml") -> str:
    """Upload ``content``; check it is refused with each expected text and changes nothing."""
    before, counts = row_counts(), content_counts()
    response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    page = response.content.decode()
    for text in expected:
        assert text in page, f"{text!r} not in the page"
    assert content_counts() == counts
    assert row_counts() == before
    assert_escaped(page)
    return page


def test_the_sample_itself_is_imported(author):
    """The baseline the hostile files are made from: unchanged, it is imported."""
    response = author.post(
        reverse(IMPORT), {"file": SimpleUploadedFile("s.yaml", dumped(sample()))}
    )
    assert response.status_code == 302
    assert QuestionnaireVersion.objects.get().questionnaire.slug == "sample-icp"


# ------------------------------------------------------------------------ expansion and size


BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join(f'*{previous}' for _ in range(10))}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
).encode()


def test_billion_laughs_is_refused_before_any_expansion(author):
    """Nine levels of ten aliases each would be a thousand million strings."""
    refused(
        author, BILLION_LAUGHS, NOTHING_CHANGED, "anchors and aliases (&amp; and *) are not allowed"
    )


def test_an_alias_inside_a_real_questionnaire_is_refused(author):
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "title: {en: Policy, zh-hans: 政策}", "title: &t {en: Policy, zh-hans: 政策}"
    )
    text = text.replace("title: {en: Screening, zh-hans: 筛查}", "title: *t")
    refused(author, text.encode(), "anchors and aliases (&amp; and *) are not allowed")


def test_a_merge_key_is_refused(author):
    content = b"base: &base {code: x}\nsections:\n  - <<: *base\n    title: t\n"
    refused(author, content, "anchors and aliases")


def test_a_ten_megabyte_file_is_refused_without_being_parsed(author, settings, monkeypatch):
    """Django keeps an upload over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) in a temporary file,
    not in memory; the form refuses anything over 2 MB before the file is read or parsed.
    (DATA_UPLOAD_MAX_MEMORY_SIZE does not apply to uploaded files, only to other fields.)"""
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    parsed = []
    monkeypatch.setattr(services.yaml_format, "load", lambda content: parsed.append(content))
    content = b"# padding\n" * (1024 * 1024)  # 10 MB of valid YAML comments
    refused(author, content, "The file is larger than 2 MB.")
    assert parsed == []
    refused(author, b"#" * (MAX_BYTES + 1), "The file is larger than 2 MB.")
    assert parsed == []


def test_a_ten_megabyte_file_posted_as_a_plain_field_is_a_bad_request(author):
    before = row_counts()
    body = "file=" + "a" * (10 * 1024 * 1024)
    response = author.generic(
        "POST", reverse(IMPORT), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert row_counts() == before


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


# ------------------------------------------------------------------------ nesting, bytes, tags


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b"{a: " * 10_000 + b"1" + b"}" * 10_000,
        "".join(f"{'  ' * depth}- \n" for depth in range(MAX_DEPTH + 5)).encode(),
    ],
    ids=["100,000 nested lists", "10,000 nested mappings", "block lists, 55 deep"],
)
def test_deep_nesting_is_refused_before_it_exhausts_the_stack(author, content):
    refused(author, content, f"the file is nested more than {MAX_DEPTH} levels deep")


def test_nesting_inside_a_real_questionnaire_is_refused(author):
    data = sample()
    deep: list = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    data["sections"][0]["questions"][0]["guidance"] = {"en": deep}
    refused(author, dumped(data), f"nested more than {MAX_DEPTH} levels deep")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title: Politique générale\n".encode("latin-1"), "not UTF-8 text (at byte position 18)"),
        ("format: x\n".encode("utf-16"), "not UTF-8 text (at byte position 0)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text"),
        (b"format: x\x00\n", "unacceptable character #x0000: special characters are not"),
        (b"\x1b[31mformat: x\n", "unacceptable character #x001b: special characters are not"),
        (b"number: " + b"9" * 5_000 + b"\n", "This is not valid YAML (Exceeds the limit"),
        (b"date: 2024-02-30\n", "This is not valid YAML (day is out of range for month)"),
    ],
    ids=["latin-1", "utf-16", "png", "nul byte", "escape character", "5000 digits", "bad date"],
)
def test_bytes_that_are_no_yaml_text_are_refused(author, content, message):
    refused(author, content, "nothing was changed", message)


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:builtins.dict {{}}",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_python_tags_are_refused_and_never_run(author, tag, tmp_path):
    marker = tmp_path / "ran"
    data = SAMPLE.read_text(encoding="utf-8").replace(
        "slug: sample-icp", f"slug: {tag.format(marker=marker)}"
    )
    refused(author, data.encode(), "nothing was changed", "could not determine a constructor")
    assert not marker.exists()


def test_markup_in_texts_is_imported_as_text_and_shown_escaped(author):
    """Texts may hold anything printable: they are stored as written and escaped in the
    admin's preview."""
    data = sample()
    data["sections"][0]["title"]["en"] = '<script>alert("fuzz")</script>'
    data["sections"][0]["questions"][0]["guidance"]["en"] = '"><img src=x onerror=alert(2)>'
    response = author.post(reverse(IMPORT), {"file": SimpleUploadedFile("s.yaml", dumped(data))})
    assert response.status_code == 302
    version = QuestionnaireVersion.objects.get()
    assert version.sections.get(code="policy").title_en == '<script>alert("fuzz")</script>'
    preview = author.get(
        reverse("admin:questionnaires_questionnaireversion_preview", args=[version.pk])
    ).content.decode()
    assert_escaped(preview, '<script>alert("fuzz")</script>', '"><img src=x onerror=alert(2)>')


@pytest.mark.django_db
def test_a_file_with_a_flood_of_problems_lists_a_bounded_number_and_counts_the_rest():
    from compliance.questionnaires.services import import_questionnaire
    from compliance.questionnaires.yaml_format import MAX_PROBLEMS, QuestionnaireFileError

    sample_yaml = (Path(__file__).parents[1] / "questionnaires" / "sample.yaml").read_text()
    flood = "".join(f"  j{n}: 1\n" for n in range(20_000))
    content = sample_yaml.replace("questionnaire:\n", "questionnaire:\n" + flood, 1)
    with pytest.raises(QuestionnaireFileError) as caught:
        import_questionnaire(content)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert (
        problems[-1]
        == f"… and {20_000 - MAX_PROBLEMS:,} more problems, not listed: fix these first."
    )
    assert len(str(caught.value)) < 20_000
