"""A user works in Simplified Chinese from the login page to the PDF, then back in English."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from compliance.assessments.services import create_assessment
from compliance.organisations.models import Membership
from compliance.questionnaires.models import QuestionnaireVersion
from tests.browser.pages import settled, visible_codes
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chinese_from_login_to_pdf_and_back(live_server, page, screenshot):
    call_command("loaddata", "default_questionnaire", verbosity=0)
    membership = MembershipFactory(role=Membership.Role.OWNER)
    assessment = create_assessment(
        organisation=membership.organisation,
        version=QuestionnaireVersion.objects.latest("number"),
        title="年度自评估",
        user=membership.user,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    page.locator("#id_username").fill(membership.user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("评估")
    screenshot("dashboard-zh")

    page.locator("#assessments").get_by_role("link", name="年度自评估").click()
    page.get_by_role("link", name="2. 合规政策声明与管理层承诺").click()
    expect(page.get_by_role("button", name="保存", exact=True)).to_be_visible()
    settled(page)
    for code in visible_codes(page):
        radios = page.locator(f"#q-{code} input[type=radio]")
        if radios.count():
            radios.first.check()
            settled(page)  # an answer may show or hide the cards after it
    expect(page.locator("#save-status")).to_contain_text("已保存")
    screenshot("section-zh")

    page.goto(f"{live_server.url}/assessments/{assessment.uuid}/results/")
    expect(page.locator("#draft-notice")).to_contain_text("草稿")
    expect(page.get_by_role("heading", name="关键项缺陷")).to_be_visible()
    screenshot("results-zh")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="完整报告（PDF）").click()
    reader = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert "评估摘要" in text and "合规政策声明与管理层承诺" in text
    assert "草稿" in text

    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("heading", name="Critical findings")).to_be_visible()
    membership.user.refresh_from_db()
    assert membership.user.preferred_language == "en"
