"""Campaigns: a new assessment in each of the organisations chosen, in one go; refused
whole for an organisation the person does not belong to or may not start one in."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from compliance.assessments.models import Answer, Assessment
from compliance.assessments.services import create_assessment, submit
from compliance.organisations.models import Membership
from compliance.questionnaires.services import new_draft_from, publish_version
from tests.factories import MembershipFactory, UserFactory, answer_all

URL = "/portfolio/campaign/"


def test_the_url_is_named_portfolio_campaign():
    assert reverse("portfolio_campaign") == URL


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    for response in (client.get(URL), client.post(URL)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.fixture
def owned(person):
    return MembershipFactory(user=person, role=Membership.Role.OWNER).organisation


@pytest.fixture
def edited(person):
    return MembershipFactory(user=person, role=Membership.Role.EDITOR).organisation


@pytest.fixture
def viewed(person):
    return MembershipFactory(user=person, role=Membership.Role.VIEWER).organisation


@pytest.fixture
def reviewed(person):
    return MembershipFactory(user=person, role=Membership.Role.REVIEWER).organisation


@pytest.fixture
def foreign(db):
    return MembershipFactory(role=Membership.Role.OWNER).organisation


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


def _post(client, version, *organisations, carry_over=True, title="Campaign 2026"):
    data = {
        "organisations": [str(o.uuid) for o in organisations],
        "version": version.pk,
        "title": title,
    }
    if carry_over:
        data["carry_over"] = "on"
    return client.post(URL, data)


def test_the_form_offers_only_the_organisations_where_one_may_start_assessments(
    logged_in, owned, edited, viewed, reviewed, foreign, sample_version
):
    response = logged_in.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields["organisations"].queryset) == {owned, edited}
    assert form.initial["version"] == sample_version
    assert form.initial["title"] == f"Sample ICP check {timezone.localdate().year}"
    assert form.initial["carry_over"] is True
    main = response.content.decode().split("<main", 1)[1]  # the header lists them all
    assert owned.name in main and edited.name in main
    for name in (viewed.name, reviewed.name, foreign.name):
        assert name not in main


def test_the_latest_published_version_of_the_default_questionnaire_comes_first(
    logged_in, owned, default_v2, sample_version
):
    assert logged_in.get(URL).context["form"].initial["version"] == default_v2


def test_a_campaign_starts_a_draft_in_each_chosen_organisation(
    logged_in, person, owned, edited, sample_version
):
    response = _post(logged_in, sample_version, owned, edited, carry_over=False)

    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio")
    for organisation in (owned, edited):
        [assessment] = Assessment.objects.filter(organisation=organisation)
        assert assessment.status == Assessment.Status.DRAFT
        assert (assessment.title, assessment.version, assessment.created_by) == (
            "Campaign 2026",
            sample_version,
            person,
        )
        assert assessment.based_on is None
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(m.startswith("Started 2 assessments:") for m in messages), messages


def test_answers_are_carried_over_from_the_latest_submitted_assessment(
    logged_in, person, owned, sample_version
):
    earlier = create_assessment(
        organisation=owned, version=sample_version, title="2025", user=person
    )
    answer_all(earlier, person, comment="Carried.")
    submit(earlier, person)
    # Started later and returned for changes: not what a new one starts from.
    create_assessment(organisation=owned, version=sample_version, title="Unfinished", user=person)
    version_2 = publish_version(new_draft_from(sample_version))

    _post(logged_in, version_2, owned)

    new = Assessment.objects.get(organisation=owned, version=version_2)
    assert new.based_on == earlier
    copied = Answer.objects.filter(assessment=new)
    assert copied.count() == Answer.objects.filter(assessment=earlier).count() > 0
    assert all(answer.carried_over for answer in copied)
    assert {answer.comment for answer in copied if answer.comment} == {"Carried."}


def test_without_an_earlier_assessment_a_draft_starts_empty_and_says_so(
    logged_in, owned, sample_version
):
    response = _post(logged_in, sample_version, owned)
    new = Assessment.objects.get(organisation=owned)
    assert new.based_on is None and not new.answers.exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("empty answers" in m and owned.name in m for m in messages), messages


def test_an_organisation_with_a_draft_on_the_version_is_skipped(
    logged_in, person, owned, edited, sample_version
):
    existing = create_assessment(
        organisation=owned, version=sample_version, title="Already started", user=person
    )

    response = _post(logged_in, sample_version, owned, edited)

    assert list(Assessment.objects.filter(organisation=owned)) == [existing]
    assert Assessment.objects.filter(organisation=edited).count() == 1
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(m.startswith("Started 1 assessment:") and edited.name in m for m in messages)
    assert any(owned.name in m and "skipped" in m and "Already started" in m for m in messages), (
        messages
    )


def test_posting_it_twice_starts_nothing_twice(logged_in, owned, sample_version):
    _post(logged_in, sample_version, owned)
    response = _post(logged_in, sample_version, owned)
    assert Assessment.objects.filter(organisation=owned).count() == 1
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "No assessment was started." in messages


def test_another_organisations_id_is_a_404_and_starts_nothing(
    logged_in, owned, foreign, sample_version
):
    response = _post(logged_in, sample_version, owned, foreign)
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_a_value_that_is_no_id_is_a_404(logged_in, owned, sample_version):
    response = logged_in.post(
        URL, {"organisations": [str(owned.uuid), "1 OR 1=1"], "version": sample_version.pk}
    )
    assert response.status_code == 404
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["viewed", "reviewed"])
def test_an_organisation_one_only_reads_or_reviews_is_refused_with_a_reason(
    request, logged_in, owned, sample_version, role
):
    organisation = request.getfixturevalue(role)
    response = _post(logged_in, sample_version, owned, organisation)
    assert response.status_code == 403
    page = response.content.decode()
    assert organisation.name in page and "only owners and editors" in page
    assert not Assessment.objects.exists()


def test_choosing_no_organisation_is_a_form_error(logged_in, owned, sample_version):
    response = _post(logged_in, sample_version)
    assert response.status_code == 200
    assert response.context["form"].errors["organisations"] == ["Choose at least one organisation."]
    assert not Assessment.objects.exists()


def test_an_unpublished_version_is_a_form_error(logged_in, owned, sample_version):
    draft = new_draft_from(sample_version)
    response = _post(logged_in, draft, owned)
    assert response.status_code == 200
    assert response.context["form"].errors["version"] == [
        "Choose a published questionnaire version."
    ]
    assert not Assessment.objects.exists()


def test_someone_who_may_start_nothing_is_told_so(logged_in, viewed, sample_version):
    response = logged_in.get(URL)
    assert response.status_code == 200
    assert "nowhere you can start an assessment" in response.content.decode()
