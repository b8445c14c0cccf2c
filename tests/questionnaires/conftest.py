import pytest

from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import SAMPLE


@pytest.fixture
def sample_yaml() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def draft(db, sample_yaml):
    return import_questionnaire(sample_yaml)


@pytest.fixture
def published(draft):
    return publish_version(draft)
