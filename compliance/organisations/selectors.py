"""The access rule: what a user may see of organisations. Every view goes through here.

Another organisation's object is a 404 (never a 403, which would confirm that it
exists); a member whose role does not allow a write gets a 403 with a clear message.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from .models import Membership, Organisation

SESSION_KEY = "current_organisation"


def memberships_for(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, user__is_active=True).select_related("organisation")


def organisations_for(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__user__is_active=True)


def membership_or_404(user, organisation_uuid: UUID | str) -> Membership:
    """The user's membership of that organisation, or 404 whatever the reason (a posted
    value that is no id at all included)."""
    try:
        organisation_uuid = UUID(str(organisation_uuid))
    except ValueError:
        raise Http404(_("No such organisation.")) from None
    membership = memberships_for(user).filter(organisation__uuid=organisation_uuid).first()
    if membership is None:
        raise Http404(_("No such organisation."))
    return membership


def require_owner(membership: Membership) -> None:
    if not membership.is_owner:
        raise PermissionDenied(_("Only an owner of the organisation can do this."))


def require_editor(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied(
            _(
                "Your role in this organisation is %(role)s: only owners and editors "
                "change answers; you can read the assessment and its results."
            )
            % {"role": membership.get_role_display().lower()}
        )


def current_membership(
    request: HttpRequest, memberships: list[Membership] | None = None
) -> Membership | None:
    """The organisation the user works in now: the one chosen in the header, else the first."""
    if memberships is None:
        memberships = list(memberships_for(request.user).order_by("organisation__name"))
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    for membership in memberships:
        if str(membership.organisation.uuid) == chosen:
            return membership
    return memberships[0]
