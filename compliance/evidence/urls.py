from django.urls import path

from . import views

urlpatterns = [
    path("", views.library, name="evidence_library"),
    path("items/<uuid:item>/remove/", views.remove, name="evidence_remove"),
    path("files/<uuid:file>/", views.download, name="evidence_download"),
]
