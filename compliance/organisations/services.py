"""Writes that concern organisations, their members and invitations."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from compliance.notifications import services as notifications
from compliance.notifications.models import SentMail

from .models import Invitation, Membership, Organisation
from .signals import member_removed

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-compliance-2026"  # noqa: S105 (a published demo credential)
DEMO_ORGANISATION = "Demo Exporter Co., Ltd."

INVITATION_SALT = "compliance.organisations.invitation"


class MembershipError(Exception):
    """A change to members that the rules do not allow; the message says why."""


@transaction.atomic
def ensure_demo_account() -> tuple[Organisation, object]:
    """Create (or reset) the demo organisation and its owner; running it twice adds nothing."""
    organisation, _created = Organisation.objects.get_or_create(
        slug="demo-exporter",
        defaults={"name": DEMO_ORGANISATION, "sector": "Electronics", "country": "China"},
    )
    User = get_user_model()
    user = User.objects.filter(email__iexact=DEMO_EMAIL).first()
    if user is None:
        user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, first_name="Demo")
    else:
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": Membership.Role.OWNER}
    )
    return organisation, user


def unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:60] or "organisation"
    slug = base
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def create_organisation(user, name: str, sector: str = "", country: str = "") -> Organisation:
    """A new organisation with ``user`` as its owner."""
    organisation = Organisation.objects.create(
        name=name, slug=unique_slug(name), sector=sector, country=country
    )
    Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.OWNER)
    return organisation


@transaction.atomic
def request_sign_up(
    *,
    email: str,
    password: str,
    organisation_name: str,
    sector: str = "",
    country: str = "",
    origin: notifications.Origin,
) -> None:
    """A sign-up that does not tell whether the address already has an account: the
    page always says "check your e-mail", and the e-mail says what to do.

    A new address gets an inactive account, its organisation and owner membership, and a
    link that activates it (Django's token generator: it works once, and expires after
    PASSWORD_RESET_TIMEOUT). An address not confirmed yet takes the newest sign-up's
    password and organisation details (only the mailbox's owner can confirm it). An
    active account is told that someone tried to sign up with it. All or nothing: when
    the e-mail cannot be sent, nothing is saved (``MailNotSent``, ``MailLimitReached``)."""
    email = email.strip().lower()
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None and user.is_active:
        template = "registration/signup_exists_email.txt"
        context = {
            "login": origin.link(reverse("login")),
            "reset": origin.link(reverse("password_reset")),
        }
    else:
        if user is None:
            user = get_user_model().objects.create_user(email, password, is_active=False)
            create_organisation(user, organisation_name, sector, country)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
            Organisation.objects.filter(memberships__user=user).update(
                name=organisation_name, sector=sector, country=country
            )
        token = default_token_generator.make_token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        template = "registration/signup_activate_email.txt"
        context = {
            "link": origin.link(reverse("activate", args=[uid, token])),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
    with override(origin.language):
        subject = _("Your account for the export-control compliance self-assessment")
        body = render_to_string(template, context)
    notifications.send(SentMail.Kind.SIGN_UP, email, subject, body, address=origin.address)


def activate(uidb64: str, token: str):
    """The account a sign-up link stands for, now active; None when the link is not
    valid (used already, expired, or never issued)."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model().objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or user.is_active or not default_token_generator.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


# ------------------------------------------------------------------------ invitations


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": str(invitation.nonce)}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link stands for; MembershipError says why it cannot be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise MembershipError(
            _("This invitation has expired. Ask the organisation's owner to send a new one.")
        ) from None
    except signing.BadSignature:
        raise MembershipError(_("This invitation link is not valid.")) from None
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=data.get("i"), nonce=data.get("n"))
        .first()
    )
    if invitation is None:
        raise MembershipError(_("This invitation link is no longer valid."))
    if invitation.accepted_at:
        raise MembershipError(_("This invitation has already been used."))
    return invitation


@transaction.atomic
def invite(
    organisation: Organisation, email: str, role: str, invited_by, origin: notifications.Origin
) -> Invitation:
    """Invite someone by e-mail (again, if a link was sent before: older links stop working)."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise MembershipError(_("%(email)s is already a member.") % {"email": email})
    invitation = Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invitation is None:
        invitation = Invitation(organisation=organisation, email=email)
    invitation.role = role
    invitation.invited_by = invited_by
    invitation.nonce = Invitation._meta.get_field("nonce").default()
    invitation.save()
    link = origin.link(reverse("invitation_accept", args=[invitation_token(invitation)]))
    context = {
        "invitation": invitation,
        "link": link,
        "inviter": invited_by,
        "valid_days": settings.INVITATION_MAX_AGE.days,
    }
    # The e-mail goes out in the inviter's language; the invitee can switch on the page.
    with override(origin.language):
        subject = _("Invitation to join %(organisation)s") % {"organisation": organisation.name}
        body = render_to_string("organisations/invitation_email.txt", context)
    # Sent inside the transaction: when it cannot go (limits, the mail server), the
    # invitation is not saved either, and the caller says why.
    notifications.send(
        SentMail.Kind.INVITATION,
        invitation.email,
        subject,
        body,
        address=origin.address,
        sender=invited_by,
    )
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise MembershipError(_("This invitation has already been used."))
    if not Membership.objects.filter(
        organisation_id=invitation.organisation_id,
        user_id=invitation.invited_by_id,
        role=Membership.Role.OWNER,
    ).exists():
        raise MembershipError(
            _(
                "This invitation is no longer valid: the person who sent it is no longer an "
                "owner of the organisation. Ask one of its owners for a new one."
            )
        )
    if user.email.lower() != invitation.email.lower():
        raise MembershipError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# ------------------------------------------------------------------------ members


def _other_owners(membership: Membership) -> int:
    owners = Membership.objects.select_for_update().filter(
        organisation_id=membership.organisation_id, role=Membership.Role.OWNER
    )
    return sum(1 for owner in owners if owner.pk != membership.pk)


@transaction.atomic
def change_role(membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise MembershipError(_("Unknown role."))
    if membership.is_owner and role != Membership.Role.OWNER and not _other_owners(membership):
        raise MembershipError(
            _("The last owner cannot be demoted: make someone else an owner first.")
        )
    if membership.is_owner and role != Membership.Role.OWNER:
        cancel_invitations_sent_by(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def cancel_invitations_sent_by(membership: Membership) -> int:
    """Someone who is no longer an owner leaves no invitation of theirs behind."""
    deleted, _counts = Invitation.objects.filter(
        organisation_id=membership.organisation_id,
        invited_by_id=membership.user_id,
        accepted_at__isnull=True,
    ).delete()
    return deleted


@transaction.atomic
def cancel_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


@transaction.atomic
def accept_invitation_as_new_user(invitation: Invitation, password: str):
    """An account for the invited address, and its membership, in one transaction. An
    account of that address that was never activated (a sign-up not confirmed) is
    activated with this password: the invitation link proves the mailbox too."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=invitation.email, is_active=False).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password)
    else:
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    return user, accept_invitation(invitation, user)


@transaction.atomic
def remove_member(membership: Membership, by=None) -> None:
    if membership.is_owner and not _other_owners(membership):
        raise MembershipError(
            _("The last owner cannot be removed: make someone else an owner first.")
        )
    cancel_invitations_sent_by(membership)
    membership.delete()
    member_removed.send(
        sender=Membership, organisation=membership.organisation, user=membership.user, by=by
    )
