"""What the fuzz tests share: hypothesis strategies of hostile values, the counters, the
data every test starts from, and checks. The tests are test_fuzz_*.py, by form.

Hypothesis posts random and hostile values to every form of the project.

For each form, whatever is posted: no server error; nothing changes outside what the form
owns (the row count of every table the form does not write, and the rows of other
sections, assessments and organisations); what is stored is valid; and where a page shows
a posted string back (form errors, the re-rendered form, the section, results, overview
and dashboard pages, the header) it is escaped: no raw markup payload ever appears in a
page, and the escaped text does where the value is shown.

The values: long strings (up to 12,000 characters), control characters and NUL bytes,
CJK, right-to-left and emoji text (no surrogates: they cannot travel in an HTTP request),
HTML and <script> payloads, SQL- and template-looking text, numbers out of range, several
values where one is expected, missing fields and unknown extra fields. Each example runs
in a savepoint that is rolled back, so every example starts from the same data.

The examples tried are counted per form; after each module, tests/security/conftest.py
checks the counts and prints them (the figures in docs/security.md).
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from compliance.assessments.models import Answer, Assessment
from compliance.organisations.models import Membership
from compliance.questionnaires.models import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Reference,
    ScoreBand,
    Section,
    Source,
)
from tests.security.checks import ODD_SCALARS, PAYLOADS

User = get_user_model()
OWNER, EDITOR, VIEWER = Membership.Role.OWNER, Membership.Role.EDITOR, Membership.Role.VIEWER

# ------------------------------------------------------------------------ counting

#: Examples tried per form, filled in by the tests and checked by the last one.
TRIED: Counter[str] = Counter()
#: (form, status code) -> how many examples got that answer.
ANSWERED: Counter[tuple[str, int]] = Counter()
#: Test name -> (form, examples asked for).
PLANNED: dict[str, tuple[str, int]] = {}


def answered(form: str, response):
    ANSWERED[form, response.status_code] += 1
    return response


def fuzz(form: str, examples: int):
    """Hypothesis settings for one form's test, and its entry in the summary."""

    def decorate(test):
        PLANNED[test.__name__] = (form, examples)
        return settings(
            max_examples=examples,
            deadline=None,
            database=None,  # nothing written under the project's folder
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,  # each example rolls its writes back
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
            ],
        )(test)

    return decorate


# ------------------------------------------------------------------------ strategies

#: Any character an HTTP request can carry: every code point but the surrogates.
CHARS = st.characters(exclude_categories=("Cs",))


#: Markup that the app's own pages never contain: if one appears, escaping failed.
def _times(unit: str, count: int) -> str:
    return unit * count


#: One posted string.
TEXTS = st.one_of(
    st.text(CHARS, max_size=30),
    st.sampled_from(PAYLOADS),
    st.tuples(
        st.text(CHARS, max_size=6), st.sampled_from(PAYLOADS), st.text(CHARS, max_size=6)
    ).map("".join),
    st.builds(
        _times,
        st.sampled_from(["a", "中", "😀", "<b>", "\x00", " ", "&amp;", "\u202e", "é"]),
        st.integers(1, 12_000),
    ),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=8),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(str),
    st.sampled_from(ODD_SCALARS),
)
#: Text that a short text field takes (no NUL, not blank, at most 40 characters), markup,
#: SQL and right-to-left text included.
VALID_TEXTS = st.one_of(
    st.sampled_from([text for text in PAYLOADS if "\x00" not in text and len(text) <= 40]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40),
).filter(str.strip)
#: What an unknown extra field is called: never the name of a real field.
EXTRA_NAMES = st.text(st.sampled_from("abcxyz0189_-[]."), min_size=1, max_size=12).map(
    lambda name: f"zz{name}"
)
EXTRAS = st.dictionaries(EXTRA_NAMES, st.one_of(TEXTS, st.lists(TEXTS, max_size=3)), max_size=3)


def posted(values: st.SearchStrategy = TEXTS) -> st.SearchStrategy:
    """One field as it may arrive: missing (None), a value, or a list of values (where
    one is expected; an empty list is missing too)."""
    return st.one_of(st.none(), values, st.lists(values, max_size=3))


def _form(fields: dict, extras: dict) -> dict:
    return {**extras, **{name: value for name, value in fields.items() if value is not None}}


def form(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """A posted form: each named field missing, one value or several, plus unknown fields."""
    return st.builds(
        _form,
        st.fixed_dictionaries({name: posted(values) for name, values in fields.items()}),
        EXTRAS,
    )


def accepted(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """A post that the form should accept: every field once, with a value it takes (hostile
    text included), plus unknown fields; so that the fuzzing reaches the writes too."""
    return st.builds(_form, st.fixed_dictionaries(fields), EXTRAS)


def email_of_length(length: int) -> str:
    """A well-formed address of exactly ``length`` characters (domain labels of 62-63)."""
    head = "a" * 64 + "@"
    labels = (("c" * 62 + ".") * 8)[: length - len(head) - len(".com")]
    if labels.endswith("."):
        labels = labels[:-1] + "c"
    return f"{head}{labels}.com"


TAKEN_EMAIL = "taken@example.com"  # a user of no organisation
EDITOR_EMAIL = "editor@example.com"  # a member of the organisation
SCRIPT_EMAIL = '"<script>alert(1)</script>"@example.com'  # a valid, quoted local part
#: Well-formed addresses around the 254 characters a column holds (Django's form field
#: takes up to 320).
LONG_EMAILS = st.integers(240, 330).map(email_of_length)
EMAILS = st.one_of(
    st.emails(),
    LONG_EMAILS,
    st.sampled_from(
        [TAKEN_EMAIL, TAKEN_EMAIL.upper(), SCRIPT_EMAIL, "a@b", "@example.com", "x@-bad-.com"]
    ),
    TEXTS,
)
STRONG_PASSWORD = "Quartz-Ladder-Orbit-71"
PASSWORDS = st.one_of(st.just(STRONG_PASSWORD), TEXTS)
ROLES = st.one_of(st.sampled_from(["owner", "editor", "viewer", "OWNER", "admin", ""]), TEXTS)
#: Where a form may be asked to go afterwards: local paths and ways out of the site.
NEXT_URLS = st.one_of(
    st.sampled_from(
        [
            "/",
            "/assessments/",
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "http:///evil.example",
            " //evil.example",
        ]
    ),
    TEXTS,
)
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.sampled_from(["1e9", "1000000000.00001", "-0", "0x10", "1_000", "١٢٣", "½"]),
    TEXTS,
)
DATES = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["2024-02-30", "0000-01-01", "99999-01-01", "2024-13-01", "31/12/2024"]),
    TEXTS,
)


