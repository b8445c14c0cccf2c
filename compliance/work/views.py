"""A person's work across all their organisations: "My work", the portfolio (with its
exports) and campaigns, which start an assessment in several organisations at once."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from compliance.organisations.models import Organisation
from compliance.organisations.selectors import memberships_for

from . import exports, selectors, services
from .forms import CampaignForm


@login_required
@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "work/my_work.html",
        {
            "sections": selectors.assigned_sections(request.user),
            "actions": selectors.open_actions(request.user, today),
            "reviews": list(selectors.reviews_waiting(request.user)),
        },
    )


#: The portfolio's columns of text (the others, figures and dates, align right).
TEXT_COLUMNS = {"name", "role", "band"}


def _columns(sort: str) -> list[dict]:
    """The portfolio's headings: each a link that sorts by its column (ascending first,
    then the other way), and which one sorts the table now (``aria-sort``)."""
    columns = []
    for key, label in exports.COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": key not in TEXT_COLUMNS,
                "href": "?" + urlencode({"sort": f"-{key}" if current and not descending else key}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return columns


def _sort_options(sort: str) -> list[dict]:
    """The same sorts as a menu, for a phone, where the table shows no headings."""
    options = []
    for key, label in exports.COLUMNS:
        for value, text in (
            (key, _("%(column)s, ascending")),
            (f"-{key}", _("%(column)s, descending")),
        ):
            options.append(
                {"value": value, "label": text % {"column": label}, "selected": value == sort}
            )
    return options


@login_required
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    sort = selectors.sort_key(request.GET.get("sort"))
    rows = selectors.sorted_rows(selectors.portfolio(request.user), sort)
    return render(
        request,
        "work/portfolio.html",
        {
            "rows": rows,
            "columns": _columns(sort),
            "sort_options": _sort_options(sort),
            "sort_query": urlencode({"sort": sort}),
            "can_start": any(row.membership.can_edit for row in rows),
        },
    )


EXPORTS = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@login_required
@require_safe
def portfolio_export(request: HttpRequest, extension: str) -> HttpResponse:
    if extension not in EXPORTS:
        raise Http404
    write, content_type = EXPORTS[extension]
    sort = selectors.sort_key(request.GET.get("sort"))
    rows = selectors.sorted_rows(selectors.portfolio(request.user), sort)
    response = HttpResponse(write(rows), content_type=content_type)
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="portfolio-{day}.{extension}"'
    return response


# Campaigns


def _posted_organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations a campaign was posted for, if the user may start assessments in
    every one: an id of an organisation they do not belong to is a 404 (whatever else
    was chosen), one where their role does not allow it a 403; nothing is started then."""
    try:
        uuids = {UUID(value) for value in request.POST.getlist("organisations")}
    except ValueError:
        raise Http404(_("No such organisation.")) from None
    memberships = list(memberships_for(request.user).filter(organisation__uuid__in=uuids))
    if len(memberships) != len(uuids):
        raise Http404(_("No such organisation."))
    refused = [m for m in memberships if not m.can_edit]
    if refused:
        raise PermissionDenied(
            _(
                "Your role in %(organisations)s does not allow starting assessments: only "
                "owners and editors start them. Nothing was started."
            )
            % {"organisations": ", ".join(sorted(m.organisation.name for m in refused))}
        )
    return sorted((m.organisation for m in memberships), key=lambda o: (o.name, o.pk))


@login_required
def campaign(request: HttpRequest) -> HttpResponse:
    choices = selectors.campaign_organisations(request.user)
    data = None
    if request.method == "POST":
        _posted_organisations(request)  # the access rule first, before any form error
        data = request.POST
    form = CampaignForm(data, organisations=choices, version=selectors.default_version())
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        outcome = services.start_campaign(
            sorted(cleaned["organisations"], key=lambda o: (o.name, o.pk)),
            version=cleaned["version"],
            title=cleaned["title"],
            carry_over=cleaned["carry_over"],
            user=request.user,
        )
        _tell_outcome(request, outcome, cleaned["carry_over"])
        return redirect("portfolio")
    return render(request, "work/campaign.html", {"form": form, "has_choices": choices.exists()})


def _tell_outcome(
    request: HttpRequest, outcome: services.CampaignOutcome, carry_over: bool
) -> None:
    count = len(outcome.started)
    if count:
        messages.success(
            request,
            ngettext(
                "Started %(count)d assessment: %(organisations)s.",
                "Started %(count)d assessments: %(organisations)s.",
                count,
            )
            % {
                "count": count,
                "organisations": ", ".join(o.name for o, _a, _s in outcome.started),
            },
        )
    else:
        messages.warning(request, _("No assessment was started."))
    empty = [o.name for o, _a, source in outcome.started if source is None]
    if carry_over and empty:
        messages.info(
            request,
            _("Started with empty answers (no earlier assessment): %(organisations)s.")
            % {"organisations": ", ".join(empty)},
        )
    for organisation, draft in outcome.skipped:
        messages.warning(
            request,
            _(
                "%(organisation)s: skipped, it already has a draft on this questionnaire "
                "version (“%(title)s”)."
            )
            % {"organisation": organisation.name, "title": draft.title},
        )
