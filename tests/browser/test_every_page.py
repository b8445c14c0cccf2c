"""Every page a user or a questionnaire editor sees, for each role (logged out; an
organisation's owner, editor and viewer; a questionnaire editor), in English and in
Chinese, at 1280 and at 390 px wide: none answers with an unexpected status, scrolls
sideways, logs a console error or warning, throws, has the Content-Security-Policy refuse
anything, or (in Chinese) shows English left untranslated.

One browser context per role and language (its own test); each page is loaded once and
looked at in both widths. Every problem is collected; the test fails once, listing each
problem with the pages and widths it was found on. EVERY_PAGE_SHOTS=<folder> also saves a
full-page screenshot of every page at each width, for a person to look at."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, Response

from compliance.accounts.models import User
from compliance.actions.models import Action
from compliance.actions.services import create_action
from compliance.assessments.assignment import assign
from compliance.assessments.models import Assessment, EvidenceLink
from compliance.assessments.services import create_assessment, submit
from compliance.evidence.services import add_item
from compliance.organisations.models import Invitation, Membership
from compliance.organisations.services import invitation_token
from compliance.questionnaires.models import QuestionnaireVersion, Section
from compliance.questionnaires.services import new_draft_from
from compliance.webhooks.models import Delivery, Endpoint
from tests.browser.watch import Refusals, layout_and_language_problems
from tests.evidence.files import ALLOWED, upload
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    answer_all,
    give,
    questionnaire_editor,
)
from tests.processes import DATABASE_TASKS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: A folder to save a full-page screenshot of every page in, at each width, to look at.
SHOTS = os.environ.get("EVERY_PAGE_SHOTS", "")

WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})

#: Latin words that stay Latin on a Chinese page, as the Chinese catalogue and the
#: questionnaire write them: file formats (PDF, CSV, XLSX, JSON, YAML) and the acronyms
#: of the programme, the authorities and the laws cited (ICP, MOFCOM, BIS, EAR, ECL, EU,
#: US, UN). Two of them side by side ("BIS EAR") are no untranslated English.
LATIN_IN_CHINESE = (
    *("PDF", "CSV", "XLSX", "JSON", "YAML"),
    *("ICP", "MOFCOM", "BIS", "EAR", "ECL", "EU", "US", "UN"),
)


@dataclass(frozen=True)
class Words:
    """The seeded data's texts in the pages' language, so that any text in the other
    language on a page is the site's own."""

    organisation: str
    other_organisation: str
    sector: str
    country: str
    draft: str
    submitted: str
    older: str
    comment: str
    text: str
    evidence: tuple[str, str]  # the titles of an expired and a current evidence item
    names: dict[str, str]
    action: str  # the title of a remediation action


WORDS = {
    "en": Words(
        organisation="Northwind Instruments Ltd.",
        other_organisation="Southern Optics Co.",
        sector="Measuring instruments",
        country="China",
        draft="Mid-year check 2026",
        submitted="Annual assessment 2025",
        older="Assessment on version 1",
        comment="Checked with the compliance team.",
        text="Customer and item risks are reviewed each quarter.",
        evidence=("Screening training records 2024", "Export control policy, signed"),
        names={"owner": "Alice", "editor": "Bob", "viewer": "Carol", "questionnaire": "Dana"},
        action="Write the yearly risk assessment and have it approved.",
    ),
    "zh-hans": Words(
        organisation="华东精密仪器有限公司",
        other_organisation="海港光学有限公司",
        sector="仪器仪表",
        country="中国",
        draft="2026年年中自查",
        submitted="2025年度自评估",
        older="第一版问卷自评估",
        comment="已与合规团队核实。",
        text="每季度评估客户和物项风险。",
        evidence=("2024年筛查培训记录", "出口管制政策声明（已签署）"),
        names={"owner": "王芳", "editor": "李强", "viewer": "赵敏", "questionnaire": "陈静"},
        action="编写年度风险评估并报管理层批准。",
    ),
}


