"""How the OpenAPI schema (drf-spectacular) describes the API's two ways in."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "compliance.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API token (icp_…), made by its owners on the "
            "organisation's API tokens page.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "compliance.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The signed-in browser's session; writes need the X-CSRFToken header.",
        }
