"""The actions pages of an organisation: the list (filters, sorting, bulk changes,
exports), one action (its details, its change, its history), and a quick status change
(the "mark done" offered where an answer has reached full marks).

Every view finds the organisation through ``membership_or_404``: another organisation's
actions are a 404; a viewer or reviewer may read, and is refused any change (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compliance.core.i18n import column_suffix, translated
from compliance.organisations.selectors import membership_or_404

from . import exports, services
from .forms import ActionForm, BulkForm, members
from .models import Action, ActionStatus
from .selectors import Filters, action_or_404, actions_of, counts, history

PER_PAGE = 50


def _sections(organisation) -> list[tuple[str, str]]:
    """The sections the organisation's actions are in, as (code, title) once each."""
    suffix = column_suffix()
    found: dict[str, str] = {}
    for code, title_en, title_zh in (
        actions_of(organisation)
        .order_by("question__section__order", "-question__version__number")
        .values_list(
            "question__section__code",
            "question__section__title_en",
            "question__section__title_zh_hans",
        )
    ):
        if code not in found:
            found[code] = (title_zh or title_en) if suffix == "zh_hans" else title_en
    return list(found.items())


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_safe
def action_list(request: HttpRequest, organisation: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    organisation = membership.organisation
    day = services.today()
    filters = Filters.of(request.GET)
    page = Paginator(filters.apply(actions_of(organisation), day), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "actions/action_list.html",
        {
            "membership": membership,
            "organisation": organisation,
            "page": page,
            "filters": filters,
            "figures": counts(organisation, day),
            "today": day,
            "members": list(members(organisation)),
            "sections": _sections(organisation),
            "statuses": ActionStatus.choices,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "bulk": BulkForm(organisation=organisation) if membership.can_edit else None,
        },
    )


@login_required
@require_POST
def action_bulk(request: HttpRequest, organisation: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    services.require_action_editor(membership)
    organisation = membership.organisation
    back = _back(request, reverse("organisation_actions", args=[organisation.uuid]))
    form = BulkForm(request.POST, organisation=organisation)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back)
    try:
        changed = services.bulk_update(
            organisation, form.cleaned_data["actions"], request.user, **form.changes()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("Nothing was changed."))
    else:
        messages.success(
            request,
            _("Changed %(count)d of %(total)d actions.")
            % {"count": changed, "total": len(form.cleaned_data["actions"])},
        )
    return HttpResponseRedirect(back)


@login_required
@require_safe
def action_export(request: HttpRequest, organisation: str, extension: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    organisation = membership.organisation
    day = services.today()
    actions = Filters.of(request.GET).apply(actions_of(organisation), day)
    content, content_type = exports.EXPORTS[extension](actions, day)
    response = HttpResponse(content, content_type=content_type)
    name = slugify(f"{organisation.name} actions") or "actions"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@login_required
def action_detail(request: HttpRequest, organisation: str, action: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    action = action_or_404(membership.organisation, action)
    form = ActionForm(request.POST or None, action=action)
    if request.method == "POST":
        services.require_action_editor(membership)
        if form.is_valid():
            try:
                services.update_action(action, request.user, **form.changes())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("action_detail", membership.organisation.uuid, action.uuid)
    elif request.GET.get("offer") == ActionStatus.DONE and action.is_open:
        form.initial["status"] = ActionStatus.DONE
    return render(
        request,
        "actions/action_detail.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "action": action,
            "form": form,
            "changes": history(action),
            "today": services.today(),
            "question_text": translated(action.question, "text", column_suffix()),
            "offered_done": request.GET.get("offer") == ActionStatus.DONE and action.is_open,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def action_status(request: HttpRequest, organisation: str, action: str) -> HttpResponse:
    """Set an action's status from a button elsewhere (results, a section page)."""
    membership = membership_or_404(request.user, organisation)
    services.require_action_editor(membership)
    action = action_or_404(membership.organisation, action)
    back = _back(
        request, reverse("action_detail", args=[membership.organisation.uuid, action.uuid])
    )
    try:
        services.update_action(action, request.user, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("Nothing was changed."))
    else:
        status = Action.Status(request.POST["status"]).label
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.") % {"title": action.title, "status": status.lower()},
        )
    return HttpResponseRedirect(back)
