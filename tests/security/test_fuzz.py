"""Hypothesis posts random and hostile values to every form of the project.

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

The examples tried are counted per form; the last test checks the counts and prints them
(the figures in docs/security.md).
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
import yaml
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.assessments.models import Answer, Assessment, AssessmentEvent
from compliance.assessments.services import create_assessment, loaded_token, submit
from compliance.organisations.models import Invitation, Membership
from compliance.organisations.services import invitation_token
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
from compliance.questionnaires.services import (
    import_questionnaire,
    new_draft_from,
    publish_version,
)
from tests.factories import PASSWORD, SAMPLE, MembershipFactory, UserFactory
from tests.security.checks import (
    ODD_SCALARS,
    PAYLOADS,
    assert_escaped,
    assert_fits,
    assert_only_changed,
    assert_storable,
    row_counts,
)

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def world(db):
    """Two organisations, four assessments with answers, an invitation, a staff editor."""
    version = publish_version(import_questionnaire(FUZZ_YAML))
    owner = MembershipFactory(role=OWNER)
    organisation = owner.organisation
    editor = MembershipFactory(organisation=organisation, role=EDITOR, user__email=EDITOR_EMAIL)
    viewer = MembershipFactory(organisation=organisation, role=VIEWER)
    stranger = MembershipFactory(role=OWNER)  # owns another organisation
    UserFactory(email=TAKEN_EMAIL)

    def assessment(org, title, by):
        return create_assessment(organisation=org, version=version, title=title, user=by)

    target = assessment(organisation, "Target", owner.user)
    sibling = assessment(organisation, "Sibling", owner.user)
    foreign = assessment(stranger.organisation, "Foreign", stranger.user)
    done = assessment(organisation, "Done", owner.user)
    questions = {question.code: question for question in version.questions.all()}
    for item in (target, sibling, foreign, done):
        for code in ("ypn", "text", "other-ypn", "other-text"):
            Answer.objects.create(
                assessment=item,
                question=questions[code],
                updated_by=owner.user,
                comment=f"Kept: {item.title} {code}",
                **COMPLETE[code],
            )
    Answer.objects.create(
        assessment=target,
        question=questions["single"],
        updated_by=owner.user,
        carried_over=True,
        **COMPLETE["single"],
    )
    complete(done, questions)
    submit(done, owner.user)
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Questionnaire editors"))
    invitation = Invitation.objects.create(
        organisation=organisation, email=SCRIPT_EMAIL, role=EDITOR, invited_by=owner.user
    )
    people = {"owner": owner.user, "editor": editor.user, "viewer": viewer.user}
    people |= {"stranger": stranger.user, "staff": staff}
    return SimpleNamespace(
        # Logged in once: a session made inside an example would be rolled back with it.
        clients={name: logged_in(user) for name, user in people.items()},
        version=version,
        draft=new_draft_from(version),  # never a choice for a new assessment
        questions=questions,
        owner=owner,
        editor=editor,
        viewer=viewer,
        stranger=stranger,
        organisation=organisation,
        target=target,
        sibling=sibling,
        foreign=foreign,
        done=done,
        staff=staff,
        invitation=invitation,
    )


# ------------------------------------------------------------------------ accounts


@fuzz("sign-up", 60)
@given(
    data=st.one_of(
        form(
            email=EMAILS,
            password1=PASSWORDS,
            password2=st.one_of(st.just(STRONG_PASSWORD), PASSWORDS),
            organisation=TEXTS,
            sector=TEXTS,
            country=TEXTS,
        ),
        accepted(
            email=st.one_of(
                st.sampled_from([SCRIPT_EMAIL, "new.person@example.com", "Mixed@Example.COM"]),
                LONG_EMAILS,
            ),
            password1=st.just(STRONG_PASSWORD),
            password2=st.just(STRONG_PASSWORD),
            organisation=VALID_TEXTS,
            sector=VALID_TEXTS,
            country=VALID_TEXTS,
        ),
    )
)
def test_sign_up(world, data):
    TRIED["sign-up"] += 1
    with rolled_back():
        client = Client()
        before = row_counts()
        sent = len(mail.outbox)
        response = answered("sign-up", client.post(reverse("signup"), data))
        assert response.status_code == 200
        if "Check your email" in response.content.decode():
            email = last(data, "email").strip().lower()
            [message] = mail.outbox[sent:]
            assert message.to == [email]
            assert_escaped(response.content.decode(), email)
            if email == TAKEN_EMAIL:  # told by e-mail; the account is left alone
                assert_only_changed(before, {"notifications.SentMail"})
                assert User.objects.get(email=TAKEN_EMAIL).check_password(PASSWORD)
                return
            user = User.objects.get(email=email)
            assert not user.is_active and user.check_password(last(data, "password1"))
            membership = user.memberships.select_related("organisation").get()
            assert membership.role == OWNER
            assert membership.organisation.name == last(data, "organisation").strip()
            assert_fits(user, membership.organisation)
            assert_only_changed(
                before,
                {"accounts.User", "organisations.Organisation", "organisations.Membership"}
                | {"notifications.SentMail"},
            )
            page = client.get(re.search(r"http://testserver(/\S+)", message.body).group(1))
            assert page.status_code == 302
            page = client.get(reverse("assessment_dashboard")).content.decode()
            assert_escaped(page, membership.organisation.name, user.email)
        else:
            assert_only_changed(before)
            page = response.content.decode()
            assert_escaped(
                page, *(last(data, name) for name in ("email", "organisation", "sector", "country"))
            )


@fuzz("login", 60)
@given(
    page=st.sampled_from(["login", "login", "admin:login"]),
    data=st.one_of(
        form(username=EMAILS, password=st.one_of(st.just(PASSWORD), TEXTS), next=NEXT_URLS),
        accepted(
            username=st.sampled_from([TAKEN_EMAIL, f"  {TAKEN_EMAIL.upper()} "]),
            password=st.just(PASSWORD),
            next=NEXT_URLS,
        ),
    ),
)
def test_login(world, page, data):
    """The site's login form and the admin's (the same user is no staff: refused there)."""
    TRIED["login"] += 1
    with rolled_back():
        client = Client()
        before = row_counts()
        response = answered("login", client.post(reverse(page), data))
        assert response.status_code in (200, 302, 429)
        # What django-axes recorded of the attempt fits its columns.
        assert_storable(*AccessAttempt.objects.all(), *AccessFailureLog.objects.all())
        if response.status_code == 302:
            assert page == "login"
            assert_local_redirect(response)
            assert last(data, "password") == PASSWORD
            assert client.session["_auth_user_id"] == str(User.objects.get(email=TAKEN_EMAIL).pk)
            assert_only_changed(before, {"sessions.Session"} | AXES)
        else:
            assert "_auth_user_id" not in client.session
            assert_only_changed(before, {"sessions.Session"} | AXES)
            page = response.content.decode()
            assert_escaped(page, last(data, "username") if response.status_code == 200 else None)


@fuzz("password reset request", 40)
@given(data=form(email=st.one_of(st.just(TAKEN_EMAIL), EMAILS)))
def test_password_reset_request(world, data):
    TRIED["password reset request"] += 1
    with rolled_back():
        client = Client()
        before, sent = row_counts(), len(mail.outbox)
        response = answered("password reset request", client.post(reverse("password_reset"), data))
        assert response.status_code in (200, 302)
        new_mail = mail.outbox[sent:]
        assert_only_changed(before, {"notifications.SentMail"} if new_mail else set())
        assert len(new_mail) <= 1
        if new_mail:
            assert new_mail[0].to == [TAKEN_EMAIL]
            assert last(data, "email").strip().lower() == TAKEN_EMAIL
        if response.status_code == 200:
            assert_escaped(response.content.decode(), last(data, "email"))


@fuzz("password reset confirm", 30)
@given(
    data=st.one_of(
        form(new_password1=PASSWORDS, new_password2=PASSWORDS),
        accepted(new_password1=st.just(STRONG_PASSWORD), new_password2=st.just(STRONG_PASSWORD)),
    )
)
def test_password_reset_confirm(world, data):
    TRIED["password reset confirm"] += 1
    user = User.objects.get(email=TAKEN_EMAIL)
    with rolled_back():
        client = Client()
        link = reverse(
            "password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(user.pk)),
                default_token_generator.make_token(user),
            ],
        )
        form_url = client.get(link)["Location"]  # the token moves into the session
        before, hashed = row_counts(), user.password
        response = answered("password reset confirm", client.post(form_url, data))
        assert response.status_code in (200, 302)
        user.refresh_from_db()
        if response.status_code == 302:
            assert response["Location"] == reverse("password_reset_complete")
            assert user.check_password(last(data, "new_password1"))
        else:
            assert user.password == hashed
        assert_only_changed(before, {"sessions.Session"})
        assert_escaped(response.content.decode())


@fuzz("password change", 30)
@given(
    data=st.one_of(
        form(
            old_password=st.one_of(st.just(PASSWORD), TEXTS),
            new_password1=PASSWORDS,
            new_password2=PASSWORDS,
        ),
        accepted(
            old_password=st.just(PASSWORD),
            new_password1=st.just(STRONG_PASSWORD),
            new_password2=st.just(STRONG_PASSWORD),
        ),
    )
)
def test_password_change(world, data):
    TRIED["password change"] += 1
    with rolled_back():
        user = User.objects.get(pk=world.editor.user.pk)  # never a copy changed by an example
        client = logged_in(user)
        before, hashed = row_counts(), User.objects.get(pk=user.pk).password
        response = answered("password change", client.post(reverse("password_change"), data))
        assert response.status_code in (200, 302)
        user.refresh_from_db()
        if response.status_code == 302:
            assert response["Location"] == reverse("password_change_done")
            assert last(data, "old_password") == PASSWORD
            assert user.check_password(last(data, "new_password1"))
        else:
            assert user.password == hashed
        assert_only_changed(before, {"sessions.Session"})
        assert_escaped(response.content.decode())


@fuzz("language switch", 20)
@given(
    data=form(
        language=st.one_of(st.sampled_from(["en", "zh-hans", "fr", "EN"]), TEXTS), next=NEXT_URLS
    )
)
def test_language_switch(world, data):
    TRIED["language switch"] += 1
    with rolled_back():
        user = world.viewer.user
        client = logged_in(user)
        before = row_counts()
        response = answered("language switch", client.post(reverse("set_language"), data))
        assert response.status_code in (204, 302)
        if response.status_code == 302:
            assert_local_redirect(response)
        user.refresh_from_db()
        language = last(data, "language")
        assert user.preferred_language == (language if language in ("en", "zh-hans") else "")
        assert_only_changed(before)


# ------------------------------------------------------------------------ organisations


@fuzz("organisation create", 50)
@given(
    data=st.one_of(
        form(name=TEXTS, sector=TEXTS, country=TEXTS),
        accepted(name=VALID_TEXTS, sector=VALID_TEXTS, country=VALID_TEXTS),
    )
)
def test_organisation_create(world, data):
    TRIED["organisation create"] += 1
    with rolled_back():
        user = world.editor.user
        client = world.clients["editor"]
        before = row_counts()
        memberships = list(Membership.objects.order_by("pk").values_list())
        response = answered("organisation create", client.post(reverse("organisation_list"), data))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            created = Membership.objects.exclude(pk__in=[row[0] for row in memberships]).get()
            assert (created.user, created.role) == (user, OWNER)
            organisation = created.organisation
            assert organisation.name == last(data, "name").strip()
            assert_fits(organisation)
            assert_only_changed(
                before,
                {"organisations.Organisation", "organisations.Membership", "sessions.Session"},
            )
            page = client.get(reverse("organisation_list")).content.decode()
            # The country is shown after the sector, when there is one.
            country = organisation.country if organisation.sector else None
            assert_escaped(page, organisation.name, organisation.sector, country)
        else:
            assert_only_changed(before)
            assert_escaped(
                response.content.decode(),
                *(last(data, name) for name in ("name", "sector", "country")),
            )
        assert (
            list(
                Membership.objects.filter(pk__in=[r[0] for r in memberships])
                .order_by("pk")
                .values_list()
            )
            == memberships
        )


@fuzz("organisation switch", 20)
@given(
    choice=st.sampled_from(["own", "other", "fuzz"]),
    data=form(next=NEXT_URLS, organisation=TEXTS),
)
def test_organisation_switch(world, choice, data):
    TRIED["organisation switch"] += 1
    with rolled_back():
        client = world.clients["owner"]
        if choice != "fuzz":
            chosen = world.organisation if choice == "own" else world.stranger.organisation
            data = {**data, "organisation": str(chosen.uuid)}
        before = row_counts()
        response = answered(
            "organisation switch", client.post(reverse("organisation_switch"), data)
        )
        assert response.status_code == {"own": 302, "other": 404}.get(choice, 404)
        if response.status_code == 302:
            assert last(data, "organisation") == str(world.organisation.uuid)
            assert client.session["current_organisation"] == str(world.organisation.uuid)
            assert_local_redirect(response)
        assert_only_changed(before, {"sessions.Session"})


@fuzz("invitation send", 50)
@given(
    actor=st.sampled_from(["owner", "owner", "owner", "viewer", "stranger"]),
    data=st.one_of(
        form(email=EMAILS, role=ROLES),
        accepted(
            email=st.one_of(
                st.sampled_from(
                    ["colleague@example.com", "TAKEN@example.com", EDITOR_EMAIL, SCRIPT_EMAIL]
                ),
                LONG_EMAILS,
            ),
            role=st.sampled_from(Membership.Role.values),
        ),
    ),
)
def test_invitation_send(world, actor, data):
    TRIED["invitation send"] += 1
    with rolled_back():
        client = world.clients[actor]
        invitations = list(Invitation.objects.order_by("pk").values_list())
        before = row_counts()
        response = answered(
            "invitation send",
            client.post(reverse("organisation_members", args=[world.organisation.uuid]), data),
        )
        expected = {"owner": (200, 302), "viewer": (403,), "stranger": (404,)}[actor]
        assert response.status_code in expected
        if response.status_code == 302:
            email = last(data, "email").strip().lower()
            invitation = Invitation.objects.get(organisation=world.organisation, email=email)
            assert invitation.role == last(data, "role")
            assert_fits(invitation)
            assert_only_changed(before, {"organisations.Invitation", "notifications.SentMail"})
            others = [row for row in invitations if row[0] != invitation.pk]
            assert (
                list(Invitation.objects.exclude(pk=invitation.pk).order_by("pk").values_list())
                == others
            )
            page = client.get(reverse("organisation_members", args=[world.organisation.uuid]))
            assert_escaped(page.content.decode(), invitation.email, SCRIPT_EMAIL)
        else:
            assert_only_changed(before)
            assert list(Invitation.objects.order_by("pk").values_list()) == invitations
            if response.status_code == 200:
                assert_escaped(response.content.decode(), last(data, "email"))


@fuzz("invitation accept", 40)
@given(
    token=st.one_of(st.just(None), st.text(CHARS, min_size=1, max_size=60)),
    data=st.one_of(
        form(password1=PASSWORDS, password2=PASSWORDS),
        accepted(password1=st.just(STRONG_PASSWORD), password2=st.just(STRONG_PASSWORD)),
    ),
)
def test_invitation_accept(world, token, data):
    TRIED["invitation accept"] += 1
    with rolled_back():
        client = Client()
        token = invitation_token(world.invitation) if token is None else token
        url = reverse("invitation_accept", args=["-"]).replace("/-/", f"/{quote(token, safe='')}/")
        before = row_counts()
        response = answered("invitation accept", client.post(url, data))
        assert response.status_code in (200, 302, 400, 404)
        invitation = Invitation.objects.get(pk=world.invitation.pk)
        if response.status_code == 302:
            user = User.objects.get(email=SCRIPT_EMAIL)
            assert_fits(user)
            assert user.check_password(last(data, "password1"))
            assert user.memberships.get().organisation == world.organisation
            assert invitation.accepted_by == user
            assert_only_changed(
                before, {"accounts.User", "organisations.Membership", "sessions.Session"} | AXES
            )
            page = client.get(reverse("assessment_dashboard")).content.decode()
            assert_escaped(page, SCRIPT_EMAIL)
        else:
            assert invitation.accepted_at is None
            assert_only_changed(before)
            assert_escaped(
                response.content.decode(), SCRIPT_EMAIL if response.status_code == 200 else None
            )


@fuzz("member role change", 40)
@given(
    target=st.sampled_from(["editor", "viewer", "owner", "stranger"]),
    data=form(role=ROLES),
)
def test_member_role_change(world, target, data):
    TRIED["member role change"] += 1
    with rolled_back():
        client = world.clients["owner"]
        member = getattr(world, target)
        roles = dict(Membership.objects.values_list("pk", "role"))
        before = row_counts()
        response = answered(
            "member role change",
            client.post(
                reverse("organisation_member_role", args=[world.organisation.uuid, member.pk]), data
            ),
        )
        assert response.status_code in (302, 404)
        now = dict(Membership.objects.values_list("pk", "role"))
        posted = last(data, "role")
        if target == "stranger":
            assert response.status_code == 404
            assert now == roles
        else:
            valid = posted in Membership.Role.values and not (target == "owner" and posted != OWNER)
            assert now == {**roles, member.pk: posted if valid else roles[member.pk]}
        assert_only_changed(before, {"sessions.Session"})  # messages may sit in the session


# ------------------------------------------------------------------------ assessments


@fuzz("new assessment", 50)
@given(
    actor=st.sampled_from(["editor", "editor", "editor", "viewer"]),
    data=st.one_of(
        form(
            title=TEXTS,
            version=st.one_of(st.sampled_from(["published", "draft"]), NUMBERS),
            period_start=DATES,
            period_end=DATES,
            carry_over_from=st.one_of(st.sampled_from(["sibling", "foreign", "done"]), NUMBERS),
        ),
        accepted(
            title=VALID_TEXTS,
            version=st.just("published"),
            period_start=st.dates().map(date.isoformat),
            carry_over_from=st.sampled_from(["", "sibling", "done"]),
        ),
    ),
)
def test_new_assessment(world, actor, data):
    TRIED["new assessment"] += 1
    ids = {
        "published": world.version.pk,
        "draft": world.draft.pk,
        "sibling": world.sibling.pk,
        "foreign": world.foreign.pk,
        "done": world.done.pk,
    }

    def value(item):
        if isinstance(item, list):
            return [value(part) for part in item]
        return str(ids.get(item, item))

    data = {
        name: value(item) if name in ("version", "carry_over_from") else item
        for name, item in data.items()
    }
    with rolled_back():
        client = world.clients[actor]
        existing = set(Assessment.objects.values_list("pk", flat=True))
        answers = answer_rows(Answer.objects.all())
        before = row_counts()
        response = answered("new assessment", client.post(reverse("assessment_new"), data))
        assert response.status_code in ((200, 302) if actor == "editor" else (403,))
        assert answer_rows(Answer.objects.filter(assessment__in=existing)) == answers
        if response.status_code == 302:
            new = Assessment.objects.exclude(pk__in=existing).get()
            assert new.organisation == world.organisation
            assert new.version == world.version
            assert new.title == last(data, "title").strip()
            assert new.based_on in (None, world.sibling, world.done)
            assert_fits(new)
            assert_only_changed(
                before,
                {"assessments.Assessment", "assessments.AssessmentEvent", "assessments.Answer"}
                | {"assessments.HistoricalAnswer"},
            )
            page = client.get(reverse("assessment_dashboard")).content.decode()
            assert_escaped(page, new.title)
        else:
            assert_only_changed(before)
            if response.status_code == 200:
                assert_escaped(response.content.decode(), last(data, "title"))


LOADED = st.one_of(
    st.just("real"),
    st.from_regex(r"\A[0-9]{1,12}:[0-9a-f]{0,20}\Z"),
    TEXTS,
)
FLAGS = st.one_of(st.sampled_from(["on", "1", "true", "false", "0", ""]), TEXTS)


CHOICE_CODES = {
    "ypn": ["yes", "partial", "no"],
    "single": ["a", "b"],
    "maturity": ["l0", "l1"],
    "multi": ["x", "y"],
    "cond": ["yes", "partial", "no"],
}
ANSWERS = {
    **{
        code: st.one_of(st.sampled_from([*codes, "bogus", codes[0].upper()]), TEXTS)
        for code, codes in CHOICE_CODES.items()
    },
    "number": NUMBERS,
    "date": DATES,
    "text": TEXTS,
}


VALID_ANSWERS = {
    **{code: st.sampled_from(codes) for code, codes in CHOICE_CODES.items()},
    "multi": st.lists(st.sampled_from(CHOICE_CODES["multi"]), unique=True),
    "number": st.decimals(-(10**9), 10**9, places=4).map(str),
    "date": st.dates().map(date.isoformat),
    "text": VALID_TEXTS,
}


def _section_post(fields: dict, second_page: dict, button: dict, extras: dict) -> dict:
    data = {**extras, **second_page, **button}
    data.update({name: value for name, value in fields.items() if value is not None})
    return data


#: A post of the first page: every field of every question missing, one value or several,
#: valid or hostile; the second page's fields (which must be ignored); a button; unknown
#: fields.
SECTION_POSTS = st.builds(
    _section_post,
    st.fixed_dictionaries(
        {
            f"{code}-{name}": posted(values)
            for code in FIRST_PAGE
            for name, values in {
                "answer": ANSWERS[code],
                "comment": TEXTS,
                "evidence": TEXTS,
                "loaded": LOADED,
                "not_applicable": FLAGS,
                "na_justification": TEXTS,
                "confirm": FLAGS,
            }.items()
        }
    ),
    st.fixed_dictionaries(
        {"other-ypn-answer": st.just("no"), "other-text-answer": TEXTS, "other-ypn-comment": TEXTS}
    ),
    st.one_of(st.just({}), st.sampled_from([{"save_next": "1"}, {"previous": "1"}])),
    EXTRAS,
)
#: A post that saves: valid answers, comments and evidence notes (hostile text included).
VALID_SECTION_POSTS = st.builds(
    _section_post,
    st.fixed_dictionaries(
        {
            f"{code}-{name}": st.one_of(st.none(), values)
            for code in FIRST_PAGE
            for name, values in {
                "answer": VALID_ANSWERS[code],
                "comment": VALID_TEXTS,
                "evidence": VALID_TEXTS,
                "loaded": st.just("real"),
            }.items()
        }
    ),
    st.just({"other-ypn-answer": "no", "other-text-answer": "<b>ignored</b>"}),
    st.just({}),
    EXTRAS,
)


def _with_real_tokens(data: dict, assessment) -> dict:
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    fixed = {}
    for name, value in data.items():
        code, _, field = name.rpartition("-")
        if field == "loaded":
            token = loaded_token(answers.get(code))
            value = (
                [token if v == "real" else v for v in value]
                if isinstance(value, list)
                else (token if value == "real" else value)
            )
        fixed[name] = value
    return fixed


def check_stored_answer(answer: Answer) -> None:
    """An answer the section page stored is valid for its question."""
    question = answer.question
    codes = {choice.code for choice in question.choices.all()}
    assert set(answer.choice_codes) <= codes
    if question.type != Question.Type.MULTIPLE_CHOICE:
        assert len(answer.choice_codes) <= 1
    if answer.value_number is not None:
        assert abs(answer.value_number) <= 10**9
    for name in ("comment", "evidence", "na_justification", "value_text"):
        text = getattr(answer, name)
        assert "\x00" not in text and len(text) <= 5000, name
    if answer.not_applicable:
        assert question.na_allowed and answer.na_justification.strip()


def section_save(world, data, *, htmx: bool) -> None:
    form = "section autosave (htmx)" if htmx else "section save"
    with rolled_back():
        client = world.clients["editor"]
        target = world.target
        data = _with_real_tokens(data, target)
        first = Answer.objects.filter(assessment=target, question__section__order=1)
        others = Answer.objects.exclude(pk__in=first.values("pk"))
        kept_answers = answer_rows(others)
        kept_assessments = assessment_rows(Assessment.objects.exclude(pk=target.pk))
        before = row_counts()
        url = reverse("assessment_section", args=[target.uuid, 1])
        headers = {"HX-Request": "true"} if htmx else {}
        response = answered(form, client.post(url, data, headers=headers))
        assert response.status_code in ((200,) if htmx else (200, 302))
        if response.status_code == 302:
            assert response["Location"].startswith(f"/assessments/{target.uuid}/sections/")
        assert answer_rows(Answer.objects.exclude(pk__in=first.values("pk"))) == kept_answers
        assert assessment_rows(Assessment.objects.exclude(pk=target.pk)) == kept_assessments
        assert Answer.objects.filter(assessment=target).count() == first.count() + 2
        for answer in first.select_related("question"):
            check_stored_answer(answer)
        assert_only_changed(before, {"assessments.Answer", "assessments.HistoricalAnswer"})
        if response.status_code == 200 and not htmx:  # the page again, with the problems
            assert_escaped(
                response.content.decode(),
                *(
                    last(data, f"{code}-{name}")
                    for code in FIRST_PAGE
                    for name in ("comment", "evidence")
                ),
            )
        else:
            assert_escaped(response.content.decode())
        page = client.get(url).content.decode()
        shown = [
            getattr(answer, name)
            for answer in first.select_related("question")
            for name in ("comment", "evidence", "value_text")
        ]
        shown += [a.na_justification for a in first.filter(question__na_allowed=True)]
        assert_escaped(page, *shown)
        if not htmx:
            results = client.get(reverse("assessment_results", args=[target.uuid]))
            assert results.status_code == 200
            comments = [a.comment for a in first] + [a.evidence for a in first]
            assert_escaped(results.content.decode(), *comments)


@fuzz("section save", 40)
@given(data=st.one_of(SECTION_POSTS, VALID_SECTION_POSTS))
def test_section_save(world, data):
    TRIED["section save"] += 1
    section_save(world, data, htmx=False)


@fuzz("section autosave (htmx)", 40)
@given(data=st.one_of(SECTION_POSTS, VALID_SECTION_POSTS))
def test_section_autosave(world, data):
    TRIED["section autosave (htmx)"] += 1
    section_save(world, data, htmx=True)


def complete(assessment, questions) -> None:
    for code, values in COMPLETE.items():
        Answer.objects.update_or_create(
            assessment=assessment, question=questions[code], defaults=values
        )


@fuzz("submit", 30)
@given(
    actor=st.sampled_from(["editor", "editor", "viewer"]),
    filled=st.booleans(),
    data=EXTRAS,
)
def test_submit(world, actor, filled, data):
    TRIED["submit"] += 1
    with rolled_back():
        client = world.clients[actor]
        if filled:
            complete(world.target, world.questions)
        answers = answer_rows(Answer.objects.all())
        others = assessment_rows(Assessment.objects.exclude(pk=world.target.pk))
        before = row_counts()
        response = answered(
            "submit", client.post(reverse("assessment_submit", args=[world.target.uuid]), data)
        )
        target = Assessment.objects.get(pk=world.target.pk)
        assert answer_rows(Answer.objects.all()) == answers
        assert assessment_rows(Assessment.objects.exclude(pk=target.pk)) == others
        if actor == "viewer":
            assert response.status_code == 403
        elif filled:
            assert response.status_code == 302
            assert target.status == Assessment.Status.SUBMITTED
            assert_only_changed(before, {"assessments.AssessmentEvent"})
            return
        else:
            assert response.status_code == 200
            assert_escaped(response.content.decode())
        assert target.is_draft
        assert_only_changed(before)


# A NUL is refused with a message (test_reopen_note_with_nul); the rest reopens.
NOTES = TEXTS.filter(lambda text: "\x00" not in text)


@fuzz("reopen", 40)
@given(actor=st.sampled_from(["owner", "owner", "editor"]), data=form(note=NOTES))
def test_reopen(world, actor, data):
    TRIED["reopen"] += 1
    with rolled_back():
        client = world.clients[actor]
        others = assessment_rows(Assessment.objects.exclude(pk=world.done.pk))
        answers = answer_rows(Answer.objects.all())
        before = row_counts()
        response = answered(
            "reopen", client.post(reverse("assessment_reopen", args=[world.done.uuid]), data)
        )
        done = Assessment.objects.get(pk=world.done.pk)
        assert assessment_rows(Assessment.objects.exclude(pk=done.pk)) == others
        assert answer_rows(Answer.objects.all()) == answers
        if actor == "editor":
            assert response.status_code == 403
            assert not done.is_draft
            assert_only_changed(before)
            return
        assert response.status_code == 302
        assert done.is_draft
        event = done.events.get(kind=AssessmentEvent.Kind.REOPENED)
        assert event.note == (last(data, "note") or "")[:2000]
        assert_fits(event)
        assert_only_changed(before, {"assessments.AssessmentEvent", "sessions.Session"})
        page = client.get(reverse("assessment_overview", args=[done.uuid])).content.decode()
        assert_escaped(page, event.note)


# ------------------------------------------------------------------------ admin import


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


SAMPLE_DATA = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
SAMPLE_PATHS = list(_paths(SAMPLE_DATA))
YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.dates(),
    TEXTS,
    st.text(st.sampled_from("abcyes-_中 .:#&*!|>'\"%@`{}[]"), max_size=90),
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(CHARS, max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mutated(mutations: list[tuple[int, bool, object, str, int]]) -> bytes:
    """The sample with some of its values replaced: by one of the same kind (a text by a
    text, a number by a number), which may well be imported, or by anything at all."""
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for index, same_kind, anything, text, number in mutations:
        path = SAMPLE_PATHS[index % len(SAMPLE_PATHS)]
        parent = {"root": document}
        path = ("root", *path)
        try:
            for part in path[:-1]:
                parent = parent[part]
            old = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced this part of the tree
        if same_kind and isinstance(old, str):
            parent[path[-1]] = text
        elif same_kind and isinstance(old, int | float) and not isinstance(old, bool):
            parent[path[-1]] = number
        else:
            parent[path[-1]] = anything
        document = parent["root"] if path == ("root",) else document
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


#: Where the sample holds a text a respondent reads (an English or a Chinese text).
TEXT_PATHS = [path for path in SAMPLE_PATHS if path and path[-1] in ("en", "zh-hans")]


def _with_texts(replacements: list[tuple[tuple, str]]) -> bytes:
    """The sample with some of its texts replaced: a file that is imported."""
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for path, text in replacements:
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = text
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


IMPORTABLE = st.lists(
    st.tuples(st.sampled_from(TEXT_PATHS), VALID_TEXTS), min_size=1, max_size=4
).map(_with_texts)
YAML_FILES = st.one_of(
    IMPORTABLE,
    IMPORTABLE,  # twice: a third of the files are imported, and shown in the admin
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.booleans(),
            YAML_VALUES,
            st.one_of(VALID_TEXTS, TEXTS),
            st.one_of(st.integers(0, 3), st.integers(-(10**30), 10**30)),
        ),
        min_size=1,
        max_size=3,
    ).map(_mutated),
    st.binary(max_size=3000),
    st.text(CHARS, max_size=500).map(lambda text: text.encode()),
    st.integers(1, 20_000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
    st.integers(1, 20_000).map(lambda depth: ("{a: " * depth + "1" + "}" * depth).encode()),
)


def check_imported(version: QuestionnaireVersion) -> None:
    """What an import stored is what the admin's own forms would accept."""
    rows = [version.questionnaire, version]
    for model in (Section, Question, ScoreBand, Source):
        rows += list(model._base_manager.filter(version=version))
    rows += list(Choice._base_manager.filter(question__version=version))
    rows += list(Reference._base_manager.filter(question__version=version))
    assert_fits(*rows)


