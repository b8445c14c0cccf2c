from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="assessment_dashboard"),
    path("new/", views.new, name="assessment_new"),
    path("<uuid:assessment>/", views.overview, name="assessment_overview"),
    path("<uuid:assessment>/sections/<int:n>/", views.section, name="assessment_section"),
    path("<uuid:assessment>/submit/", views.submit, name="assessment_submit"),
    path("<uuid:assessment>/reopen/", views.reopen, name="assessment_reopen"),
    path("<uuid:assessment>/assignments/", views.assign_sections, name="assessment_assignments"),
    path(
        "<uuid:assessment>/comments/<int:comment>/resolve/",
        views.resolve_comment,
        name="assessment_comment_resolve",
    ),
    path(
        "<uuid:assessment>/questions/<slug:code>/evidence/",
        views.question_evidence,
        name="assessment_question_evidence",
    ),
    path(
        "<uuid:assessment>/questions/<slug:code>/history/",
        views.history,
        name="assessment_question_history",
    ),
]
