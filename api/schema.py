"""How drf-spectacular describes our bearer tokens in the OpenAPI document."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "個人 API 權杖（在「API 權杖」頁面建立，或 `manage.py api_token 帳號`）：Authorization: Bearer <權杖>"
            ),
        }
