"""What the hostile-file tests share: the sample file, and an upload that must be refused."""

from pathlib import Path

import yaml
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.questionnaires.models import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)
from tests.factories import UserFactory
from tests.security.checks import assert_escaped, row_counts

SAMPLE = Path(__file__).resolve().parent.parent / "questionnaires" / "sample.yaml"
IMPORT = "admin:questionnaires_questionnaire_import"
NOTHING_CHANGED = "The file was not imported; nothing was changed."


def log_in_author(client):
    """A member of the "Questionnaire editors" group, logged in to the admin."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Questionnaire editors"))
    client.force_login(user)
    return client


def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def dumped(data) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def content_counts() -> tuple[int, ...]:
    models = (Questionnaire, QuestionnaireVersion, Section, Question, Choice)
    return tuple(model._base_manager.count() for model in models)


def refused(client, content: bytes, *expected: str, name: str = "hostile.yaml") -> str:
    """Upload ``content``; check it is refused with each expected text and changes nothing."""
    before, counts = row_counts(), content_counts()
    response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    page = response.content.decode()
    for text in expected:
        assert text in page, f"{text!r} not in the page"
    assert content_counts() == counts
    assert row_counts() == before
    assert_escaped(page)
    return page
