from django.urls import path

from . import followup, review, views

urlpatterns = [
    path("<uuid:assessment>/results/", views.results, name="assessment_results"),
    path(
        "<uuid:assessment>/actions/create/",
        followup.create_actions,
        name="assessment_actions_create",
    ),
    path("<uuid:assessment>/report.pdf", views.report_pdf, name="assessment_report_pdf"),
    path("<uuid:assessment>/review/", review.review, name="assessment_review"),
    path("<uuid:assessment>/review/start/", review.start, name="assessment_review_start"),
    path("<uuid:assessment>/review/comment/", review.comment, name="assessment_review_comment"),
    path(
        "<uuid:assessment>/review/return/",
        review.return_for_changes,
        name="assessment_review_return",
    ),
    path("<uuid:assessment>/review/approve/", review.approve_view, name="assessment_approve"),
    path(
        "<uuid:assessment>/approval/withdraw/",
        review.withdraw,
        name="assessment_withdraw_approval",
    ),
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
