"""Fuzzing the organisation forms: create, switch, invite, accept, change roles."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compliance.organisations.models import Invitation, Membership
from compliance.organisations.services import invitation_token
from tests.security.checks import assert_escaped, assert_fits, assert_only_changed, row_counts
from tests.security.fuzzing import (
    AXES,
    CHARS,
    EDITOR_EMAIL,
    EMAILS,
    LONG_EMAILS,
    NEXT_URLS,
    OWNER,
    PASSWORDS,
    ROLES,
    SCRIPT_EMAIL,
    STRONG_PASSWORD,
    TEXTS,
    TRIED,
    VALID_TEXTS,
    User,
    accepted,
    answered,
    assert_local_redirect,
    form,
    fuzz,
    last,
    rolled_back,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------ organisations


@fuzz("organisation create", 50)
@given(
    data=st.one_of(
        form(name=TEXTS, sector=TEXTS, country=TEXTS),
        accepted(name=VALID_TEXTS, sector=VALID_TEXTS, country=VALID_TEXTS),
    )
)
def test_organisation_create(world, data):
    TRIED["organisation create"] += 1
    with rolled_back():
        user = world.editor.user
        client = world.clients["editor"]
        before = row_counts()
        memberships = list(Membership.objects.order_by("pk").values_list())
        response = answered("organisation create", client.post(reverse("organisation_list"), data))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            created = Membership.objects.exclude(pk__in=[row[0] for row in memberships]).get()
            assert (created.user, created.role) == (user, OWNER)
            organisation = created.organisation
            assert organisation.name == last(data, "name").strip()
            assert_fits(organisation)
            assert_only_changed(
                before,
                {"organisations.Organisation", "organisations.Membership", "sessions.Session"},
            )
            page = client.get(reverse("organisation_list")).content.decode()
            # The country is shown after the sector, when there is one.
            country = organisation.country if organisation.sector else None
            assert_escaped(page, organisation.name, organisation.sector, country)
        else:
            assert_only_changed(before)
            assert_escaped(
                response.content.decode(),
                *(last(data, name) for name in ("name", "sector", "country")),
            )
        assert (
            list(
                Membership.objects.filter(pk__in=[r[0] for r in memberships])
                .order_by("pk")
                .values_list()
            )
            == memberships
        )


@fuzz("organisation switch", 20)
@given(
    choice=st.sampled_from(["own", "other", "fuzz"]),
    data=form(next=NEXT_URLS, organisation=TEXTS),
)
def test_organisation_switch(world, choice, data):
    TRIED["organisation switch"] += 1
    with rolled_back():
        client = world.clients["owner"]
        if choice != "fuzz":
            chosen = world.organisation if choice == "own" else world.stranger.organisation
            data = {**data, "organisation": str(chosen.uuid)}
        before = row_counts()
        response = answered(
            "organisation switch", client.post(reverse("organisation_switch"), data)
        )
        assert response.status_code == {"own": 302, "other": 404}.get(choice, 404)
        if response.status_code == 302:
            assert last(data, "organisation") == str(world.organisation.uuid)
            assert client.session["current_organisation"] == str(world.organisation.uuid)
            assert_local_redirect(response)
        assert_only_changed(before, {"sessions.Session"})


@fuzz("invitation send", 50)
@given(
    actor=st.sampled_from(["owner", "owner", "owner", "viewer", "stranger"]),
    data=st.one_of(
        form(email=EMAILS, role=ROLES),
        accepted(
            email=st.one_of(
                st.sampled_from(
                    ["colleague@example.com", "TAKEN@example.com", EDITOR_EMAIL, SCRIPT_EMAIL]
                ),
                LONG_EMAILS,
            ),
            role=st.sampled_from(Membership.Role.values),
        ),
    ),
)
def test_invitation_send(world, actor, data):
    TRIED["invitation send"] += 1
    with rolled_back():
        client = world.clients[actor]
        invitations = list(Invitation.objects.order_by("pk").values_list())
        before = row_counts()
        response = answered(
            "invitation send",
            client.post(reverse("organisation_members", args=[world.organisation.uuid]), data),
        )
        expected = {"owner": (200, 302), "viewer": (403,), "stranger": (404,)}[actor]
        assert response.status_code in expected
        if response.status_code == 302:
            email = last(data, "email").strip().lower()
            invitation = Invitation.objects.get(organisation=world.organisation, email=email)
            assert invitation.role == last(data, "role")
            assert_fits(invitation)
            assert_only_changed(before, {"organisations.Invitation", "notifications.SentMail"})
            others = [row for row in invitations if row[0] != invitation.pk]
            assert (
                list(Invitation.objects.exclude(pk=invitation.pk).order_by("pk").values_list())
                == others
            )
            page = client.get(reverse("organisation_members", args=[world.organisation.uuid]))
            assert_escaped(page.content.decode(), invitation.email, SCRIPT_EMAIL)
        else:
            assert_only_changed(before)
            assert list(Invitation.objects.order_by("pk").values_list()) == invitations
            if response.status_code == 200:
                assert_escaped(response.content.decode(), last(data, "email"))


@fuzz("invitation accept", 40)
@given(
    token=st.one_of(st.just(None), st.text(CHARS, min_size=1, max_size=60)),
    data=st.one_of(
        form(password1=PASSWORDS, password2=PASSWORDS),
        accepted(password1=st.just(STRONG_PASSWORD), password2=st.just(STRONG_PASSWORD)),
    ),
)
def test_invitation_accept(world, token, data):
    TRIED["invitation accept"] += 1
    with rolled_back():
        client = Client()
        token = invitation_token(world.invitation) if token is None else token
        url = reverse("invitation_accept", args=["-"]).replace("/-/", f"/{quote(token, safe='')}/")
        before = row_counts()
        response = answered("invitation accept", client.post(url, data))
        assert response.status_code in (200, 302, 400, 404)
        invitation = Invitation.objects.get(pk=world.invitation.pk)
        if response.status_code == 302:
            user = User.objects.get(email=SCRIPT_EMAIL)
            assert_fits(user)
            assert user.check_password(last(data, "password1"))
            assert user.memberships.get().organisation == world.organisation
            assert invitation.accepted_by == user
            assert_only_changed(
                before, {"accounts.User", "organisations.Membership", "sessions.Session"} | AXES
            )
            page = client.get(reverse("assessment_dashboard")).content.decode()
            assert_escaped(page, SCRIPT_EMAIL)
        else:
            assert invitation.accepted_at is None
            assert_only_changed(before)
            assert_escaped(
                response.content.decode(), SCRIPT_EMAIL if response.status_code == 200 else None
            )


@fuzz("member role change", 40)
@given(
    target=st.sampled_from(["editor", "viewer", "owner", "stranger"]),
    data=form(role=ROLES),
)
def test_member_role_change(world, target, data):
    TRIED["member role change"] += 1
    with rolled_back():
        client = world.clients["owner"]
        member = getattr(world, target)
        roles = dict(Membership.objects.values_list("pk", "role"))
        before = row_counts()
        response = answered(
            "member role change",
            client.post(
                reverse("organisation_member_role", args=[world.organisation.uuid, member.pk]), data
            ),
        )
        assert response.status_code in (302, 404)
        now = dict(Membership.objects.values_list("pk", "role"))
        posted = last(data, "role")
        if target == "stranger":
            assert response.status_code == 404
            assert now == roles
        else:
            valid = posted in Membership.Role.values and not (target == "owner" and posted != OWNER)
            assert now == {**roles, member.pk: posted if valid else roles[member.pk]}
        assert_only_changed(before, {"sessions.Session"})  # messages may sit in the session
