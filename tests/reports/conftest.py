import pytest
from django.core.management import call_command

from compliance.assessments.services import create_assessment
from compliance.organisations.models import Membership
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import MembershipFactory
from tests.questionnaires.conftest import SAMPLE


@pytest.fixture
def sample_version(db):
    return publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))


@pytest.fixture
def default_version(db):
    call_command("loaddata", "default_questionnaire", verbosity=0)
    return QuestionnaireVersion.objects.get(questionnaire__slug="cn-export-control-icp")


@pytest.fixture
def editor(db):
    return MembershipFactory(role=Membership.Role.EDITOR)


@pytest.fixture
def assessment(editor, sample_version):
    return create_assessment(
        organisation=editor.organisation, version=sample_version, title="2026", user=editor.user
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor.user)
    return client
