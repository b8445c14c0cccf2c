"""Text a person types (a comment, a note, a justification), checked the same way
everywhere: as typed, never silently cut."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: The longest comment, note or statement accepted.
MAX_TEXT = 4000


def clean_text(text: str, *, required: bool, what: str, limit: int = MAX_TEXT) -> str:
    """``text`` stripped, or a ``ValidationError`` naming ``what`` (a NUL character, empty
    when ``required``, longer than ``limit``)."""
    text = (text or "").strip()
    if "\x00" in text:
        raise ValidationError(_("%(what)s cannot contain a NUL character.") % {"what": what})
    if required and not text:
        raise ValidationError(_("%(what)s is required.") % {"what": what})
    if len(text) > limit:
        raise ValidationError(
            _("%(what)s is too long: at most %(limit)d characters.")
            % {"what": what, "limit": limit}
        )
    return text