@fuzz("admin YAML import", 60)
@given(
    content=YAML_FILES,
    name=st.sampled_from(["q.yaml", "../../etc/passwd", "<script>.yml", "问卷.yaml", "q"]),
)
def test_admin_yaml_import(world, content, name):
    TRIED["admin YAML import"] += 1
    with rolled_back():
        client = world.clients["staff"]
        versions = set(QuestionnaireVersion.objects.values_list("pk", flat=True))
        before = row_counts()
        response = answered(
            "admin YAML import",
            client.post(
                reverse("admin:questionnaires_questionnaire_import"),
                {"file": SimpleUploadedFile(name, content)},
            ),
        )
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            version = QuestionnaireVersion.objects.exclude(pk__in=versions).get()
            assert version.is_draft
            check_imported(version)
            assert_only_changed(before, QUESTIONNAIRE_TABLES | {"sessions.Session"})
            for view in ("preview", "export"):
                shown = client.get(
                    reverse(f"admin:questionnaires_questionnaireversion_{view}", args=[version.pk])
                )
                assert shown.status_code == 200
                if view == "preview":
                    assert_escaped(shown.content.decode())
        else:
            page = response.content.decode()
            assert "nothing was changed" in page or 'class="errorlist' in page
            assert_only_changed(before)
            assert_escaped(page)