@dataclass
class World:
    """What the pages show: one organisation with an owner, an editor and a viewer (the
    owner also views a second organisation, so the header offers a switch), a pending
    invitation, three assessments, and a questionnaire editor with a draft version."""

    language: str
    words: Words
    members: dict[str, Membership]
    questionnaire_editor: User
    draft: Assessment  # version 2, the company profile and a few answers given
    submitted: Assessment  # version 2, every question answered, submitted
    older: Assessment  # version 1, whose section 3 has text and date questions
    published: QuestionnaireVersion
    version_draft: QuestionnaireVersion
    invitation: str  # the token of the pending invitation's link
    action: Action  # a remediation action on a question of the draft, owned by the editor
    endpoint: str  # the public id of a webhook endpoint with a delivered and a failed delivery


def seed(version_2: QuestionnaireVersion, language: str) -> World:
    words = WORDS[language]
    version_1 = QuestionnaireVersion.objects.get(questionnaire=version_2.questionnaire, number=1)
    organisation = OrganisationFactory(
        name=words.organisation, sector=words.sector, country=words.country
    )
    members = {
        role: MembershipFactory(
            organisation=organisation, role=role, user=UserFactory(first_name=words.names[role])
        )
        for role in (Membership.Role.OWNER, Membership.Role.EDITOR, Membership.Role.VIEWER)
    }
    owner, editor = members["owner"].user, members["editor"].user
    # Its name sorts after the first's: the first stays the owner's current organisation.
    MembershipFactory(
        organisation=OrganisationFactory(name=words.other_organisation),
        user=owner,
        role=Membership.Role.VIEWER,
    )
    invitation = Invitation.objects.create(
        organisation=organisation,
        email="invitee@example.com",
        role=Membership.Role.EDITOR,
        invited_by=owner,
    )

    draft = create_assessment(
        organisation=organisation, version=version_2, title=words.draft, user=owner
    )
    # A profile that routes the licensing section in and the services section out.
    give(draft, owner, "profile-activities", "listed-items", "technology")
    give(draft, owner, "profile-structure", "none")
    give(draft, owner, "profile-size", "medium")
    # Two people's answers, for the question's history; a maturity that shows one of the
    # questions that depend on it and hides the others.
    give(draft, owner, "risk-assessment-maturity", "l0", comment=words.comment)
    give(draft, editor, "risk-assessment-maturity", "l1", comment=words.comment)
    give(draft, editor, "risk-areas", "items", "customers")

    submitted = create_assessment(
        organisation=organisation, version=version_2, title=words.submitted, user=owner
    )
    answer_all(submitted, editor, comment=words.comment, text=words.text)
    submit(submitted, owner)

    # Evidence: an expired item cited by the draft and the submitted assessment, a
    # current one with two files cited by the draft.
    expired, current = (
        add_item(
            organisation,
            editor,
            title=title,
            files=[upload(name, ALLOWED[name]) for name in names],
            document_date=date(2024, 1, 15),
            valid_until=valid_until,
        )
        for title, names, valid_until in (
            (words.evidence[0], ("log.xlsx",), date(2025, 1, 15)),
            (words.evidence[1], ("policy.pdf", "approval.eml"), None),
        )
    )
    for assessment, items in ((draft, (expired, current)), (submitted, (expired,))):
        question = assessment.version.sections.get(code="risk-assessment").questions.get(
            code="risk-assessment-maturity"
        )
        for item in items:
            EvidenceLink.objects.create(
                assessment=assessment, question=question, item=item, linked_by=editor
            )

    # A remediation action owned by the editor, overdue; the draft's first section
    # assigned to the editor.
    question = draft.version.questions.get(code="risk-assessment-maturity")
    action = create_action(
        organisation=organisation,
        question=question,
        version=draft.version,
        user=owner,
        title=words.action,
        owner=editor,
    ).action
    Action.objects.filter(pk=action.pk).update(due_date=date(2026, 1, 31))
    assign(draft, draft.version.sections.order_by("order").first(), editor, owner)

    # A webhook endpoint: one delivery delivered, one failing (its wide table on a phone).
    endpoint = Endpoint.objects.create(
        organisation=organisation,
        url="https://hooks.example.com/icp/events",
        events=["assessment.approved", "action.overdue"],
        created_by=owner,
    )
    for key, status, code, error in (
        ("a", "delivered", 200, ""),
        ("b", "retrying", 500, "http|HTTP 500"),
        ("c", "given_up", None, "timeout|"),
    ):
        Delivery.objects.create(
            endpoint=endpoint,
            event="action.overdue",
            key=key,
            body="{}",
            status=status,
            attempts=1,
            last_status_code=code,
            last_duration_ms=120,
            last_error=error,
        )

    older = create_assessment(
        organisation=organisation, version=version_1, title=words.older, user=owner
    )
    give(older, owner, "risk-profile", value_text=words.text)
    give(older, owner, "risk-last-date", value_date=date(2026, 3, 31))

    return World(
        language=language,
        words=words,
        members=members,
        questionnaire_editor=questionnaire_editor(first_name=words.names["questionnaire"]),
        draft=draft,
        submitted=submitted,
        older=older,
        published=version_2,
        version_draft=new_draft_from(version_2),
        invitation=invitation_token(invitation),
        action=action,
        endpoint=str(endpoint.uuid),
    )


