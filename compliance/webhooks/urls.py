from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:organisation>/webhooks/", views.endpoint_list, name="webhook_endpoints"),
    path(
        "<uuid:organisation>/webhooks/<uuid:endpoint>/",
        views.endpoint_detail,
        name="webhook_endpoint",
    ),
    path(
        "<uuid:organisation>/webhooks/<uuid:endpoint>/delete/",
        views.endpoint_delete,
        name="webhook_endpoint_delete",
    ),
    path(
        "<uuid:organisation>/webhooks/<uuid:endpoint>/secret/",
        views.endpoint_secret,
        name="webhook_endpoint_secret",
    ),
    path(
        "<uuid:organisation>/webhooks/<uuid:endpoint>/ping/",
        views.endpoint_ping,
        name="webhook_endpoint_ping",
    ),
    path(
        "<uuid:organisation>/webhooks/<uuid:endpoint>/deliveries/<uuid:delivery>/resend/",
        views.delivery_resend,
        name="webhook_delivery_resend",
    ),
]