# ------------------------------------------------------------------------ bodies


ENDPOINTS = {
    "signup": (
        None,
        lambda w: reverse("signup"),
        {"accounts.User", "organisations.Organisation", "organisations.Membership"} | AXES,
    ),
    "login": (None, lambda w: reverse("login"), AXES | {"sessions.Session"}),
    "members": (
        "owner",
        lambda w: reverse("organisation_members", args=[w.organisation.uuid]),
        {"organisations.Invitation"},
    ),
    "section": (
        "editor",
        lambda w: reverse("assessment_section", args=[w.target.uuid, 1]),
        {"assessments.Answer", "assessments.HistoricalAnswer"},
    ),
    "new": (
        "editor",
        lambda w: reverse("assessment_new"),
        {"assessments.Assessment", "assessments.AssessmentEvent"},
    ),
    "reopen": (
        "owner",
        lambda w: reverse("assessment_reopen", args=[w.done.uuid]),
        {"assessments.AssessmentEvent"},
    ),
    "import": (
        "staff",
        lambda w: reverse("admin:questionnaires_questionnaire_import"),
        QUESTIONNAIRE_TABLES,
    ),
}
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "application/json",
    "text/plain",
]


@fuzz("malformed request bodies", 60)
@given(
    endpoint=st.sampled_from(sorted(ENDPOINTS)),
    content_type=st.sampled_from(CONTENT_TYPES),
    body=st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.sampled_from(
                [
                    b"--xyz\r\n",
                    b'Content-Disposition: form-data; name="title"\r\n',
                    b"\r\n",
                    b"%",
                    b"%zz",
                    b"=",
                    b"&",
                    b"\x00",
                    b"\xff",
                    b"--xyz--",
                ]
            ),
            max_size=12,
        ).map(b"".join),
    ),
)
def test_malformed_request_bodies(world, endpoint, content_type, body):
    TRIED["malformed request bodies"] += 1
    actor, url, allowed = ENDPOINTS[endpoint]
    with rolled_back():
        client = world.clients[actor] if actor else Client()
        before = row_counts()
        response = answered(
            "malformed request bodies",
            client.generic("POST", url(world), body, content_type=content_type),
        )
        assert response.status_code < 500
        assert_only_changed(before, set(allowed) | {"sessions.Session"})


