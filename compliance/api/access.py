"""The access rule of the API: what a caller sees, through the selectors every page uses.

A token sees its own organisation as a viewer does; a signed-in user sees the
organisations they belong to, with their role. Another organisation's id is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from compliance.assessments.models import Assessment
from compliance.assessments.selectors import assessments_for
from compliance.organisations.models import Membership, Organisation
from compliance.organisations.selectors import memberships_for, organisations_for

from .models import ApiToken, Scope


@dataclass
class Caller:
    user: object | None  # a signed-in user; None for a token
    token: ApiToken | None

    @classmethod
    def of(cls, request) -> Caller:
        if isinstance(request.auth, ApiToken):
            return cls(user=None, token=request.auth)
        return cls(user=request.user, token=None)

    @property
    def actor(self):
        """Whom a change is recorded under: the user, or the person who made the token."""
        return self.user if self.token is None else self.token.created_by

    def organisations(self):
        if self.token is not None:
            return Organisation.objects.filter(pk=self.token.organisation_id)
        return organisations_for(self.user)

    def assessments(self):
        if self.token is not None:
            return Assessment.objects.filter(organisation_id=self.token.organisation_id)
        return assessments_for(self.user)

    def organisation_ids(self) -> list[int]:
        if self.token is not None:
            return [self.token.organisation_id]
        return list(memberships_for(self.user).values_list("organisation_id", flat=True))

    def roles(self) -> dict[int, str]:
        """The caller's role in each organisation it sees."""
        if self.token is not None:
            return {self.token.organisation_id: Membership.Role.VIEWER}
        return dict(memberships_for(self.user).values_list("organisation_id", "role"))

    def require_action_writer(self, organisation_id: int) -> None:
        """403 unless the caller may change that organisation's actions."""
        if self.token is not None:
            if not self.token.allows(Scope.ACTIONS_WRITE):
                raise PermissionDenied(
                    _("This token may only read: it lacks the scope actions:write.")
                )
            return
        role = self.roles().get(organisation_id)
        if role is None:
            raise Http404(_("No such action."))
        if role not in (Membership.Role.OWNER, Membership.Role.EDITOR):
            raise PermissionDenied(
                _("Only owners and editors change actions; your role lets you read them.")
            )