# ---------------------------------------------------------------- what a user does on a page

Send = Callable[[Page, World], Response | None]


def send_form(page: Page, fields: dict[str, str]) -> Response | None:
    """Fill the fields (by id) and send their form; the answer to the navigation."""
    for field, value in fields.items():
        page.locator(f"#{field}").fill(value)
    form = page.locator(f"form:has(#{next(iter(fields))})")
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").first.click()
    return navigation.value


def log_in(user) -> Send:
    def send(page: Page, world: World) -> Response | None:
        return send_form(page, {"id_username": user.email, "id_password": PASSWORD})

    return send


def sign_up(page: Page, world: World) -> Response | None:
    words = world.words
    return send_form(
        page,
        {
            "id_email": "newcomer@example.com",
            "id_password1": "a-new-horse-battery-staple",
            "id_password2": "a-new-horse-battery-staple",
            "id_organisation": words.other_organisation,
            "id_sector": words.sector,
            "id_country": words.country,
        },
    )


def ask_for_a_password_reset(page: Page, world: World) -> Response | None:
    return send_form(page, {"id_email": world.members["owner"].user.email})


def change_password(page: Page, world: World) -> Response | None:
    new = "another-horse-battery-staple"
    return send_form(
        page, {"id_old_password": PASSWORD, "id_new_password1": new, "id_new_password2": new}
    )


def send_without_the_csrf_cookie(page: Page, world: World) -> Response | None:
    """A form of the page (the language switch) sent after the CSRF cookie has gone, as
    from a page older than a log in elsewhere, or with cookies blocked: refused."""
    page.context.clear_cookies(name="csrftoken")
    page.set_viewport_size(WIDTHS[0])  # the switch is in the navigation bar, shown this wide
    with page.expect_navigation() as navigation:
        page.locator(f'header button[name="language"][value="{world.language}"]').click()
    return navigation.value


def get_locked_out(page: Page, world: World) -> Response | None:
    """Wrong passwords until django-axes locks the account out (its page answers 429)."""
    response = None
    for _attempt in range(10):
        response = send_form(page, {"id_username": "locked@example.com", "id_password": "wrong"})
        if response is not None and response.status == 429:
            break
    return response


@dataclass(frozen=True)
class Stop:
    """A page of the tour: where it is (or what a user does to reach it from the page
    before) and the status it answers with."""

    name: str
    path: str = ""
    send: Send | None = None
    status: int = 200


# ---------------------------------------------------------------- the pages of each role


def logged_out_pages(world: World) -> list[Stop]:
    owner = world.members["owner"].user
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    token = default_token_generator.make_token(owner)
    return [
        Stop("home", "/"),
        Stop("sign-up", "/accounts/signup/"),
        Stop("sign-up sent", send=sign_up),
        Stop("activation link not valid", "/accounts/activate/MQ/not-a-token/", status=400),
        Stop("password reset", "/accounts/password_reset/"),
        Stop("password reset sent", send=ask_for_a_password_reset),
        Stop("new password", f"/accounts/reset/{uid}/{token}/"),
        Stop("password reset link not valid", f"/accounts/reset/{uid}/not-a-token/"),
        Stop("password reset complete", "/accounts/reset/done/"),
        Stop("invitation", f"/invitations/{world.invitation}/"),
        Stop("invitation not valid", "/invitations/not-a-token/", status=400),
        Stop("page not found", "/no-such-page/", status=404),
        Stop("log in", "/accounts/login/"),
        Stop("locked out", send=get_locked_out, status=429),
        Stop("form refused by the CSRF check", send=send_without_the_csrf_cookie, status=403),
    ]