def test_too_many_fields_and_too_large_bodies_are_refused(world):
    """Django's own caps answer 400, not 500: DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) and
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) for everything but uploaded files."""
    client = logged_in(world.editor.user)
    url = reverse("assessment_section", args=[world.target.uuid, 1])
    before = row_counts()
    fields = {f"field{i}": "x" for i in range(1_001)}
    assert client.post(url, fields).status_code == 400
    body = "ypn-comment=" + "a" * (3 * 1024 * 1024)
    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert_only_changed(before)


# ------------------------------------------------------------------------ bugs found and fixed


@pytest.mark.parametrize("revision", ["²", "9" * 5000])
def test_loaded_token_is_never_a_server_error(world, revision):
    client = logged_in(world.editor.user)
    url = reverse("assessment_section", args=[world.target.uuid, 1])
    response = client.post(url, {"ypn-answer": "no", "ypn-loaded": f"{revision}:abc"})
    assert response.status_code < 500


def test_reopen_note_with_nul(world):
    client = logged_in(world.owner.user)
    before = row_counts()
    response = client.post(
        reverse("assessment_reopen", args=[world.done.uuid]), {"note": "late\x00fix"}
    )
    assert response.status_code < 500
    assert not Assessment.objects.get(pk=world.done.pk).is_draft
    assert_only_changed(before, {"sessions.Session"})


# ------------------------------------------------------------------------ summary


@pytest.fixture(scope="module", autouse=True)
def inputs_tried(request):
    """After the module's last test, whatever the order they ran in: every fuzz test
    that ran tried at least half the examples it asked for; the counts are printed."""
    yield
    ran = {
        item.originalname: PLANNED[item.originalname]
        for item in request.session.items
        if item.module is request.module and item.originalname in PLANNED
    }
    if not ran:
        return
    lines = [
        f"{form:<28}{TRIED[form]:>6}   "
        + ", ".join(
            f"{status}: {count}"
            for (name, status), count in sorted(ANSWERED.items())
            if name == form
        )
        for form, _examples in sorted(ran.values())
    ]
    total = sum(TRIED[form] for form, _examples in ran.values())
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\nInputs tried per form:\n" + "\n".join(lines) + f"\n{'total':<28}{total:>6}")
    failed = [form for form, examples in ran.values() if TRIED[form] < examples // 2]
    assert not failed, f"too few inputs tried for {failed}"
