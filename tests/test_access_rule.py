"""The access rule, checked on every URL of the project that takes an organisation or
assessment id: found from the URL resolver, so that views added later are covered too."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from compliance.organisations.models import Invitation, Membership
from compliance.questionnaires.services import import_questionnaire
from tests.factories import SAMPLE, AssessmentFactory, MembershipFactory

# URL parameters that identify an organisation's data, and how to fill them in.
ID_PARAMETERS = {
    "organisation",
    "assessment",
    "pk",
    "n",
    "item",
    "file",
    "comment",
    "action",
    "api_token",
    "endpoint",
    "delivery",
}
# Parts of the site that are not organisation data (the admin has its own staff rule).
SKIPPED_PREFIXES = ("admin/",)
#: The REST API answers a caller without credentials with a 401, not the login page.
API = "api/v1/"


def walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def protected_routes() -> list[tuple[str, set[str]]]:
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        parameters = set(pattern.pattern.regex.groupindex)
        if parameters & ID_PARAMETERS:
            routes.append((route, parameters))
    return routes


ROUTES = protected_routes()


def test_routes_are_found():
    routes = [route for route, _ in ROUTES]
    assert "organisations/<uuid:organisation>/members/" in routes
    assert "assessments/<uuid:assessment>/sections/<int:n>/" in routes
    assert any("<int:pk>" in route for route in routes)
    assert "evidence/files/<uuid:file>/" in routes
    assert "assessments/<uuid:assessment>/review/approve/" in routes
    assert "assessments/<uuid:assessment>/comments/<int:comment>/resolve/" in routes
    assert "organisations/<uuid:organisation>/actions/<uuid:action>/" in routes
    assert "organisations/<uuid:organisation>/actions/bulk/" in routes
    assert "organisations/<uuid:organisation>/history/" in routes
    assert "assessments/<uuid:assessment>/actions/create/" in routes
    assert "assessments/<uuid:assessment>/assignments/" in routes
    assert "api/v1/assessments/<uuid:assessment>/" in routes
    assert "api/v1/actions/<uuid:action>/" in routes
    assert "organisations/<uuid:organisation>/api-tokens/<uuid:api_token>/revoke/" in routes


@pytest.fixture
def world(db):
    """Two organisations; an outsider, a viewer and an owner; objects in each."""
    import_questionnaire(SAMPLE.read_text(encoding="utf-8"))
    from compliance.questionnaires.models import QuestionnaireVersion
    from compliance.questionnaires.services import publish_version

    publish_version(QuestionnaireVersion.objects.get())
    victim = MembershipFactory(role=Membership.Role.OWNER)
    viewer = MembershipFactory(organisation=victim.organisation, role=Membership.Role.VIEWER)
    outsider = MembershipFactory(role=Membership.Role.OWNER)
    invitation = Invitation.objects.create(organisation=victim.organisation, email="x@example.com")
    assessment = AssessmentFactory(organisation=victim.organisation)
    from compliance.evidence.services import add_item
    from tests.evidence.files import ALLOWED, upload

    evidence = add_item(
        victim.organisation,
        victim.user,
        title="Policy",
        files=[upload("policy.pdf", ALLOWED["policy.pdf"])],
    )
    from compliance.assessments.models import ReviewComment

    comment = ReviewComment.objects.create(assessment=assessment, author=victim.user, body="Why?")
    from compliance.actions.models import Action

    question = assessment.version.questions.get(code="policy-signed")
    action = Action.objects.create(
        organisation=victim.organisation,
        question=question,
        question_code=question.code,
        title="Sign the policy",
    )
    from datetime import timedelta

    from django.utils import timezone

    from compliance.api.tokens import make_token

    later = timezone.now() + timedelta(days=1)
    token = make_token(victim.organisation, victim.user, name="t", scopes=[], expires_at=later)
    # A token of the outsider's organisation that may do everything a token may.
    outsider_token = make_token(
        outsider.organisation,
        outsider.user,
        name="theirs",
        scopes=["actions:write", "evidence:files"],
        expires_at=later,
    )
    from compliance.webhooks.models import Delivery, Endpoint

    endpoint = Endpoint.objects.create(
        organisation=victim.organisation, url="https://hooks.example/x", events=["ping"]
    )
    delivery = Delivery.objects.create(endpoint=endpoint, event="ping", key="k", body="{}")
    return {
        "endpoint": endpoint,
        "delivery": delivery,
        "token": token.token,
        "outsider_token": outsider_token.text,
        "action": action,
        "comment": comment,
        "evidence": evidence,
        "victim": victim,
        "viewer": viewer,
        "outsider": outsider,
        "invitation": invitation,
        "assessment": assessment,
    }


def url_for(route: str, parameters: set[str], world) -> str:
    victim = world["victim"]
    values = {
        "organisation": str(victim.organisation.uuid),
        "assessment": str(world["assessment"].uuid),
        # An id of the victim organisation's own rows: a membership, an invitation.
        "pk": str(world["invitation"].pk if "invitations" in route else victim.pk),
        "n": "1",
        "code": "policy-signed",
        "item": str(world["evidence"].uuid),
        "file": str(world["evidence"].files.get().uuid),
        "comment": str(world["comment"].pk),
        "action": str(world["action"].uuid),
        "api_token": str(world["token"].uuid),
        "endpoint": str(world["endpoint"].uuid),
        "delivery": str(world["delivery"].uuid),
        "slug": "sample-icp",
        "number": "1",
    }
    unknown = parameters - values.keys()
    assert not unknown, f"Teach this test how to fill {unknown} in {route}"
    url = "/" + route
    for name in parameters:
        url = _replace(url, name, values[name])
    return url


def _replace(url: str, name: str, value: str) -> str:
    import re

    return re.sub(rf"<(?:\w+:)?{name}>", value, url)


@pytest.mark.parametrize(("route", "parameters"), ROUTES, ids=[r for r, _ in ROUTES])
def test_another_organisations_member_gets_404(client, world, route, parameters):
    url = url_for(route, parameters, world)
    client.force_login(world["outsider"].user)
    # 405 (method not allowed) answers before any lookup, so it reveals nothing; the
    # method the view does accept must be a 404.
    codes = {
        client.get(url).status_code,
        client.post(url, {"role": "owner", "email": "a@b.c"}).status_code,
    }
    assert codes <= {404, 405} and 404 in codes, (url, codes)


@pytest.mark.parametrize(("route", "parameters"), ROUTES, ids=[r for r, _ in ROUTES])
def test_anonymous_users_are_sent_to_login(client, world, route, parameters):
    url = url_for(route, parameters, world)
    if route.startswith(API):
        assert_api_refuses_anonymous(client, url)
        return
    for response in (client.get(url), client.post(url)):
        # Whatever the method: the login comes first, before any 404 or 405 could tell
        # an anonymous visitor what exists.
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def assert_api_refuses_anonymous(client, url):
    for response in (client.get(url), client.post(url), client.patch(url)):
        # Whatever the method: the 401 comes first, before any 404 or 405.
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated", url


API_ROUTES = [(route, parameters) for route, parameters in ROUTES if route.startswith(API)]


@pytest.mark.parametrize(("route", "parameters"), API_ROUTES, ids=[r for r, _ in API_ROUTES])
def test_another_organisations_token_gets_404(client, world, route, parameters):
    url = url_for(route, parameters, world)
    header = {"HTTP_AUTHORIZATION": f"Bearer {world['outsider_token']}"}
    codes = {
        client.get(url, **header).status_code,
        client.patch(
            url, '{"status": "done"}', content_type="application/json", **header
        ).status_code,
    }
    assert codes <= {404, 405} and 404 in codes, (url, codes)
    action = type(world["action"]).objects.get(pk=world["action"].pk)
    assert (action.status, action.changes.count()) == ("open", 0)


@pytest.mark.parametrize(("route", "parameters"), ROUTES, ids=[r for r, _ in ROUTES])
def test_viewers_cannot_write(client, world, route, parameters):
    url = url_for(route, parameters, world)
    client.force_login(world["viewer"].user)
    response = client.post(url, {"role": "owner", "email": "a@b.c"})
    assert response.status_code in (403, 405), url
    world["victim"].refresh_from_db()
    assert world["victim"].role == Membership.Role.OWNER
    assert Invitation.objects.count() == 1
    action = type(world["action"]).objects.get(pk=world["action"].pk)
    assert (action.title, action.status, action.changes.count()) == ("Sign the policy", "open", 0)


def test_staff_without_membership_see_no_organisation_data_outside_the_admin(client, world):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = f"/organisations/{world['victim'].organisation.uuid}/members/"
    assert client.get(url).status_code == 404


#: The pages an anonymous visitor may open: everything else sends them to the login.
PUBLIC = {
    "",
    "healthz",
    "favicon.ico",
    "i18n/setlang/",
    "invitations/<str:token>/",
    "accounts/signup/",
    "accounts/activate/<str:uidb64>/<str:token>/",
    "accounts/login/",
    "accounts/logout/",
    "accounts/password_reset/",
    "accounts/password_reset/done/",
    "accounts/reset/<uidb64>/<token>/",
    "accounts/reset/done/",
    "verify/",
    # The API's description, and its 404 for addresses it does not have.
    "api/v1/schema/",
    "api/v1/docs/",
    "api/v1/^.*$",
}
EVERY_ROUTE = [
    (route, set(pattern.pattern.regex.groupindex))
    for route, pattern in walk(get_resolver().url_patterns)
    if not route.startswith(SKIPPED_PREFIXES) and route not in PUBLIC
]


def test_the_public_pages_are_the_only_ones_without_login():
    routes = {route for route, _ in walk(get_resolver().url_patterns)}
    assert routes >= PUBLIC  # a renamed public page must be renamed here too
    assert "assessments/" in {route for route, _ in EVERY_ROUTE}


@pytest.mark.parametrize(("route", "parameters"), EVERY_ROUTE, ids=[r for r, _ in EVERY_ROUTE])
def test_every_other_page_needs_a_login(client, world, route, parameters):
    url = url_for(route, parameters, world)
    if route.startswith(API):
        assert_api_refuses_anonymous(client, url)
        return
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
