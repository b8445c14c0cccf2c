"""The fuzz tests' starting data, and the count of the inputs they tried."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group

from compliance.assessments.models import Answer
from compliance.assessments.services import create_assessment, submit
from compliance.organisations.models import Invitation
from compliance.questionnaires.services import import_questionnaire, new_draft_from, publish_version
from tests.factories import MembershipFactory, UserFactory
from tests.security.fuzzing import (
    ANSWERED,
    COMPLETE,
    EDITOR,
    EDITOR_EMAIL,
    FUZZ_YAML,
    OWNER,
    PLANNED,
    SCRIPT_EMAIL,
    TAKEN_EMAIL,
    TRIED,
    VIEWER,
    complete,
    logged_in,
)
from tests.security.yaml_upload import log_in_author


@pytest.fixture
def world(db):
    """Two organisations, four assessments with answers, an invitation, a staff editor."""
    version = publish_version(import_questionnaire(FUZZ_YAML))
    owner = MembershipFactory(role=OWNER)
    organisation = owner.organisation
    editor = MembershipFactory(organisation=organisation, role=EDITOR, user__email=EDITOR_EMAIL)
    viewer = MembershipFactory(organisation=organisation, role=VIEWER)
    stranger = MembershipFactory(role=OWNER)  # owns another organisation
    UserFactory(email=TAKEN_EMAIL)

    def assessment(org, title, by):
        return create_assessment(organisation=org, version=version, title=title, user=by)

    target = assessment(organisation, "Target", owner.user)
    sibling = assessment(organisation, "Sibling", owner.user)
    foreign = assessment(stranger.organisation, "Foreign", stranger.user)
    done = assessment(organisation, "Done", owner.user)
    questions = {question.code: question for question in version.questions.all()}
    for item in (target, sibling, foreign, done):
        for code in ("ypn", "text", "other-ypn", "other-text"):
            Answer.objects.create(
                assessment=item,
                question=questions[code],
                updated_by=owner.user,
                comment=f"Kept: {item.title} {code}",
                **COMPLETE[code],
            )
    Answer.objects.create(
        assessment=target,
        question=questions["single"],
        updated_by=owner.user,
        carried_over=True,
        **COMPLETE["single"],
    )
    complete(done, questions)
    submit(done, owner.user)
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Questionnaire editors"))
    invitation = Invitation.objects.create(
        organisation=organisation, email=SCRIPT_EMAIL, role=EDITOR, invited_by=owner.user
    )
    people = {"owner": owner.user, "editor": editor.user, "viewer": viewer.user}
    people |= {"stranger": stranger.user, "staff": staff}
    return SimpleNamespace(
        # Logged in once: a session made inside an example would be rolled back with it.
        clients={name: logged_in(user) for name, user in people.items()},
        version=version,
        draft=new_draft_from(version),  # never a choice for a new assessment
        questions=questions,
        owner=owner,
        editor=editor,
        viewer=viewer,
        stranger=stranger,
        organisation=organisation,
        target=target,
        sibling=sibling,
        foreign=foreign,
        done=done,
        staff=staff,
        invitation=invitation,
    )


# ------------------------------------------------------------------------ summary


@pytest.fixture(scope="module", autouse=True)
def inputs_tried(request):
    """After the module's last test, whatever the order they ran in: every fuzz test
    that ran tried at least half the examples it asked for; the counts are printed."""
    yield
    ran = {
        item.originalname: PLANNED[item.originalname]
        for item in request.session.items
        if item.module is request.module and item.originalname in PLANNED
    }
    if not ran:
        return
    lines = [
        f"{form:<28}{TRIED[form]:>6}   "
        + ", ".join(
            f"{status}: {count}"
            for (name, status), count in sorted(ANSWERED.items())
            if name == form
        )
        for form, _examples in sorted(ran.values())
    ]
    total = sum(TRIED[form] for form, _examples in ran.values())
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\nInputs tried per form:\n" + "\n".join(lines) + f"\n{'total':<28}{total:>6}")
    failed = [form for form, examples in ran.values() if TRIED[form] < examples // 2]
    assert not failed, f"too few inputs tried for {failed}"


@pytest.fixture
def author(client, db):
    """A member of the "Questionnaire editors" group, logged in to the admin."""
    return log_in_author(client)