def member_pages(world: World, role: str) -> list[Stop]:
    membership = world.members[role]
    organisation = membership.organisation.uuid
    draft, submitted, older = world.draft.uuid, world.submitted.uuid, world.older.uuid
    can_edit = membership.can_edit
    return [
        Stop("log in", "/accounts/login/"),
        Stop("assessments (after logging in)", send=log_in(membership.user)),
        Stop("home", "/"),
        Stop("new assessment", "/assessments/new/", status=200 if can_edit else 403),
        Stop("organisations", "/organisations/"),
        Stop("members", f"/organisations/{organisation}/members/"),
        Stop("organisation settings", f"/organisations/{organisation}/settings/"),
        Stop(
            "API tokens",
            f"/organisations/{organisation}/api-tokens/",
            status=200 if membership.is_owner else 403,
        ),
        Stop(
            "webhooks",
            f"/organisations/{organisation}/webhooks/",
            status=200 if membership.is_owner else 403,
        ),
        Stop(
            "a webhook endpoint and its deliveries",
            f"/organisations/{organisation}/webhooks/{world.endpoint}/",
            status=200 if membership.is_owner else 403,
        ),
        Stop("draft: overview", f"/assessments/{draft}/"),
        Stop("draft: company profile (routes sections)", f"/assessments/{draft}/sections/1/"),
        Stop("draft: risk assessment (show-if)", f"/assessments/{draft}/sections/4/"),
        Stop("draft: licensing (routed in)", f"/assessments/{draft}/sections/8/"),
        Stop("draft: services (routed out)", f"/assessments/{draft}/sections/19/"),
        Stop("draft: submit", f"/assessments/{draft}/submit/"),
        Stop("draft: results", f"/assessments/{draft}/results/"),
        Stop(
            "draft: history of a question",
            f"/assessments/{draft}/questions/risk-assessment-maturity/history/",
        ),
        Stop(
            "draft: a question's evidence",
            f"/assessments/{draft}/questions/risk-assessment-maturity/evidence/",
        ),
        Stop("evidence library", "/evidence/"),
        Stop("my work", "/my-work/"),
        Stop("actions", f"/organisations/{organisation}/actions/"),
        Stop("actions: overdue", f"/organisations/{organisation}/actions/?overdue=1"),
        Stop("an action", f"/organisations/{organisation}/actions/{world.action.uuid}/"),
        Stop("progress over time", f"/organisations/{organisation}/history/"),
        Stop("portfolio", "/portfolio/"),
        Stop("portfolio: campaign", "/portfolio/campaign/"),
        Stop("e-mail reminders", "/accounts/reminders/"),
        Stop("version 1: text and date questions", f"/assessments/{older}/sections/3/"),
        Stop("submitted: overview", f"/assessments/{submitted}/"),
        Stop("submitted: a section", f"/assessments/{submitted}/sections/2/"),
        Stop("submitted: results", f"/assessments/{submitted}/results/"),
        Stop("submitted: report", f"/assessments/{submitted}/report/"),
        Stop(
            "submitted: a question's evidence",
            f"/assessments/{submitted}/questions/risk-assessment-maturity/evidence/",
        ),
        Stop("submitted: PDF being prepared", f"/assessments/{submitted}/report.pdf", status=202),
        Stop("page not found", "/no-such-page/", status=404),
        Stop("form refused by the CSRF check", send=send_without_the_csrf_cookie, status=403),
        Stop("change password", "/accounts/password_change/"),
        Stop("password changed", send=change_password),
    ]


