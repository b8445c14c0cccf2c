"""Every endpoint: what it says, its filters, pages, ETags, localized texts, the single
write (an action) and each refusal, another organisation's ids, and flat query counts."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compliance.actions.models import Action, ActionChange
from tests.api.conftest import bearer


def get(client, url, token, **extra):
    return client.get(url, **bearer(token), **extra)


def patch(client, url, token, data, **extra):
    body = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return client.patch(url, body, content_type="application/json", **bearer(token), **extra)


def test_organisations_are_the_tokens_own(client, world):
    data = get(client, "/api/v1/organisations/", world["read"]).json()
    assert data["count"] == 1
    [row] = data["results"]
    assert row["id"] == str(world["organisation"].uuid)
    assert row["role"] == "viewer"
    detail = get(client, f"/api/v1/organisations/{world['organisation'].uuid}/", world["read"])
    assert detail.json() == row
    other = get(
        client, f"/api/v1/organisations/{world['outsider'].organisation.uuid}/", world["read"]
    )
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_a_signed_in_user_sees_their_memberships_with_their_role(client, world):
    client.force_login(world["editor"].user)
    data = client.get("/api/v1/organisations/").json()
    assert [(row["name"], row["role"]) for row in data["results"]] == [
        (world["organisation"].name, "editor")
    ]


def test_the_assessment_list_with_filters(client, world):
    rows = get(client, "/api/v1/assessments/", world["read"]).json()["results"]
    assert [row["title"] for row in rows] == ["2026", "2025"]
    submitted = next(row for row in rows if row["title"] == "2025")
    assert submitted["status"] == "submitted"
    assert submitted["status_label"] == {"en": "Submitted", "zh-hans": "已提交"}
    assert submitted["score"] == pytest.approx(world["submitted"].result["score"])
    assert submitted["version"] == 1 and submitted["questionnaire"] == "sample-icp"
    assert submitted["submitted_at"].startswith(str(timezone.now().year))
    draft = next(row for row in rows if row["title"] == "2026")
    assert draft["score"] is None  # a draft's result is only in its detail

    def titles(query):
        response = get(client, f"/api/v1/assessments/?{query}", world["read"])
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    today = timezone.localdate()
    assert titles("status=draft") == ["2026"]
    assert titles("questionnaire=sample-icp&version=1") == ["2026", "2025"]
    assert titles("version=2") == []
    assert titles(f"submitted_after={today}") == ["2025"]
    assert titles(f"submitted_before={today - timedelta(days=1)}") == []
    assert titles(f"created_after={today}&created_before={today}") == ["2026", "2025"]
    assert titles(f"organisation={world['outsider'].organisation.uuid}") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=done", "status"),
        ("submitted_after=yesterday", "submitted_after"),
        ("version=one", "version"),
        ("organisation=nope", "organisation"),
    ],
)
def test_bad_filters_are_400_with_the_field(client, world, query, field):
    response = get(client, f"/api/v1/assessments/?{query}", world["read"])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_pages(client, world):
    data = get(client, "/api/v1/assessments/?page_size=1", world["read"]).json()
    assert data["count"] == 2 and len(data["results"]) == 1
    assert "page=2" in data["next"]
    second = client.get(data["next"], **bearer(world["read"])).json()
    assert second["next"] is None and second["results"][0]["title"] == "2025"
    assert get(client, "/api/v1/assessments/?page=9", world["read"]).status_code == 404


def test_the_assessment_detail_is_the_json_export(client, world):
    assessment = world["submitted"]
    api = get(client, f"/api/v1/assessments/{assessment.uuid}/", world["read"]).json()
    client.force_login(world["viewer"].user)
    export = json.loads(
        client.get(reverse("assessment_export_json", args=[assessment.uuid])).content
    )
    assert api == export
    assert api["schema"] == "icp-self-assessment/assessment/1"
    assert api["score"] == pytest.approx(assessment.result["score"])
    section = api["sections"][0]
    assert set(section["title"]) == {"en", "zh-hans"}
    question = section["questions"][0]
    assert question["question"]["en"] == "Is the policy signed?"
    assert question["question"]["zh-hans"] == "政策是否已签署？"
    assert question["answer"] == {"en": "Yes", "zh-hans": "是"}
    assert question["value"]["choices"] == ["yes"]
    assert [row["code"] for row in api["action_plan"]] == [
        gap["code"] for gap in assessment.result["gaps"]
    ]
    assert [row["code"] for row in api["critical_findings"]] == [
        finding["code"] for finding in assessment.result["critical_findings"]
    ]


def test_a_draft_detail_has_its_result_computed_now(client, world):
    data = get(client, f"/api/v1/assessments/{world['draft'].uuid}/", world["read"]).json()
    assert data["assessment"]["status"] == "draft"
    assert data["answered"] == 0


def test_etags_on_details(client, world):
    url = f"/api/v1/assessments/{world['submitted'].uuid}/"
    first = get(client, url, world["read"])
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    again = get(client, url, world["read"], HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert get(client, url, world["read"], HTTP_IF_NONE_MATCH='"other"').status_code == 200
    action_url = f"/api/v1/actions/{world['action'].uuid}/"
    before = get(client, action_url, world["read"])["ETag"]
    patch(client, action_url, world["write"], {"status": "in_progress"})
    after = get(client, action_url, world["read"], HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after["ETag"] != before


def test_answers_of_an_assessment(client, world):
    data = get(
        client, f"/api/v1/assessments/{world['submitted'].uuid}/answers/", world["read"]
    ).json()
    assert data["count"] == world["submitted"].answers.count()
    first = data["results"][0]
    assert first["question"] == "policy-signed" and first["section"] == "policy"
    assert first["answer"] == {"en": "Yes", "zh-hans": "是"}
    assert first["updated_by"] == world["editor"].user.email
    theirs = get(client, f"/api/v1/assessments/{world['theirs'].uuid}/answers/", world["read"])
    assert theirs.status_code == 404


def test_published_questionnaires_with_their_content(client, world):
    rows = get(client, "/api/v1/questionnaires/", world["read"]).json()["results"]
    assert [row["id"] for row in rows] == ["sample-icp:1"]
    response = get(client, "/api/v1/questionnaires/sample-icp/1/", world["read"])
    data = response.json()
    again = get(
        client,
        "/api/v1/questionnaires/sample-icp/1/",
        world["read"],
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304
    assert data["content_sha256"] == world["version"].content_digest
    question = data["content"]["sections"][0]["questions"][0]
    assert question["code"] == "policy-signed"
    assert question["text"]["zh-hans"] == "政策是否已签署？"
    assert get(client, "/api/v1/questionnaires/sample-icp/9/", world["read"]).status_code == 404


def test_a_draft_version_is_not_in_the_api(client, world):
    from compliance.questionnaires.services import new_draft_from

    draft = new_draft_from(world["version"])
    rows = get(client, "/api/v1/questionnaires/", world["read"]).json()["results"]
    assert [row["id"] for row in rows] == ["sample-icp:1"]
    url = f"/api/v1/questionnaires/sample-icp/{draft.number}/"
    assert get(client, url, world["read"]).status_code == 404


# Evidence ------------------------------------------------------------------------------


def test_evidence_metadata_but_not_the_files_without_their_scope(client, world):
    rows = get(client, "/api/v1/evidence/", world["read"]).json()["results"]
    assert [row["title"] for row in rows] == ["Policy"]
    [stored] = rows[0]["files"]
    expected = world["evidence"].files.get()
    assert stored["sha256"] == expected.sha256 and stored["size"] == expected.size
    url = f"/api/v1/evidence/files/{expected.uuid}/content/"
    refused = get(client, url, world["read"])
    assert refused.status_code == 403
    assert "evidence:files" in refused.json()["error"]["message"]
    response = get(client, url, world["files"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_evidence_files_bytes(client, world):
    from tests.evidence.files import ALLOWED

    stored = world["evidence"].files.get()
    response = get(client, f"/api/v1/evidence/files/{stored.uuid}/content/", world["files"])
    assert b"".join(response.streaming_content) == ALLOWED["policy.pdf"]


def test_another_organisations_evidence_is_404(client, world):
    theirs = world["their_evidence"]
    assert get(client, f"/api/v1/evidence/{theirs.uuid}/", world["files"]).status_code == 404
    url = f"/api/v1/evidence/files/{theirs.files.get().uuid}/content/"
    assert get(client, url, world["files"]).status_code == 404


# Actions: the one write ----------------------------------------------------------------


def action_url(action) -> str:
    return f"/api/v1/actions/{action.uuid}/"


def test_actions_list_and_filters(client, world):
    rows = get(client, "/api/v1/actions/", world["read"]).json()["results"]
    assert [row["title"] for row in rows] == ["Sign"]
    assert rows[0]["status_label"]["zh-hans"]
    assert get(client, "/api/v1/actions/?status=done", world["read"]).json()["count"] == 0
    assert get(client, "/api/v1/actions/?open=true", world["read"]).json()["count"] == 1
    Action.objects.filter(pk=world["action"].pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    overdue = get(client, "/api/v1/actions/?overdue=true", world["read"]).json()["results"]
    assert [row["overdue"] for row in overdue] == [True]


def test_a_write_token_changes_an_action_recorded_under_its_maker(client, world):
    action = world["action"]
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = patch(
        client,
        action_url(action),
        world["write"],
        {"status": "in_progress", "owner": world["editor"].user.email, "due_date": due},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["owner"], data["due_date"]) == (
        "in_progress",
        world["editor"].user.email,
        due,
    )
    changes = ActionChange.objects.filter(action=action)
    assert {change.field for change in changes} == {"status", "owner", "due_date"}
    assert {change.user for change in changes} == {world["owner"].user}


def test_accepting_a_risk_needs_a_justification(client, world):
    action = world["action"]
    refused = patch(client, action_url(action), world["write"], {"status": "risk_accepted"})
    assert refused.status_code == 400
    assert Action.objects.get(pk=action.pk).status == "open"
    accepted = patch(
        client,
        action_url(action),
        world["write"],
        {"status": "risk_accepted", "justification": "Out of scope this year."},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "risk_accepted"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"title": "New title"}, 400, "invalid"),
        ({"status": "finished"}, 400, "invalid"),
        ({"due_date": "2000-01-01"}, 400, "invalid"),
        ({"due_date": "tomorrow"}, 400, "invalid"),
        ({"owner": "nobody@example.com"}, 400, "invalid"),
        ({}, 400, "invalid"),
        (b"{not json", 400, "parse_error"),
        ("[1, 2]", 400, "invalid"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(client, world, body, status, code):
    action = world["action"]
    response = patch(client, action_url(action), world["write"], body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.title, fresh.status, fresh.owner, fresh.due_date) == ("Sign", "open", None, None)
    assert not ActionChange.objects.filter(action=action).exists()


def test_unknown_fields_are_named(client, world):
    response = patch(
        client, action_url(world["action"]), world["write"], {"status": "done", "colour": "red"}
    )
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["fields"]
    assert Action.objects.get(pk=world["action"].pk).status == "open"


def test_an_oversized_body_is_413(client, world):
    body = json.dumps({"justification": "x" * (70 * 1024)})
    response = patch(client, action_url(world["action"]), world["write"], body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_read_token_cannot_write(client, world):
    response = patch(client, action_url(world["action"]), world["read"], {"status": "done"})
    assert response.status_code == 403
    assert "actions:write" in response.json()["error"]["message"]
    assert Action.objects.get(pk=world["action"].pk).status == "open"


def test_another_organisations_action_is_404_even_to_write(client, world):
    theirs = world["their_action"]
    assert get(client, action_url(theirs), world["write"]).status_code == 404
    assert patch(client, action_url(theirs), world["write"], {"status": "done"}).status_code == 404
    assert Action.objects.get(pk=theirs.pk).status == "open"


def test_other_methods_are_405(client, world):
    response = client.post(
        action_url(world["action"]), "{}", content_type="application/json", **bearer(world["write"])
    )
    assert response.status_code == 405
    assert client.delete(action_url(world["action"]), **bearer(world["write"])).status_code == 405


# The browser's session -----------------------------------------------------------------


def test_a_session_writes_only_with_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["editor"].user)
    url = action_url(world["action"])
    assert client.get(url).status_code == 200
    body = json.dumps({"status": "done"})
    refused = client.patch(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    client.get(reverse("assessment_dashboard"))
    token = client.cookies["csrftoken"].value
    response = client.patch(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"


def test_a_viewers_session_reads_but_cannot_change_actions(client, world):
    client.force_login(world["viewer"].user)
    url = action_url(world["action"])
    assert client.get(url).status_code == 200
    response = client.patch(url, json.dumps({"status": "done"}), content_type="application/json")
    assert response.status_code == 403
    assert Action.objects.get(pk=world["action"].pk).status == "open"


# Limits and the unknown ----------------------------------------------------------------


def test_the_rate_limit_is_per_token_and_says_when_to_retry(client, world, settings):
    settings.API_RATE = "3/min"
    for _ in range(3):
        assert get(client, "/api/v1/organisations/", world["read"]).status_code == 200
    refused = get(client, "/api/v1/organisations/", world["read"])
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert get(client, "/api/v1/organisations/", world["write"]).status_code == 200


def test_an_unknown_address_is_404_in_the_error_shape(client, world):
    response = get(client, "/api/v1/nothing/here/", world["read"])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# Queries flat in the size of a page ----------------------------------------------------


def _queries(client, url, token) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **bearer(token)).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_page(client, world):
    from compliance.evidence.services import add_item
    from tests.evidence.files import ALLOWED, upload
    from tests.factories import AssessmentFactory, answer_all

    organisation = world["organisation"]
    urls = [
        "/api/v1/assessments/",
        "/api/v1/actions/",
        "/api/v1/evidence/",
        f"/api/v1/assessments/{world['submitted'].uuid}/answers/",
        "/api/v1/organisations/",
    ]
    _queries(client, urls[0], world["read"])  # the token's first use is recorded once
    small = {url: _queries(client, url, world["read"]) for url in urls}
    version = world["version"]
    questions = list(version.questions.all())
    for index in range(30):
        AssessmentFactory(organisation=organisation)
        Action.objects.create(
            organisation=organisation,
            question=questions[index % len(questions)],
            question_code=f"code-{index}",
            title=f"Action {index}",
            status="done",
        )
    for index in range(8):
        add_item(
            organisation,
            world["owner"].user,
            title=f"Item {index}",
            files=[upload(f"p{index}.pdf", ALLOWED["policy.pdf"])],
        )
    answer_all(world["draft"], world["editor"].user)
    large = {url: _queries(client, url, world["read"]) for url in urls}
    assert large == small
    assert max(large.values()) <= 6


def test_the_written_out_assessment_rows_equal_the_serializers_fields(rf, world):
    from rest_framework import serializers

    from compliance.api.serializers import AssessmentSerializer
    from compliance.api.views import AssessmentList

    view = AssessmentList()
    view.request = type("R", (), {"query_params": {}, "auth": None, "user": world["editor"].user})()
    request = rf.get("/api/v1/assessments/")
    for assessment in view.get_queryset():
        serializer = AssessmentSerializer(context={"request": request})
        fast = serializer.to_representation(assessment)
        slow = serializers.ModelSerializer.to_representation(serializer, assessment)
        assert fast == dict(slow), assessment.title
