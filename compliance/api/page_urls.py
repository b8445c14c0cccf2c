from django.urls import path

from . import pages

urlpatterns = [
    path("<uuid:organisation>/api-tokens/", pages.token_list, name="organisation_api_tokens"),
    path(
        "<uuid:organisation>/api-tokens/<uuid:api_token>/revoke/",
        pages.token_revoke,
        name="organisation_api_token_revoke",
    ),
]
