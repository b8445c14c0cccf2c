"""The API reads JSON only, and at most ``API_MAX_BODY`` bytes of it (a change of an
action is a few hundred bytes): a larger body is a 413 before anything is read."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from .errors import TooLarge


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.API_MAX_BODY
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            length = int(length or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise TooLarge(
                _("The body is %(size)s bytes; the API reads %(limit)s at most.")
                % {"size": length, "limit": limit}
            )
        return super().parse(stream, media_type, parser_context)
