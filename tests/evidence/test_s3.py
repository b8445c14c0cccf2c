"""Evidence in an S3-compatible bucket, for real: django-storages' S3 backend against
moto's standalone server, started by the test on loopback (no client is mocked)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.urls import reverse

from compliance.evidence import services
from compliance.evidence.models import EvidenceFile
from compliance.organisations.models import Membership
from tests.factories import MembershipFactory, answer_all
from tests.processes import free_port

from . import files
from .test_audit_pack import _check_manifest, _cite, _download
from .test_library import post_upload

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).close()  # noqa: S310 (loopback)
            break
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh bucket per test, as STORAGES["evidence"] (the settings EVIDENCE_BUCKET makes)."""
    import boto3

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "location": "evidence",
                "default_acl": "private",
                "file_overwrite": False,
                "max_memory_size": 1024 * 1024,
            },
        },
    }

    def keys() -> set[str]:
        listed = client.list_objects_v2(Bucket=name)
        return {entry["Key"] for entry in listed.get("Contents", ())}

    return keys


def test_upload_download_and_deletion_through_a_bucket(
    bucket, editor, editor_client, assessment, django_capture_on_commit_callbacks
):
    data = files.ALLOWED["log.xlsx"]
    response = post_upload(
        editor_client, assessment, files.upload("log.xlsx", data), title="Screening log"
    )
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert bucket() == {f"evidence/{stored.key}"}
    assert stored.sha256 == hashlib.sha256(data).hexdigest()

    download = editor_client.get(reverse("evidence_download", args=[stored.uuid]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"

    # The audit pack reads the file from the bucket, and its checksum holds.
    answer_all(assessment, editor.user)
    _cite(assessment, editor.user, "policy-maturity", "Policy", ("policy.pdf", "policy.pdf"))
    _response, archive = _download(editor_client, assessment)
    evidence = [p for p in _check_manifest(archive) if p.startswith("evidence/")]
    assert len(evidence) == 2
    assert len(bucket()) == 2

    outsider = MembershipFactory(role=Membership.Role.OWNER)
    editor_client.force_login(outsider.user)
    assert editor_client.get(reverse("evidence_download", args=[stored.uuid])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        editor.organisation.delete()
    assert bucket() == set()  # both files of the organisation gone


def test_a_refused_upload_leaves_the_bucket_empty(bucket, editor_client, assessment):
    response = post_upload(
        editor_client,
        assessment,
        files.upload("policy.pdf", files.ALLOWED["policy.pdf"]),
        files.upload("page.pdf", files.REFUSED["page.pdf"]),
    )
    assert response.status_code == 400
    assert bucket() == set()


def test_a_failure_after_storing_removes_what_was_stored(bucket, editor, assessment, monkeypatch):
    from compliance.assessments import evidence

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(evidence, "record_change", broken)
    question = assessment.version.sections.get(code="policy").questions.get(code="policy-signed")
    with pytest.raises(RuntimeError):
        evidence.attach_upload(
            assessment,
            question,
            editor.user,
            title="x",
            files=[files.upload("policy.pdf", files.ALLOWED["policy.pdf"])],
        )
    assert bucket() == set()
    assert not services.used_bytes(editor.organisation)
