"""Invitations, roles, removing members, switching organisation."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from compliance.organisations.models import Invitation, Membership
from compliance.organisations.services import invitation_token
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    membership = MembershipFactory(role=Membership.Role.OWNER)
    client.force_login(membership.user)
    return membership


def members_url(membership) -> str:
    return f"/organisations/{membership.organisation.uuid}/members/"


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """Send an invitation as the logged-in owner; return the link from the e-mail."""

    def send(owner, email="colleague@example.com", role="editor") -> str:
        # The e-mail goes out once the invitation's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            client.post(members_url(owner), {"email": email, "role": role})
        [message] = mail.outbox[-1:]
        return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)

    return send


def test_owner_invites_and_a_new_user_accepts_with_a_password(client, owner, invite):
    link = invite(owner)
    assert mail.outbox[-1].to == ["colleague@example.com"]
    assert owner.organisation.name in mail.outbox[-1].subject
    client.logout()
    page = client.get(link).content.decode()
    assert "Choose a password" in page
    response = client.post(
        link, {"password1": "another-long-passphrase", "password2": "another-long-passphrase"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="colleague@example.com")
    assert membership.role == Membership.Role.EDITOR
    assert membership.organisation == owner.organisation
    # Single use.
    client.logout()
    response = client.get(link)
    assert response.status_code == 400
    assert "already been used" in response.content.decode()


def test_an_existing_user_accepts_when_logged_in_with_that_address(client, owner, invite):
    colleague = UserFactory(email="colleague@example.com")
    link = invite(owner, role="viewer")
    client.logout()
    assert "Log in to accept" in client.get(link).content.decode()
    client.force_login(colleague)
    client.post(link)
    assert Membership.objects.get(user=colleague).role == Membership.Role.VIEWER


def test_an_invitation_for_someone_else_is_refused(client, owner, invite):
    link = invite(owner)
    intruder = UserFactory(email="intruder@example.com")
    client.force_login(intruder)
    page = client.post(link, follow=True).content.decode()
    assert "was sent to colleague@example.com" in page
    assert not Membership.objects.filter(user=intruder).exists()


def test_expired_and_tampered_links_are_refused(client, owner, settings, invite):
    link = invite(owner)
    client.logout()
    assert client.get(link[:-2] + "x/").status_code == 400
    invitation = Invitation.objects.get()
    from datetime import timedelta

    settings.INVITATION_MAX_AGE = timedelta(seconds=-1)
    response = client.get(f"/invitations/{invitation_token(invitation)}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_inviting_again_invalidates_the_earlier_link(client, owner, invite):
    first = invite(owner)
    second = invite(owner)
    client.logout()
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_owner_changes_a_role_and_removes_a_member(client, owner):
    colleague = MembershipFactory(organisation=owner.organisation, role=Membership.Role.EDITOR)
    client.post(f"{members_url(owner)}{colleague.pk}/role/", {"role": "viewer"})
    colleague.refresh_from_db()
    assert colleague.role == Membership.Role.VIEWER
    client.post(f"{members_url(owner)}{colleague.pk}/remove/")
    assert not Membership.objects.filter(pk=colleague.pk).exists()


def test_the_last_owner_cannot_be_demoted_or_removed(client, owner):
    page = client.post(f"{members_url(owner)}{owner.pk}/role/", {"role": "editor"}, follow=True)
    assert "The last owner cannot be demoted" in page.content.decode()
    page = client.post(f"{members_url(owner)}{owner.pk}/remove/", follow=True)
    assert "The last owner cannot be removed" in page.content.decode()
    owner.refresh_from_db()
    assert owner.role == Membership.Role.OWNER


def test_editors_and_viewers_cannot_manage_members(client):
    for role in (Membership.Role.EDITOR, Membership.Role.VIEWER):
        membership = MembershipFactory(role=role)
        client.force_login(membership.user)
        response = client.post(members_url(membership), {"email": "x@example.com", "role": "owner"})
        assert response.status_code == 403
        assert "Only an owner" in response.content.decode()
        assert Invitation.objects.count() == 0


def test_switching_to_an_organisation_of_ones_own(client, owner):
    second = MembershipFactory(user=owner.user, role=Membership.Role.VIEWER)
    page = client.get("/").content.decode()
    assert 'id="header-organisation"' in page and second.organisation.name in page
    client.post("/organisations/switch/", {"organisation": second.organisation.uuid, "next": "/"})
    assert client.session["current_organisation"] == str(second.organisation.uuid)
    stranger = MembershipFactory()
    response = client.post("/organisations/switch/", {"organisation": stranger.organisation.uuid})
    assert response.status_code == 404
    assert client.session["current_organisation"] == str(second.organisation.uuid)


def test_a_user_adds_another_organisation(client, owner):
    client.post("/organisations/", {"name": "Second Client Ltd.", "sector": "", "country": ""})
    assert Membership.objects.filter(
        user=owner.user, organisation__name="Second Client Ltd.", role="owner"
    ).exists()


def test_a_line_break_in_the_organisations_name_cannot_reach_a_mail_header(client, owner):
    """A name stored before names were checked (or through the shell) still gives a
    one-line subject, and the invitation is sent, not a server error."""
    Organisation = owner.organisation.__class__
    Organisation.objects.filter(pk=owner.organisation.pk).update(
        name="Evil Co.\r\nBcc: everyone@example.com"
    )
    response = client.post(members_url(owner), {"email": "colleague@example.com", "role": "editor"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == [] and "Bcc" not in message.message()
    assert message.to == ["colleague@example.com"]


def test_names_with_line_breaks_are_refused_at_input(client, owner):
    response = client.post(
        "/organisations/", {"name": "Two\nLines Co.", "sector": "", "country": ""}
    )
    assert "line breaks" in response.content.decode()
    assert not Membership.objects.filter(organisation__name__contains="Lines").exists()


def test_an_invitation_that_cannot_be_mailed_is_not_made(client, owner, settings):
    # A real SMTP connection to a port where nothing listens: the send fails.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    response = client.post(members_url(owner), {"email": "colleague@example.com", "role": "editor"})
    assert response.status_code == 200
    assert "could not be sent" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitations_are_limited_per_sender(client, owner, settings):
    settings.MAIL_LIMIT_PER_SENDER = 2
    for n in range(2):
        client.post(members_url(owner), {"email": f"c{n}@example.com", "role": "editor"})
    response = client.post(members_url(owner), {"email": "c9@example.com", "role": "editor"})
    assert "most e-mails allowed in one hour" in response.content.decode()
    assert Invitation.objects.count() == 2 and len(mail.outbox) == 2


def test_a_removed_owners_pending_invitations_stop_working(client, owner, invite):
    link = invite(owner)
    other = MembershipFactory(organisation=owner.organisation, role=Membership.Role.OWNER)
    client.force_login(other.user)
    client.post(f"{members_url(owner)}{owner.pk}/remove/")
    assert not Membership.objects.filter(pk=owner.pk).exists()
    client.logout()
    response = client.get(link)
    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="colleague@example.com").exists()


def test_an_invitation_of_an_owner_demoted_since_is_refused(client, owner, invite):
    from compliance.organisations.services import accept_invitation

    link = invite(owner)
    invitation = Invitation.objects.get()
    Membership.objects.filter(pk=owner.pk).update(role=Membership.Role.EDITOR)  # bypassing
    with pytest.raises(Exception, match="no longer an owner"):
        accept_invitation(invitation, UserFactory(email="colleague@example.com"))
    assert link


def test_owners_set_the_report_marking_and_others_cannot(client, owner):
    from compliance.organisations.models import Organisation

    organisation = owner.organisation
    url = reverse("organisation_settings", args=[organisation.uuid])
    client.force_login(owner.user)
    response = client.post(
        url,
        {
            "settings-name": organisation.name,
            "settings-report_marking_on": "on",
            "settings-report_marking": "Commercial in confidence",
            "settings-reassessment_months": "12",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).report_marking == "Commercial in confidence"
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    client.force_login(editor.user)
    page = client.get(url).content.decode()
    assert "Only an owner can change these settings." in page and "<fieldset disabled>" in page
    assert client.post(url, {"settings-name": "Taken over"}).status_code == 403
    assert Organisation.objects.get(pk=organisation.pk).name == organisation.name
