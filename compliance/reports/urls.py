from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:assessment>/results/", views.results, name="assessment_results"),
    path("<uuid:assessment>/report.pdf", views.report_pdf, name="assessment_report_pdf"),
    path("<uuid:assessment>/report/", views.report_page, name="assessment_report"),
    path(
        "<uuid:assessment>/report/document/",
        views.report_document,
        name="assessment_report_document",
    ),
    path("<uuid:assessment>/report/status/", views.report_status, name="assessment_report_status"),
    path("<uuid:assessment>/audit-pack.zip", views.audit_pack, name="assessment_audit_pack"),
    path(
        "<uuid:assessment>/audit-pack/status/",
        views.audit_pack_status,
        name="assessment_audit_pack_status",
    ),
    *(
        path(
            f"<uuid:assessment>/export.{extension}",
            views.export,
            {"extension": extension},
            name=f"assessment_export_{extension}",
        )
        for extension in views.EXPORTS
    ),
]
