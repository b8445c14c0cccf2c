from django.contrib import admin
from django.urls import include, path

from .accounts.views import set_language
from .core import views
from .organisations.views import invitation_accept

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("compliance.accounts.urls")),
    path("organisations/", include("compliance.organisations.urls")),
    path("assessments/", include("compliance.assessments.urls")),
    path("assessments/", include("compliance.reports.urls")),
    path("invitations/<str:token>/", invitation_accept, name="invitation_accept"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
