from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:organisation>/actions/", views.action_list, name="organisation_actions"),
    path("<uuid:organisation>/actions/bulk/", views.action_bulk, name="organisation_actions_bulk"),
    *(
        path(
            f"<uuid:organisation>/actions/export.{extension}",
            views.action_export,
            {"extension": extension},
            name=f"organisation_actions_export_{extension}",
        )
        for extension in ("csv", "xlsx")
    ),
    path("<uuid:organisation>/actions/<uuid:action>/", views.action_detail, name="action_detail"),
    path(
        "<uuid:organisation>/actions/<uuid:action>/status/",
        views.action_status,
        name="action_status",
    ),
]
