"""An organisation with a submitted assessment, a draft, an action and evidence; another
organisation beside it; tokens of the first."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from compliance.api.tokens import make_token
from compliance.assessments.services import submit
from compliance.organisations.models import Membership
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import SAMPLE, AssessmentFactory, MembershipFactory, answer_all


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    caches["api"].clear()
    yield
    caches["api"].clear()


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


@pytest.fixture
def world(db):
    import_questionnaire(SAMPLE.read_text(encoding="utf-8"))
    version = QuestionnaireVersion.objects.get()
    publish_version(version)
    version.refresh_from_db()
    owner = MembershipFactory(role=Membership.Role.OWNER)
    organisation = owner.organisation
    organisation.review_required = False
    organisation.save()
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
    outsider = MembershipFactory(role=Membership.Role.OWNER)
    submitted = AssessmentFactory(organisation=organisation, title="2025")
    answer_all(submitted, editor.user)
    submit(submitted, editor.user)
    submitted.refresh_from_db()
    draft = AssessmentFactory(organisation=organisation, title="2026")
    theirs = AssessmentFactory(organisation=outsider.organisation, title="Theirs")

    from compliance.actions.models import Action
    from compliance.evidence.services import add_item
    from tests.evidence.files import ALLOWED, upload

    question = version.questions.get(code="policy-signed")
    action = Action.objects.create(
        organisation=organisation, question=question, question_code=question.code, title="Sign"
    )
    their_action = Action.objects.create(
        organisation=outsider.organisation,
        question=question,
        question_code=question.code,
        title="Theirs",
    )
    evidence = add_item(
        organisation,
        owner.user,
        title="Policy",
        files=[upload("policy.pdf", ALLOWED["policy.pdf"])],
    )
    their_evidence = add_item(
        outsider.organisation,
        outsider.user,
        title="Their policy",
        files=[upload("policy.pdf", ALLOWED["policy.pdf"])],
    )
    later = timezone.now() + timedelta(days=30)
    read = make_token(organisation, owner.user, name="Reader", scopes=["read"], expires_at=later)
    write = make_token(
        organisation, owner.user, name="Writer", scopes=["read", "actions:write"], expires_at=later
    )
    files = make_token(
        organisation, owner.user, name="Files", scopes=["evidence:files"], expires_at=later
    )
    return {
        "version": version,
        "owner": owner,
        "editor": editor,
        "viewer": viewer,
        "outsider": outsider,
        "organisation": organisation,
        "submitted": submitted,
        "draft": draft,
        "theirs": theirs,
        "action": action,
        "their_action": their_action,
        "evidence": evidence,
        "their_evidence": their_evidence,
        "read": read.text,
        "write": write.text,
        "files": files.text,
    }
