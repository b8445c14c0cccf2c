"""Organisation pages: my organisations, switching, members, invitations.

Every view finds the organisation through ``selectors.membership_or_404``.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from compliance.accounts.forms import InvitedAccountForm, SignUpForm
from compliance.notifications.services import MailLimitReached, MailNotSent, Origin

from . import services
from .forms import InvitationForm, OrganisationForm, OrganisationSettingsForm, RoleForm
from .models import Invitation, Membership
from .selectors import SESSION_KEY, membership_or_404, memberships_for, require_owner

BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(request.user, **form.cleaned_data)
        request.session[SESSION_KEY] = str(organisation.uuid)
        messages.success(
            request, _("Created %(name)s; you are its owner.") % {"name": organisation.name}
        )
        return redirect("organisation_list")
    memberships = memberships_for(request.user).order_by("organisation__name")
    return render(
        request,
        "organisations/organisation_list.html",
        {"memberships": memberships, "form": form},
    )


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    membership = membership_or_404(request.user, request.POST.get("organisation", ""))
    request.session[SESSION_KEY] = str(membership.organisation.uuid)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    # Not redirect(): it would read a word such as "home" as the name of a URL pattern.
    return HttpResponseRedirect(target)


@login_required
def settings(request: HttpRequest, organisation: str) -> HttpResponse:
    """The organisation's details and its report marking; owners change them."""
    membership = membership_or_404(request.user, organisation)
    form = OrganisationSettingsForm(
        request.POST or None, instance=membership.organisation, prefix="settings"
    )
    if request.method == "POST":
        require_owner(membership)
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("organisation_settings", organisation)
    return render(request, "organisations/settings.html", {"membership": membership, "form": form})


@login_required
def members(request: HttpRequest, organisation: str) -> HttpResponse:
    membership = membership_or_404(request.user, organisation)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        require_owner(membership)
        if form.is_valid():
            try:
                invitation = services.invite(
                    membership.organisation,
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                    request.user,
                    Origin.of(request),
                )
            except services.MembershipError as error:
                form.add_error("email", str(error))
            except (MailLimitReached, MailNotSent) as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("organisation_members", organisation)
    team = (
        Membership.objects.filter(organisation=membership.organisation)
        .select_related("user")
        .order_by("user__email")
    )
    pending = membership.organisation.invitations.filter(accepted_at__isnull=True)
    return render(
        request,
        "organisations/members.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "team": team,
            "pending": pending,
            "form": form,
            "roles": Membership.Role.choices,
        },
    )


def _member_of_same_organisation(request, organisation: str, pk: int) -> Membership:
    mine = membership_or_404(request.user, organisation)
    require_owner(mine)
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=mine.organisation
    )


@login_required
@require_POST
def member_role(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    member = _member_of_same_organisation(request, organisation, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.change_role(member, form.cleaned_data["role"])
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(email)s is now %(role)s.")
                % {"email": member.user.email, "role": member.get_role_display().lower()},
            )
    return redirect("organisation_members", organisation)


@login_required
@require_POST
def member_remove(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    member = _member_of_same_organisation(request, organisation, pk)
    try:
        services.remove_member(member, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Removed %(email)s.") % {"email": member.user.email})
    return redirect("organisation_members", organisation)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, organisation: str, pk: int) -> HttpResponse:
    mine = membership_or_404(request.user, organisation)
    require_owner(mine)
    invitation = get_object_or_404(
        Invitation, pk=pk, organisation=mine.organisation, accepted_at__isnull=True
    )
    services.cancel_invitation(invitation)
    messages.success(
        request, _("Cancelled the invitation to %(email)s.") % {"email": invitation.email}
    )
    return redirect("organisation_members", organisation)


@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except services.MembershipError as error:
        return render(
            request, "organisations/invitation_invalid.html", {"error": error}, status=400
        )
    existing = (
        get_user_model().objects.filter(email__iexact=invitation.email, is_active=True).first()
    )
    form = None
    if not request.user.is_authenticated and existing is None:
        form = InvitedAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if user is not None or (form is not None and form.is_valid()):
            try:
                if user is not None:
                    membership = services.accept_invitation(invitation, user)
                else:
                    user, membership = services.accept_invitation_as_new_user(
                        invitation, form.cleaned_data["password1"]
                    )
            except services.MembershipError as error:
                messages.error(request, str(error))
            else:
                if not request.user.is_authenticated:
                    login(request, user, backend=BACKEND)
                request.session[SESSION_KEY] = str(membership.organisation.uuid)
                messages.success(
                    request,
                    _("Welcome to %(organisation)s.")
                    % {"organisation": membership.organisation.name},
                )
                return redirect("assessment_dashboard")
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
    )


# ------------------------------------------------------------------------ sign-up


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_sign_up(
                email=data["email"],
                password=data["password1"],
                organisation_name=data["organisation"],
                sector=data["sector"],
                country=data["country"],
                origin=Origin.of(request),
            )
        except (MailLimitReached, MailNotSent) as error:
            form.add_error(None, str(error))
        else:
            return render(request, "registration/signup_done.html", {"email": data["email"]})
    return render(request, "registration/signup.html", {"form": form})


@require_safe
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link of a sign-up e-mail: the account is activated and signed in."""
    user = services.activate(uidb64, token)
    if user is None:
        return render(request, "registration/activation_invalid.html", status=400)
    login(request, user, backend=BACKEND)
    messages.success(request, _("Your account is ready. Welcome."))
    return redirect("assessment_dashboard")
