"""One shape for every error the API answers with::

    {"error": {"status": 404, "code": "not_found", "message": "No such assessment.",
               "fields": {"due_date": ["…"]}}}

``fields`` only when the input had field errors. Django's own refusals (``Http404``,
``PermissionDenied``, ``ValidationError`` from a service) come out in the same shape.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _message(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_message(part) for part in detail)
    if isinstance(detail, dict):
        return _("The input has errors: see fields.")
    return str(detail)


def body(status_code: int, code: str, message: str, fields=None) -> dict:
    error = {"status": status_code, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            {"non_field_errors": exc.messages}
            if not hasattr(exc, "error_dict")
            else exc.message_dict
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    fields = None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            fields = {name: [str(m) for m in _as_list(value)] for name, value in detail.items()}
            messages = fields.get("non_field_errors")
            message = " ".join(messages) if messages else _("The input has errors: see fields.")
        else:
            message = _message(detail)
        code = "invalid"
    else:
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message = _message(detail)
    response.data = body(response.status_code, str(code), message, fields)
    return response


def _as_list(value) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [f"{key}: {' '.join(str(m) for m in _as_list(part))}" for key, part in value.items()]
    return [value]