def last(data: dict, name: str) -> str | None:
    """What a view reads with ``request.POST.get(name)``: the last value, or None."""
    value = data.get(name)
    if isinstance(value, list):
        return str(value[-1]) if value else None
    return None if value is None else str(value)


# ------------------------------------------------------------------------ checks


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is rolled back, whatever happens."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_local_redirect(response) -> None:
    """The redirect stays on the site, read as leniently as a browser reads it."""
    location = response["Location"]
    parts = urlsplit(location.strip().replace("\\", "/"))
    assert not parts.scheme and not parts.netloc, f"redirect out of the site: {location!r}"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer_rows(queryset) -> list[tuple]:
    return list(queryset.order_by("pk").values_list(*ANSWER_COLUMNS))


def assessment_rows(queryset) -> list[tuple]:
    return list(queryset.order_by("pk").values_list(*ASSESSMENT_COLUMNS))


ANSWER_COLUMNS = [field.attname for field in Answer._meta.concrete_fields]
ASSESSMENT_COLUMNS = [field.attname for field in Assessment._meta.concrete_fields]
AXES = {"axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}
QUESTIONNAIRE_TABLES = {
    model._meta.label
    for model in (
        Questionnaire,
        QuestionnaireVersion,
        Section,
        Question,
        Choice,
        Reference,
        ScoreBand,
        Source,
    )
}


# ------------------------------------------------------------------------ the world

#: Every question type on the first page, two questions on the second.
FUZZ_YAML = """\
format: compliance-questionnaire/1
questionnaire:
  slug: fuzz-icp
  title: {en: Fuzz check, zh-hans: 模糊测试}
version:
  number: 1
score_bands:
  - {code: low, min: 0, max: 50, label: {en: Low, zh-hans: 低}}
  - {code: high, min: 50, max: 100, label: {en: High, zh-hans: 高}}
sections:
  - code: first
    title: {en: Every type, zh-hans: 所有类型}
    questions:
      - {code: ypn, type: yes_partial_no, text: {en: "Signed?", zh-hans: 签署？},
         na_allowed: true, critical: true}
      - code: single
        type: single_choice
        text: {en: "Which one?", zh-hans: 哪一个？}
        choices:
          - {code: a, label: {en: A, zh-hans: 甲}, score: 1}
          - {code: b, label: {en: B, zh-hans: 乙}, score: 0}
      - code: maturity
        type: maturity
        text: {en: "How mature?", zh-hans: 成熟度？}
        choices:
          - {code: l0, label: {en: None, zh-hans: 无}, score: 0}
          - {code: l1, label: {en: Full, zh-hans: 完全}, score: 1}
      - code: multi
        type: multiple_choice
        text: {en: "Which lists?", zh-hans: 哪些名单？}
        choices:
          - {code: x, label: {en: X, zh-hans: 甲}, score: 0.5}
          - {code: y, label: {en: Y, zh-hans: 乙}, score: 0.5}
      - code: number
        type: number
        text: {en: "How many?", zh-hans: 多少？}
        choices:
          - {code: few, label: {en: Few, zh-hans: 少}, score: 0, min_value: 0}
          - {code: many, label: {en: Many, zh-hans: 多}, score: 1, min_value: 10}
      - {code: date, type: date, text: {en: "When?", zh-hans: 何时？}, required: false}
      - {code: text, type: text, text: {en: "Notes?", zh-hans: 备注？}, na_allowed: true}
      - {code: cond, type: yes_partial_no, text: {en: "Then?", zh-hans: 然后？},
         show_if: {question: multi, choices: [x]}}
  - code: second
    title: {en: Another page, zh-hans: 另一页}
    questions:
      - {code: other-ypn, type: yes_partial_no, text: {en: "Other?", zh-hans: 其他？}}
      - {code: other-text, type: text, text: {en: "Other notes?", zh-hans: 其他备注？}}
"""
FIRST_PAGE = ["ypn", "single", "maturity", "multi", "number", "date", "text", "cond"]
COMPLETE = {
    "ypn": {"choice_codes": ["yes"]},
    "single": {"choice_codes": ["a"]},
    "maturity": {"choice_codes": ["l1"]},
    "multi": {"choice_codes": ["x"]},
    "number": {"value_number": 12},
    "date": {"value_date": date(2025, 1, 31)},
    "text": {"value_text": "All written down."},
    "cond": {"choice_codes": ["no"]},
    "other-ypn": {"choice_codes": ["partial"]},
    "other-text": {"value_text": "Kept."},
}


def complete(assessment, questions) -> None:
    for code, values in COMPLETE.items():
        Answer.objects.update_or_create(
            assessment=assessment, question=questions[code], defaults=values
        )
