"""A questionnaire editor edits a draft of the default questionnaire in a 1280 px window
without scrolling sideways, in either language, and still reorders rows by dragging them."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from compliance.questionnaires.models import ScoreBand
from compliance.questionnaires.services import new_draft_from
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINDOW = {"width": 1280, "height": 900}


@pytest.fixture
def draft(default_v2):
    """A draft of version 2, with a band on its first section so that the section's page
    shows every kind of inline it has."""
    draft = new_draft_from(default_v2)
    ScoreBand.objects.create(
        version=draft,
        section=draft.sections.get(code="profile"),
        code="initial",
        min_score=0,
        max_score=50,
        label_en="Initial",
        label_zh_hans="初始级",
        description_en="Compliance depends on individuals.",
        description_zh_hans="合规工作主要依赖个人经验。",
    )
    return draft


def log_in_as_questionnaire_editor(page: Page, base: str) -> None:
    # The group comes from a data migration; transactional tests before this one flushed it.
    import_module(
        "compliance.questionnaires.migrations.0002_questionnaire_editor_group"
    ).create_group(apps, None)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Questionnaire editors"))
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill(editor.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()


def assert_fits_the_window(page: Page) -> None:
    """No sideways scrolling, and the last saved row of every inline shows its delete
    checkbox and its Chinese fields inside the window."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, page.url
    checked = 0
    for group in page.locator(".inline-group").all():
        rows = group.locator(".has_original")
        if not rows.count():
            continue
        last = rows.last
        for field in [
            last.locator("input[name$='-DELETE']"),
            *last.locator("[name$='_zh_hans']").all(),
        ]:
            box = field.bounding_box()
            name = field.get_attribute("name")
            assert box is not None, name
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (page.url, name, box)
            checked += 1
    assert checked, page.url


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_draft_pages_fit_a_1280px_window(live_server, page, draft, language, screenshot):
    page.set_viewport_size(WINDOW)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    log_in_as_questionnaire_editor(page, live_server.url)
    section = draft.sections.get(code="profile")
    # The widest question page before the stacked choices (2,411 px): five references.
    question = draft.questions.get(code="policy-statement-signed")
    for name, path in (
        ("version", f"questionnaireversion/{draft.pk}/change/"),
        ("section", f"section/{section.pk}/change/"),
        ("question", f"question/{question.pk}/change/"),
    ):
        page.goto(f"{live_server.url}/admin/questionnaires/{path}")
        expect(page.locator("input[name=_save]")).to_be_visible()
        assert_fits_the_window(page)
        screenshot(f"{name}-{language}")


def drag_first_below_last(page: Page, rows: str, handle: str) -> None:
    """Drag the first row by its handle onto the lower edge of the last one."""
    first, last = page.locator(rows).first, page.locator(rows).last
    first.evaluate("row => row.scrollIntoView({block: 'start'})")
    box = last.bounding_box()
    first.locator(handle).drag_to(last, target_position={"x": 20, "y": box["height"] - 5})


def test_dragging_rows_reorders_the_draft(live_server, page, draft):
    # Tall enough to hold both ends of a drag: Playwright does not scroll during one.
    page.set_viewport_size({"width": 1280, "height": 1600})
    log_in_as_questionnaire_editor(page, live_server.url)
    question = draft.questions.get(code="policy-statement-signed")
    choices = list(question.choices.order_by("order").values_list("code", flat=True))
    sections = list(draft.sections.order_by("order").values_list("code", flat=True))

    page.goto(f"{live_server.url}/admin/questionnaires/question/{question.pk}/change/")
    rows = "#choices-group .inline-related.has_original"
    drag_first_below_last(page, rows, "h3")
    expect(page.locator(rows).last.locator("input[name$='-code']")).to_have_value(choices[0])
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(question.choices.order_by("order").values_list("code", flat=True)) == [
        *choices[1:],
        choices[0],
    ]

    page.goto(f"{live_server.url}/admin/questionnaires/questionnaireversion/{draft.pk}/change/")
    page.set_viewport_size({"width": 1280, "height": 2000})
    rows = "#sections-group tr.has_original"
    drag_first_below_last(page, rows, "td.original p")
    expect(page.locator(rows).last.locator("input[name$='-code']")).to_have_value(sections[0])
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(draft.sections.order_by("order").values_list("code", flat=True)) == [
        *sections[1:],
        sections[0],
    ]
