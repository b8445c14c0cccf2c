"""The evidence library and an answer's evidence: upload, link, download, refusals,
carry-over, removal, and files that go with their organisation."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from compliance.assessments import evidence
from compliance.assessments.models import Assessment, EvidenceLink
from compliance.assessments.services import create_assessment, submit
from compliance.evidence import services
from compliance.evidence.models import EvidenceFile, EvidenceItem
from compliance.organisations.models import Membership
from tests.factories import MembershipFactory, answer_all

from . import files

QUESTION = "policy-signed"


def stored_keys() -> set[str]:
    storage = storages["evidence"]
    keys = set()
    folders, _ = storage.listdir("")
    for folder in folders:
        keys |= {f"{folder}/{name}" for name in storage.listdir(folder)[1]}
    return keys


def evidence_url(assessment, code=QUESTION):
    return reverse("assessment_question_evidence", args=[assessment.uuid, code])


def question(assessment, code=QUESTION):
    return assessment.version.sections.get(questions__code=code).questions.get(code=code)


def post_upload(client, assessment, *uploads, **fields):
    return client.post(
        evidence_url(assessment),
        {"action": "upload", "files": list(uploads), **fields},
    )


def test_several_files_are_uploaded_and_linked_with_their_checksums(editor_client, assessment):
    response = post_upload(
        editor_client,
        assessment,
        files.upload("policy.pdf", files.ALLOWED["policy.pdf"]),
        files.upload("log.xlsx", files.ALLOWED["log.xlsx"], "application/octet-stream"),
        title="Export control policy, signed",
        document_date="2026-03-01",
        valid_until="2027-03-01",
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.title == "Export control policy, signed"
    assert item.valid_until == date(2027, 3, 1)
    stored = {f.name: f for f in item.files.all()}
    assert set(stored) == {"policy.pdf", "log.xlsx"}
    pdf = stored["policy.pdf"]
    assert pdf.sha256 == hashlib.sha256(files.ALLOWED["policy.pdf"]).hexdigest()
    assert pdf.size == len(files.ALLOWED["policy.pdf"])
    assert pdf.content_type == "application/pdf"
    assert stored["log.xlsx"].content_type.endswith("spreadsheetml.sheet")
    # Stored under keys that say nothing of the name, one folder per organisation.
    assert stored_keys() == {f.key for f in stored.values()}
    assert all("policy" not in f.key and "log" not in f.key for f in stored.values())
    assert {k.split("/")[0] for k in stored_keys()} == {assessment.organisation.uuid.hex}
    link = EvidenceLink.objects.get()
    assert (link.assessment, link.question.code, link.item) == (assessment, QUESTION, item)
    # The section page cites it, with each file to download.
    page = editor_client.get(reverse("assessment_section", args=[assessment.uuid, 1]))
    html = page.content.decode()
    assert "Export control policy, signed" in html
    assert reverse("evidence_download", args=[pdf.uuid]) in html


def test_a_download_is_an_attachment_that_cannot_run(editor_client, assessment):
    post_upload(editor_client, assessment, files.upload("notes.txt", files.ALLOWED["notes.txt"]))
    stored = EvidenceFile.objects.get()
    response = editor_client.get(reverse("evidence_download", args=[stored.uuid]))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == files.ALLOWED["notes.txt"]
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_another_organisations_file_is_404_and_anonymous_users_log_in(
    client, editor_client, assessment
):
    post_upload(editor_client, assessment, files.upload("policy.pdf", files.ALLOWED["policy.pdf"]))
    url = reverse("evidence_download", args=[EvidenceFile.objects.get().uuid])
    outsider = MembershipFactory(role=Membership.Role.OWNER)
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")


def test_a_viewer_downloads_but_cannot_upload(client, editor_client, assessment):
    post_upload(editor_client, assessment, files.upload("policy.pdf", files.ALLOWED["policy.pdf"]))
    viewer = MembershipFactory(organisation=assessment.organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    url = reverse("evidence_download", args=[EvidenceFile.objects.get().uuid])
    assert client.get(url).status_code == 200
    response = post_upload(client, assessment, files.upload("b.pdf", files.ALLOWED["policy.pdf"]))
    assert response.status_code == 403
    assert EvidenceFile.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.pdf", files.REFUSED["page.pdf"], "web page or markup"),
        ("drawing.pdf", files.REFUSED["drawing.pdf"], "web page or markup"),
        ("tool.exe", files.REFUSED["tool.exe"], "cannot be uploaded"),
        ("tool.pdf", files.REFUSED["tool.pdf"], "cannot be uploaded"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(editor_client, assessment, name, data, message):
    good = files.upload("policy.pdf", files.ALLOWED["policy.pdf"])
    response = post_upload(editor_client, assessment, good, files.upload(name, data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EvidenceItem.objects.exists() and not EvidenceLink.objects.exists()
    assert stored_keys() == set()


def test_too_large_and_over_quota_are_refused(settings, editor_client, assessment):
    data = files.ALLOWED["policy.pdf"]
    settings.EVIDENCE_MAX_FILE_BYTES = len(data) - 1
    response = post_upload(editor_client, assessment, files.upload("policy.pdf", data))
    assert response.status_code == 400
    # Refused while it arrived: the upload handler stopped reading it at the limit.
    assert "is larger than" in response.content.decode()
    with pytest.raises(services.Refused, match="a file may be at most"):  # and the service
        services.check_files(assessment.organisation, [files.upload("policy.pdf", data)])
    settings.EVIDENCE_MAX_FILE_BYTES = 10 * len(data)
    settings.EVIDENCE_QUOTA_BYTES = len(data) * 3 // 2
    assert post_upload(editor_client, assessment, files.upload("a.pdf", data)).status_code == 302
    response = post_upload(editor_client, assessment, files.upload("b.pdf", data))
    assert response.status_code == 400
    assert "quota" in response.content.decode()
    assert EvidenceFile.objects.count() == 1 and len(stored_keys()) == 1


def test_nothing_is_attached_to_a_submitted_assessment(editor, editor_client, sample_version):
    assessment = _submitted(editor, sample_version)
    response = post_upload(
        editor_client, assessment, files.upload("policy.pdf", files.ALLOWED["policy.pdf"])
    )
    assert response.status_code == 400
    assert not EvidenceItem.objects.exists() and stored_keys() == set()


def _submitted(editor, version) -> Assessment:
    assessment = create_assessment(
        organisation=editor.organisation, version=version, title="2025", user=editor.user
    )
    answer_all(assessment, editor.user)
    return submit(assessment, editor.user)


def _item(assessment, user, title="ICP manual", valid_until=None) -> EvidenceItem:
    return services.add_item(
        assessment.organisation,
        user,
        title=title,
        files=[files.upload("manual.docx", files.ALLOWED["manual.docx"])],
        valid_until=valid_until,
    )


def test_an_item_is_linked_from_the_library_and_unlinked_with_a_record(
    editor, editor_client, assessment
):
    item = _item(assessment, editor.user)
    page = editor_client.get(evidence_url(assessment), {"q": "manual"})
    assert "ICP manual" in page.content.decode()
    response = editor_client.post(
        evidence_url(assessment), {"action": "link", "item": str(item.uuid)}
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get()
    # Linking again changes nothing.
    editor_client.post(evidence_url(assessment), {"action": "link", "item": str(item.uuid)})
    assert EvidenceLink.objects.count() == 1
    editor_client.post(evidence_url(assessment), {"action": "unlink", "link": str(link.pk)})
    link.refresh_from_db()
    assert link.removed_at is not None and link.removed_by == editor.user
    assert EvidenceItem.objects.current().filter(pk=item.pk).exists()


def test_another_organisations_item_cannot_be_linked(editor_client, assessment):
    outsider = MembershipFactory(role=Membership.Role.OWNER)
    theirs = services.add_item(
        outsider.organisation,
        outsider.user,
        title="Theirs",
        files=[files.upload("policy.pdf", files.ALLOWED["policy.pdf"])],
    )
    response = editor_client.post(
        evidence_url(assessment), {"action": "link", "item": str(theirs.uuid)}
    )
    assert response.status_code == 404
    assert not EvidenceLink.objects.exists()


def test_carry_over_keeps_the_links(editor, assessment, sample_version):
    item = _item(assessment, editor.user)
    evidence.link_item(assessment, question(assessment), item, editor.user)
    later = create_assessment(
        organisation=editor.organisation,
        version=sample_version,
        title="2027",
        user=editor.user,
        carry_over_from=assessment,
    )
    links = evidence.links_by_question(later)
    assert [link.item for links_ in links.values() for link in links_] == [item]


def test_removing_an_item_unlinks_drafts_and_leaves_submitted_assessments(editor, sample_version):
    submitted = _submitted(editor, sample_version)
    draft = create_assessment(
        organisation=editor.organisation, version=sample_version, title="2027", user=editor.user
    )
    item = _item(draft, editor.user)
    evidence.link_item(draft, question(draft), item, editor.user)
    EvidenceLink.objects.create(assessment=submitted, question=question(submitted), item=item)
    assert services.remove_item(item, editor.user)
    assert not evidence.links_by_question(draft)
    assert [
        link.item for link in evidence.links_by_question(submitted)[question(submitted).pk]
    ] == [item]
    assert not services.remove_item(item, editor.user)  # once
    assert stored_keys()  # the files stay for the submitted assessment


def test_a_stored_file_never_changes(editor, assessment):
    stored = _item(assessment, editor.user).files.get()
    stored.name = "other.docx"
    with pytest.raises(ValueError):
        stored.save()


def test_deleting_an_organisation_deletes_its_files(
    editor, assessment, django_capture_on_commit_callbacks
):
    _item(assessment, editor.user)
    other = MembershipFactory(role=Membership.Role.OWNER)
    services.add_item(
        other.organisation,
        other.user,
        title="Kept",
        files=[files.upload("policy.pdf", files.ALLOWED["policy.pdf"])],
    )
    assert len(stored_keys()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        editor.organisation.delete()
    assert [k.split("/")[0] for k in stored_keys()] == [other.organisation.uuid.hex]


def test_the_dashboard_lists_expired_and_expiring_evidence(editor, editor_client, assessment):
    today = date.today()
    _item(assessment, editor.user, "Licence expired", today - timedelta(days=1))
    _item(assessment, editor.user, "Training due", today + timedelta(days=10))
    _item(assessment, editor.user, "Certificate far off", today + timedelta(days=90))
    html = editor_client.get(reverse("assessment_dashboard")).content.decode()
    assert "Licence expired" in html and "Training due" in html
    assert "Certificate far off" not in html
    assert html.index("Licence expired") < html.index("Training due")


def test_the_library_page_uploads_searches_and_removes(editor, editor_client, assessment):
    url = reverse("evidence_library")
    response = editor_client.post(
        url,
        {
            "files": [files.upload("minutes.odt", files.ALLOWED["minutes.odt"])],
            "title": "Board minutes",
        },
    )
    assert response.status_code == 302
    assert "Board minutes" in editor_client.get(url, {"q": "minutes"}).content.decode()
    assert "Board minutes" not in editor_client.get(url, {"q": "nothing-like-it"}).content.decode()
    item = EvidenceItem.objects.get()
    editor_client.post(reverse("evidence_remove", args=[item.uuid]))
    item.refresh_from_db()
    assert item.removed_by == editor.user
    html = editor_client.get(url).content.decode()
    assert 'id="library-empty"' in html  # the message says it was removed, the list is empty


def test_the_upload_script_gets_204_and_where_to_go(editor_client, assessment):
    response = editor_client.post(
        evidence_url(assessment),
        {"action": "upload", "files": [files.upload("policy.pdf", files.ALLOWED["policy.pdf"])]},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 204
    assert response["X-Location"] == evidence_url(assessment)


def test_a_file_missing_from_the_storage_is_a_404_not_an_error(editor, editor_client, assessment):
    stored = _item(assessment, editor.user).files.get()
    storages["evidence"].delete(stored.key)
    response = editor_client.get(reverse("evidence_download", args=[stored.uuid]))
    assert response.status_code == 404  # and the log says which file is missing


def test_malformed_ids_are_404s(editor_client, assessment):
    url = evidence_url(assessment)
    assert editor_client.post(url, {"action": "link", "item": "x"}).status_code == 404
    assert editor_client.post(url, {"action": "unlink", "link": "x"}).status_code == 404
    assert editor_client.post(url, {"action": "nothing"}).status_code == 400


def test_an_item_removed_meanwhile_is_not_linked(editor, assessment):
    item = _item(assessment, editor.user)
    stale = EvidenceItem.objects.get(pk=item.pk)  # read before the removal, as a page was
    services.remove_item(item, editor.user)
    with pytest.raises(ValueError, match="not in this organisation's library"):
        evidence.link_item(assessment, question(assessment), stale, editor.user)
    assert not EvidenceLink.objects.exists()


def test_too_many_files_in_one_upload_are_refused(settings, editor_client, assessment):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    uploads = [files.upload(f"p{i}.pdf", files.ALLOWED["policy.pdf"]) for i in range(3)]
    response = post_upload(editor_client, assessment, *uploads)
    assert response.status_code == 400
    assert not EvidenceItem.objects.exists() and stored_keys() == set()
