"""What every admin page under a version shares: nothing under a published or retired
version is editable, and a refused change gets a message, never an error page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ..models import Choice, LockedVersionError, QuestionnaireVersion, Reference


def version_of(obj) -> QuestionnaireVersion | None:
    """The version an admin object belongs to (None for a new object)."""
    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, QuestionnaireVersion):
        return obj
    if isinstance(obj, Choice | Reference):
        return obj.question.version
    return obj.version


class LockedWhenPublished:
    """Admin and inline mixin: nothing under a published or retired version is editable."""

    def is_locked(self, obj) -> bool:
        version = version_of(obj)
        return version is not None and not version.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_locked(obj)

    def has_add_permission(self, request, *args):
        obj = args[0] if args else None
        return super().has_add_permission(request, *args) and not self.is_locked(obj)


class RefusesLockedChanges(LockedWhenPublished):
    """ModelAdmin mixin: a change, delete or bulk delete that reaches published content
    (a stale form, a crafted POST, a race with publishing) gets a message, never an error
    page. New rows under a published parent are refused by the model's ``clean()``."""

    def _refused(self, request: HttpRequest, error: LockedVersionError) -> HttpResponse:
        self.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(request.path)

    def _locked_target(self, request: HttpRequest, object_id) -> bool:
        if request.method != "POST" or object_id is None:
            return False
        return self.is_locked(self.get_object(request, unquote(object_id)))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if self._locked_target(request, object_id):
            return self._refused(request, LockedVersionError())
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LockedVersionError as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        if self._locked_target(request, object_id):
            self.message_user(request, " ".join(LockedVersionError().messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        try:
            return super().delete_view(request, object_id, extra_context)
        except LockedVersionError as error:
            return self._refused(request, error)

    def delete_queryset(self, request, queryset) -> None:
        try:
            super().delete_queryset(request, queryset)
        except LockedVersionError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
