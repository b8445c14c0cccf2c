"""Hostile questionnaire files through the admin's import page.

Each file is refused with a message that names the problem, the page says that nothing
was changed, and nothing was: the row count of every table is the same before and after
(questionnaires, versions, sections, questions and choices included). The parser-level
cases of tests/questionnaires/test_yaml_format.py are repeated here only where the upload
path adds something (the size cap of the form, a file posted as a plain field).
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.questionnaires import services
from compliance.questionnaires.models import (
    QuestionnaireVersion,
)
from compliance.questionnaires.yaml_format import MAX_BYTES, MAX_DEPTH
from tests.security.checks import assert_escaped, row_counts
from tests.security.yaml_upload import IMPORT, NOTHING_CHANGED, SAMPLE, dumped, refused, sample

pytestmark = pytest.mark.django_db


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
