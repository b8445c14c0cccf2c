"""The project's URLs: each app's, and the few pages that join two apps (sign-up makes an
account and an organisation; the password reset sends an e-mail)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .accounts.views import set_language
from .core import views
from .notifications.forms import PasswordResetForm
from .organisations import views as organisation_views
from .reports import history
from .reports.verify import verify

# The admin carries the product's name, in the reader's language.
admin.site.site_header = _("ICP Self-Assessment: questionnaire administration")
admin.site.site_title = _("ICP Self-Assessment")
admin.site.index_title = _("Questionnaires, people and records")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("compliance.work.urls")),
    path("favicon.ico", views.favicon),
    path("accounts/signup/", organisation_views.signup, name="signup"),
    path(
        "accounts/activate/<str:uidb64>/<str:token>/",
        organisation_views.activate,
        name="activate",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/reminders/", include("compliance.notifications.urls")),
    path("accounts/", include("compliance.accounts.urls")),
    path("organisations/", include("compliance.actions.urls")),
    path(
        "organisations/<uuid:organisation>/history/",
        history.organisation_history,
        name="organisation_history",
    ),
    path("organisations/", include("compliance.organisations.urls")),
    path("organisations/", include("compliance.api.page_urls")),
    path("organisations/", include("compliance.webhooks.urls")),
    path("api/v1/", include("compliance.api.urls")),
    path("assessments/", include("compliance.assessments.urls")),
    path("assessments/", include("compliance.reports.urls")),
    path("evidence/", include("compliance.evidence.urls")),
    path("verify/", verify, name="verify"),
    path(
        "invitations/<str:token>/", organisation_views.invitation_accept, name="invitation_accept"
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
