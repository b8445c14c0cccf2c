from django.urls import path

from . import views

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path(
        "portfolio/export.csv",
        views.portfolio_export,
        {"extension": "csv"},
        name="portfolio_export_csv",
    ),
    path(
        "portfolio/export.xlsx",
        views.portfolio_export,
        {"extension": "xlsx"},
        name="portfolio_export_xlsx",
    ),
    path("portfolio/campaign/", views.campaign, name="portfolio_campaign"),
]
