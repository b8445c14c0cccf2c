"""Which calls a caller may make at all; what it may see is ``access``'s matter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import permissions

from .models import ApiToken, Scope


class ReadScope(permissions.BasePermission):
    """Signed in (a token or a session); a token must hold the ``read`` scope."""

    message = _("This token lacks the scope read.")

    def has_permission(self, request, view) -> bool:
        if request.user is None or not request.user.is_authenticated:
            return False
        if isinstance(request.auth, ApiToken):
            return request.auth.allows(Scope.READ)
        return True


class FilesScope(ReadScope):
    """Evidence files themselves: a token needs ``evidence:files`` besides ``read``."""

    message = _("This token may not download evidence files: it lacks the scope evidence:files.")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if isinstance(request.auth, ApiToken):
            return request.auth.allows(Scope.EVIDENCE_FILES)
        return True
