"""Who calls the API: an organisation's token (``Authorization: Bearer icp_…``) or the
signed-in user's own browser session (with Django's CSRF check on every write).

A token authenticates as a ``TokenCaller``: not a user, it sees what a viewer of its
organisation sees (``access``). A token that is malformed, unknown, expired or revoked is
a 401 with the reason, never a fall-through to another way of signing in.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import tokens


class TokenCaller:
    """``request.user`` of a token's request."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    pk = None

    def __init__(self, token):
        self.token = token

    def __str__(self) -> str:
        return f"token {self.token.prefix}"


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”, with no spaces in it.")
            )
        try:
            text = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This is not an API token.")) from None
        if tokens.parse(text) is None:
            raise exceptions.AuthenticationFailed(_("This is not an API token."))
        token = tokens.find(text)
        if token is None:
            raise exceptions.AuthenticationFailed(_("No such token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        tokens.touch(token, now)
        return TokenCaller(token), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in user of the browser; writes need the CSRF token, as forms do."""
