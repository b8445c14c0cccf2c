"""Making, finding and revoking API tokens (the rules are in ``models``)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Scope

#: What every token's text starts with, so that a leaked one is easy to recognise
#: (secret scanners look for such prefixes).
MARK = "icp_"
PREFIX_LENGTH = 8
#: How long a token's recorded last use may lag behind: one write a minute at most.
LAST_USED_PRECISION = timedelta(minutes=1)
LONGEST_LIFE = timedelta(days=366)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Made:
    token: ApiToken
    text: str  # shown once, never stored


def make_token(organisation, user, *, name: str, scopes, expires_at) -> Made:
    """A new token of ``organisation`` made by ``user`` (an owner: the caller checks)."""
    scopes = sorted(set(scopes))
    if Scope.READ not in scopes:
        scopes = sorted({*scopes, Scope.READ})
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValidationError(_("Choose scopes from the list."))
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError(_("The expiry date must be in the future."))
    if expires_at > now + LONGEST_LIFE:
        raise ValidationError(_("A token may live a year at most."))
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    text = f"{MARK}{prefix}_{secret}"
    token = ApiToken.objects.create(
        organisation=organisation,
        name=" ".join(name.split()),
        prefix=prefix,
        digest=digest(text),
        scopes=scopes,
        created_by=user,
        expires_at=expires_at,
    )
    return Made(token=token, text=text)


def parse(text: str) -> str | None:
    """The prefix of a token's text, or None when it is not shaped like one."""
    if not text.startswith(MARK):
        return None
    prefix, sep, secret = text[len(MARK) :].partition("_")
    if not sep or len(prefix) != PREFIX_LENGTH or not secret or len(text) > 200:
        return None
    return prefix


def find(text: str) -> ApiToken | None:
    """The token whose text this is, usable or not (the caller says which), or None."""
    prefix = parse(text)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("organisation", "created_by").filter(prefix=prefix).first()
    )
    if token is None or not secrets.compare_digest(token.digest, digest(text)):
        return None
    return token


def touch(token: ApiToken, now=None) -> None:
    """Record the token's use, at most once a minute (a request must not always write)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def revoke(token: ApiToken, user) -> bool:
    """Revoke ``token``; whether this call did (a revoked token stays revoked)."""
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    token.refresh_from_db()
    return bool(changed)
