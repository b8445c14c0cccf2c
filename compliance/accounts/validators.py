"""Validators for text that ends up in e-mail headers, file names and one-line displays."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_one_line(value: str) -> None:
    """Refuse line breaks and other control characters (a name goes into e-mail subjects,
    where a line break would start a header of its own)."""
    if any(ord(character) < 32 or ord(character) == 127 for character in str(value)):
        raise ValidationError(
            _("This cannot contain line breaks, tabs or other control characters."),
            code="control_characters",
        )