def questionnaire_editor_pages(world: World) -> list[Stop]:
    draft, published = world.version_draft, world.published
    section = Section.objects.get(version=draft, code="licensing")
    question = section.questions.exclude(show_if_question=None).first()
    versions = "/admin/questionnaires/questionnaireversion"
    return [
        Stop("admin: log in", "/admin/login/"),
        Stop("admin: index (after logging in)", send=log_in(world.questionnaire_editor)),
        Stop("admin: questionnaires", "/admin/questionnaires/questionnaire/"),
        Stop("admin: import", "/admin/questionnaires/questionnaire/import/"),
        Stop("admin: versions", f"{versions}/"),
        Stop("admin: published version", f"{versions}/{published.pk}/change/"),
        Stop("admin: draft version", f"{versions}/{draft.pk}/change/"),
        Stop("admin: draft preview", f"{versions}/{draft.pk}/preview/"),
        Stop("admin: draft compared", f"{versions}/{draft.pk}/compare/"),
        Stop("admin: sections", "/admin/questionnaires/section/"),
        Stop("admin: draft section", f"/admin/questionnaires/section/{section.pk}/change/"),
        Stop("admin: questions", "/admin/questionnaires/question/"),
        Stop("admin: draft question", f"/admin/questionnaires/question/{question.pk}/change/"),
        Stop("home", "/"),
        Stop("assessments (no organisation)", "/assessments/"),
        Stop("organisations", "/organisations/"),
        Stop("page not found", "/no-such-page/", status=404),
        Stop("change password", "/accounts/password_change/"),
        Stop("password changed", send=change_password),
    ]


def pages_of(role: str, world: World) -> list[Stop]:
    if role == "logged out":
        return logged_out_pages(world)
    if role == "questionnaire editor":
        return questionnaire_editor_pages(world)
    return member_pages(world, role)


# ---------------------------------------------------------------- the tour


def choose_language(page: Page, base: str, language: str) -> None:
    """The header's language switch (it sets Django's language cookie)."""
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.locator(f'header button[name="language"][value="{language}"]').click()


@dataclass
class Tour:
    """One role's walk through its pages in one language: one browser context."""

    page: Page
    refusals: Refusals
    base: str
    world: World
    name: str  # of the screenshots' files

    def look_at(self, stop: Stop) -> dict[str, list[str]]:
        """The problems of one page, by width ("" for those of the page at any width)."""
        page, refusals = self.page, self.refusals
        refusals.expected_status = stop.status
        response = stop.send(page, self.world) if stop.send else page.goto(self.base + stop.path)
        found: dict[str, list[str]] = {"": []}
        if response is None or response.status != stop.status:
            status = response.status if response else "nothing"
            found[""].append(f"answered {status}, not {stop.status}")
        refusals.settle()
        allowed = None if self.world.language == "en" else LATIN_IN_CHINESE
        # Whichever width the page has now first, then the other: one resize per page.
        sizes = WIDTHS if page.viewport_size == WIDTHS[0] else WIDTHS[::-1]
        for size in sizes:
            page.set_viewport_size(size)
            page.wait_for_function("width => window.innerWidth === width", arg=size["width"])
            found[f"{size['width']} px"] = layout_and_language_problems(page, allowed)
            if SHOTS:
                name = f"{self.name} {stop.name} {size['width']}"
                name = "".join(c if c.isalnum() else "-" for c in name)
                page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        refusals.settle()
        found[""] += refusals.take()
        # What is wrong at both widths is said once.
        both = [problem for problem in found["1280 px"] if problem in found["390 px"]]
        for width in ("1280 px", "390 px"):
            found[width] = [problem for problem in found[width] if problem not in both]
        found[""] += both
        return found


ROLES = ["logged out", "owner", "editor", "viewer", "questionnaire editor"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_at_both_widths_without_a_complaint(
    role, language, live_server, page, settings, default_v2
):
    # A PDF is asked for and not rendered: its "being prepared" page stays.
    settings.TASKS = DATABASE_TASKS
    world = seed(default_v2, language)
    tour = Tour(page, Refusals(page), live_server.url, world, f"{language} {role}")
    page.set_viewport_size(WIDTHS[0])
    choose_language(page, tour.base, language)
    tour.refusals.settle()
    # Each problem once, with every page and width it was found on.
    failures: dict[str, list[str]] = {}
    for problem in tour.refusals.take():
        failures.setdefault(problem, []).append("choosing the language")
    for stop in pages_of(role, world):
        for width, problems in tour.look_at(stop).items():
            where = f"{stop.name} ({page.url.removeprefix(tour.base)})"
            where += f" at {width}" if width else ""
            for problem in problems:
                failures.setdefault(problem, []).append(where)
    assert not failures, f"{len(failures)} problems as {role}, in {language}:\n" + "\n".join(
        f"- {problem}\n    on " + "\n    on ".join(wheres) for problem, wheres in failures.items()
    )
