from django.urls import path

from . import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("switch/", views.switch, name="organisation_switch"),
    path("<uuid:organisation>/settings/", views.settings, name="organisation_settings"),
    path("<uuid:organisation>/members/", views.members, name="organisation_members"),
    path(
        "<uuid:organisation>/members/<int:pk>/role/",
        views.member_role,
        name="organisation_member_role",
    ),
    path(
        "<uuid:organisation>/members/<int:pk>/remove/",
        views.member_remove,
        name="organisation_member_remove",
    ),
    path(
        "<uuid:organisation>/invitations/<int:pk>/cancel/",
        views.invitation_cancel,
        name="organisation_invitation_cancel",
    ),
]
