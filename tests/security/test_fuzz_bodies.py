"""Fuzzing with malformed request bodies: random bytes as form, multipart, JSON, text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.security.checks import assert_only_changed, row_counts
from tests.security.fuzzing import (
    AXES,
    QUESTIONNAIRE_TABLES,
    TRIED,
    answered,
    fuzz,
    logged_in,
    rolled_back,
)

pytestmark = pytest.mark.django_db


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
