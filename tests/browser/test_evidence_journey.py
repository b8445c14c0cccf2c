"""Evidence in a real browser: two files attached to a question (one dropped on the form,
one chosen with the file input), a library item linked to another question, the
assessment submitted, and the audit pack downloaded with every file in it."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from playwright.sync_api import expect

from compliance.assessments.services import create_assessment
from compliance.evidence.services import add_item
from compliance.organisations.models import Membership
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.browser.pages import log_in
from tests.evidence.files import ALLOWED, upload
from tests.factories import PASSWORD, SAMPLE, MembershipFactory, answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP = """([name, bytes, type]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], name, {type}));
  const zone = document.querySelector("#drop-zone");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    const event = {dataTransfer: transfer, bubbles: true, cancelable: true};
    zone.dispatchEvent(new DragEvent(kind, event));
  }
}"""


def test_attach_link_submit_and_download_the_audit_pack(live_server, page, screenshot, tmp_path):
    version = publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))
    owner = MembershipFactory(role=Membership.Role.OWNER)
    assessment = create_assessment(
        organisation=owner.organisation, version=version, title="Evidence 2026", user=owner.user
    )
    answer_all(assessment, owner.user)
    add_item(
        owner.organisation,
        owner.user,
        title="ICP manual",
        files=[upload("icp-manual.docx", ALLOWED["manual.docx"])],
    )
    base = live_server.url
    log_in(page, base, owner.user.email, PASSWORD)

    page.goto(f"{base}/assessments/{assessment.uuid}/sections/1/")
    page.locator("#q-policy-signed .evidence-attach").click()
    expect(page.locator("h1")).to_have_text("Evidence for an answer")
    expect(page.locator("#drop-zone")).to_be_visible()
    page.locator("#id_files").set_input_files(str(_file(tmp_path, "policy.pdf")))
    page.evaluate(
        DROP, ["screening-log.xlsx", list(ALLOWED["log.xlsx"]), "application/vnd.ms-excel"]
    )
    expect(page.locator("#drop-names")).to_have_text("policy.pdf, screening-log.xlsx")
    page.locator("#id_title").fill("Signed policy and screening log")
    page.locator("#id_valid_until").fill("2030-12-31")
    screenshot("before-upload")
    page.get_by_role("button", name="Upload and attach").click()
    links = page.locator("#evidence-links")
    expect(links).to_contain_text("Signed policy and screening log")
    expect(links).to_contain_text("policy.pdf")
    expect(links).to_contain_text("screening-log.xlsx")
    expect(page.locator(".alert-success")).to_contain_text("Attached")

    # A refused file says why, on the same page, and keeps the form usable.
    page.locator("#id_files").set_input_files(
        str(_file(tmp_path, "page.pdf", b"<html><script>1</script>"))
    )
    page.get_by_role("button", name="Upload and attach").click()
    expect(page.locator("#evidence-upload")).to_contain_text("web page or markup")

    page.goto(f"{base}/assessments/{assessment.uuid}/questions/policy-maturity/evidence/")
    page.locator("#library-q").fill("manual")
    page.get_by_role("button", name="Search").click()
    page.locator("#library-results").get_by_role("button", name="Link").click()
    expect(page.locator("#evidence-links")).to_contain_text("ICP manual")
    screenshot("linked")

    page.goto(f"{base}/assessments/{assessment.uuid}/sections/1/")
    expect(page.locator("#evidence-policy-signed")).to_contain_text("screening-log.xlsx")
    expect(page.locator("#evidence-policy-maturity")).to_contain_text("ICP manual")

    page.goto(f"{base}/assessments/{assessment.uuid}/submit/")
    page.get_by_role("button", name="Submit the assessment").click()
    page.wait_for_url(f"**/assessments/{assessment.uuid}/results/")
    with page.expect_download() as download:
        page.locator("#download-audit-pack").click()
    assert "DRAFT" not in download.value.suggested_filename
    archive = zipfile.ZipFile(download.value.path())
    manifest = json.loads(archive.read("manifest.json"))
    evidence = {
        entry["path"].rsplit("/", 1)[1]: entry
        for entry in manifest["files"]
        if entry["kind"] == "evidence"
    }
    assert set(evidence) == {"policy.pdf", "screening-log.xlsx", "icp-manual.docx"}
    for name, source in (("policy.pdf", "policy.pdf"), ("screening-log.xlsx", "log.xlsx")):
        assert archive.read(evidence[name]["path"]) == ALLOWED[source]
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]


def _file(folder, name: str, data: bytes | None = None):
    path = folder / name
    path.write_bytes(ALLOWED[name] if data is None else data)
    return path
