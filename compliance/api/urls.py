"""``/api/v1/``: the REST API (docs/api.md), its OpenAPI schema and its documentation."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from . import views

urlpatterns = [
    path("organisations/", views.OrganisationList.as_view(), name="api_organisations"),
    path(
        "organisations/<uuid:organisation>/",
        views.OrganisationDetail.as_view(),
        name="api_organisation",
    ),
    path("assessments/", views.AssessmentList.as_view(), name="api_assessments"),
    path("assessments/<uuid:assessment>/", views.AssessmentDetail.as_view(), name="api_assessment"),
    path(
        "assessments/<uuid:assessment>/answers/",
        views.AnswerList.as_view(),
        name="api_assessment_answers",
    ),
    path(
        "assessments/<uuid:assessment>/oscal/",
        views.AssessmentResults.as_view(),
        name="api_assessment_oscal",
    ),
    path("actions/", views.ActionList.as_view(), name="api_actions"),
    path("actions/<uuid:action>/", views.ActionDetail.as_view(), name="api_action"),
    path("evidence/", views.EvidenceList.as_view(), name="api_evidence_list"),
    path("evidence/<uuid:item>/", views.EvidenceDetail.as_view(), name="api_evidence"),
    path(
        "evidence/files/<uuid:file>/content/",
        views.EvidenceFileContent.as_view(),
        name="api_evidence_file",
    ),
    path("questionnaires/", views.VersionList.as_view(), name="api_versions"),
    path(
        "questionnaires/<slug:slug>/<int:number>/",
        views.VersionDetail.as_view(),
        name="api_version",
    ),
    path(
        "questionnaires/<slug:slug>/<int:number>/oscal/",
        views.VersionCatalog.as_view(),
        name="api_version_oscal",
    ),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="api_schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema",
            template_name="api/docs.html",
            permission_classes=[AllowAny],
            authentication_classes=[],
        ),
        name="api_docs",
    ),
    re_path(r"^.*$", views.Unknown.as_view(), name="api_unknown"),
]
