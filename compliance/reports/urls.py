from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:assessment>/results/", views.results, name="assessment_results"),
    path("<uuid:assessment>/report.pdf", views.report_pdf, name="assessment_report_pdf"),
    path("<uuid:assessment>/report/", views.report_page, name="assessment_report"),
    path("<uuid:assessment>/export.csv", views.export_csv, name="assessment_export_csv"),
    path("<uuid:assessment>/export.xlsx", views.export_xlsx, name="assessment_export_xlsx"),
    path("<uuid:assessment>/export.json", views.export_json, name="assessment_export_json"),
]
