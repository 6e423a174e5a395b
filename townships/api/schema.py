"""The OpenAPI schema documents every answer an operation can give, errors included.

drf-spectacular documents the success answer of each operation; the API also answers
401 (no or bad token), 403 (a role that may not), 404 (missing or out of scope, and a
page past the last), 429 (throttled), 400 (bad filters or body) where the operation
takes input, and 415 (a body that cannot be parsed) where it takes a body. Clients — and the schemathesis check in tests/security/test_api_fuzz.py —
rely on the schema listing them with the shape of their body.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import follow_model_field_lookup, get_view_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every refusal other than a validation error: {"detail": "…"}."""

    detail = serializers.CharField(help_text="原因（中文）")


ERROR_DESCRIPTIONS = {
    "400": '请求参数或内容有误：按字段列出原因，如 {"month": ["…"]}',
    "401": "未登录或令牌无效",
    "403": "当前角色无此权限",
    "404": "对象不存在或不在本用户范围内（两者的回答相同）；列表页码超出范围",
    "415": "请求体的格式（Content-Type）无法解析：请用 application/json",
    "429": "请求过于频繁，稍后再试",
}


class DocumentedErrorsSchema(AutoSchema):
    """AutoSchema that adds the error answers of every operation (see the module docstring)."""

    def _resolve_path_parameters(self, variables):
        # The views take any path segment as the id (a malformed one is a JSON 404, see
        # ScopedReadOnlyViewSet.lookup_value_regex); the schema still states the id's real type.
        parameters = super()._resolve_path_parameters(variables)
        model = get_view_model(self.view, emit_warnings=False)
        if model is None:
            return parameters
        for parameter in parameters:
            if parameter["name"] in ("id", "pk") and parameter["schema"].get("pattern") == "^[^/]+$":
                field = follow_model_field_lookup(model, "pk")
                schema = self._map_model_field(field, direction=None)
                schema.pop("readOnly", None)
                parameter["schema"] = schema
        return parameters

    def _takes_input(self):
        return self.method in ("POST", "PUT", "PATCH") or (self.method == "GET" and self._is_list_view())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["401", "403", "404", "429"]
        if self._takes_input():
            codes.insert(0, "400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        for code in codes:
            if code in responses:
                continue
            body = OpenApiTypes.OBJECT if code == "400" else ErrorSerializer
            responses[code] = self._get_response_for_code(
                OpenApiResponse(body, description=ERROR_DESCRIPTIONS[code]), code, direction=direction
            )
        return dict(sorted(responses.items()))
