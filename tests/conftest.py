"""Shared fixtures: a real Chromium for browser tests, and the ORM usable beside live_server."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from compliance.assessments.services import create_assessment
from compliance.organisations.models import Membership
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.selectors import forget_loaded_versions
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import SAMPLE, MembershipFactory

# live_server runs in another thread; Playwright's sync API runs an event loop in this one,
# which makes Django refuse ORM calls in the test body unless told it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(autouse=True)
def _fresh_version_store():
    """Each test loads questionnaire versions afresh, so that query counts are its own,
    and renders its own results pages."""
    from django.core.cache import caches

    forget_loaded_versions()
    caches["pages"].clear()
    yield
    forget_loaded_versions()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _english_to_start_with():
    """Every test starts in the default language: a request in Chinese leaves Chinese
    active in the thread (Django's locale middleware does not undo it), and the shuffled
    order would otherwise decide which language a later test's messages are in."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Generated files (rendered reports) go to a fresh folder per test, never var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path_factory):
    """Evidence files go to a fresh folder per test, never var/evidence."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("evidence")},
        },
    }


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# Questionnaires, an organisation's editor and an assessment: shared by the assessment
# and report tests.


@pytest.fixture
def sample_version(db):
    return publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))


DEFAULT_YAML = Path(__file__).resolve().parent.parent / "fixtures" / "questionnaires"


def _publish_default(*names: str) -> QuestionnaireVersion:
    """The default questionnaire's versions, imported from their YAML and published: the
    same content as the fixture (tests of the fixture itself load it), in a third of the
    time of loaddata's natural keys."""
    version = None
    for name in names:
        version = publish_version(import_questionnaire((DEFAULT_YAML / name).read_text("utf-8")))
    return version


@pytest.fixture
def default_version(db):
    """Version 1 of the default questionnaire."""
    return _publish_default("cn-export-control-icp.yaml")


@pytest.fixture
def default_v2(db):
    """Version 2 of the default questionnaire (after version 1), what new assessments use."""
    return _publish_default("cn-export-control-icp.yaml", "cn-export-control-icp-v2.yaml")


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
