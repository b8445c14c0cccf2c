"""Tokens: shown once, stored hashed, scoped, expiring, revocable, each refusal with its
reason in the API's error shape; the owners' page that makes and revokes them."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.api.models import ApiToken
from compliance.api.tokens import digest, make_token
from tests.api.conftest import bearer

ASSESSMENTS = "/api/v1/assessments/"


def error_of(response) -> dict:
    return response.json()["error"]


def test_a_token_reads_its_organisation(client, world):
    response = client.get(ASSESSMENTS, **bearer(world["read"]))
    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == {"2025", "2026"}


def test_only_a_digest_of_the_token_is_stored(world):
    token = ApiToken.objects.get(name="Reader")
    assert token.digest == hashlib.sha256(world["read"].encode()).hexdigest()
    assert world["read"] not in str(list(ApiToken.objects.values()))
    assert world["read"].startswith(f"icp_{token.prefix}_")


def test_the_last_use_is_recorded_once_a_minute(client, world):
    token = ApiToken.objects.get(name="Reader")
    assert token.last_used_at is None
    client.get(ASSESSMENTS, **bearer(world["read"]))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(ASSESSMENTS, **bearer(world["read"]))
    token.refresh_from_db()
    assert token.last_used_at == first


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer nonsense", "This is not an API token."),
        ("Bearer icp_12345678_" + "x" * 43, "No such token."),
        ("Bearer two words", "Send the token as"),
        ("Bearer icp_1234_short", "This is not an API token."),
    ],
)
def test_malformed_and_unknown_tokens_are_401(client, world, header, message):
    response = client.get(ASSESSMENTS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response)["code"] == "authentication_failed"
    assert message in error_of(response)["message"]


def test_a_token_with_one_changed_character_is_unknown(client, world):
    text = world["read"]
    changed = text[:-1] + ("A" if text[-1] != "A" else "B")
    assert client.get(ASSESSMENTS, **bearer(changed)).status_code == 401


def test_an_expired_token_is_401(client, world):
    ApiToken.objects.filter(name="Reader").update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(ASSESSMENTS, **bearer(world["read"]))
    assert response.status_code == 401
    assert error_of(response)["message"] == "This token has expired."


def test_a_revoked_token_is_401(client, world):
    client.force_login(world["owner"].user)
    token = ApiToken.objects.get(name="Reader")
    response = client.post(
        reverse("organisation_api_token_revoke", args=[world["organisation"].uuid, token.uuid])
    )
    assert response.status_code == 302
    client.logout()
    response = client.get(ASSESSMENTS, **bearer(world["read"]))
    assert response.status_code == 401
    assert error_of(response)["message"] == "This token has been revoked."
    token.refresh_from_db()
    assert token.revoked_by == world["owner"].user


def test_without_credentials_the_api_answers_401_not_a_login_page(client, world):
    response = client.get(ASSESSMENTS)
    assert response.status_code == 401
    assert error_of(response) == {
        "status": 401,
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }


def test_a_token_without_the_read_scope_reads_nothing(client, world):
    token = ApiToken.objects.get(name="Reader")
    ApiToken.objects.filter(pk=token.pk).update(scopes=["actions:write"])
    response = client.get(ASSESSMENTS, **bearer(world["read"]))
    assert response.status_code == 403
    assert "lacks the scope read" in error_of(response)["message"]


def test_make_token_refuses_bad_input(world):
    from django.core.exceptions import ValidationError

    organisation, user = world["organisation"], world["owner"].user
    with pytest.raises(ValidationError):
        make_token(
            organisation,
            user,
            name="x",
            scopes=["admin"],
            expires_at=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        make_token(organisation, user, name="x", scopes=[], expires_at=timezone.now())
    with pytest.raises(ValidationError):
        make_token(
            organisation, user, name="x", scopes=[], expires_at=timezone.now() + timedelta(days=400)
        )
    made = make_token(
        organisation,
        user,
        name="  two   words ",
        scopes=[],
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert (made.token.name, made.token.scopes) == ("two words", ["read"])
    assert made.token.digest == digest(made.text)


# The owners' page ----------------------------------------------------------------------


def tokens_url(world) -> str:
    return reverse("organisation_api_tokens", args=[world["organisation"].uuid])


def test_an_owner_makes_a_token_that_is_shown_once_and_works(client, world):
    client.force_login(world["owner"].user)
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        tokens_url(world), {"name": "GRC tool", "scopes": ["actions:write"], "expires_on": day}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Cache-Control"] == "private, no-store"
    text = response.context["made"]["text"]
    assert text in response.content.decode()
    assert "api_token_made" not in client.session
    token = ApiToken.objects.get(name="GRC tool")
    assert token.scopes == ["actions:write", "read"]
    assert token.created_by == world["owner"].user
    page = client.get(tokens_url(world)).content.decode()
    assert text not in page and token.prefix in page and "GRC tool" in page
    client.logout()
    assert client.get(ASSESSMENTS, **bearer(text)).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "expires_on": "2099-01-01"}, "This field is required."),
        ({"name": "x", "expires_on": "2000-01-01"}, "Choose a day after today."),
        ({"name": "x", "expires_on": "2999-01-01"}, "A token may live a year at most."),
        ({"name": "x", "expires_on": "soon"}, "Enter a valid date."),
        ({"name": "x", "expires_on": "2099-01-01", "scopes": ["admin"]}, "Select a valid choice."),
    ],
)
def test_the_token_form_refuses_bad_input_and_makes_nothing(client, world, data, message):
    client.force_login(world["owner"].user)
    before = ApiToken.objects.count()
    response = client.post(tokens_url(world), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ApiToken.objects.count() == before


@pytest.mark.parametrize(("who", "status"), [("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owners_see_the_tokens_page(client, world, who, status):
    client.force_login(world[who].user)
    assert client.get(tokens_url(world)).status_code == status
    token = ApiToken.objects.get(name="Reader")
    url = reverse("organisation_api_token_revoke", args=[world["organisation"].uuid, token.uuid])
    assert client.post(url).status_code == status
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_organisations_token_cannot_be_revoked(client, world):
    client.force_login(world["outsider"].user)
    token = ApiToken.objects.get(name="Reader")
    url = reverse(
        "organisation_api_token_revoke", args=[world["outsider"].organisation.uuid, token.uuid]
    )
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_costs_the_same_for_many_tokens(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["owner"].user)
    for index in range(20):
        make_token(
            world["organisation"],
            world["owner"].user,
            name=f"t{index}",
            scopes=[],
            expires_at=timezone.now() + timedelta(days=1),
        )
    with django_assert_max_num_queries(8):
        assert client.get(tokens_url(world)).status_code == 200
