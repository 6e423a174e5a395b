"""The browser's session on the API, refusing a write without its CSRF token in Chinese, as JSON.

DRF's SessionAuthentication raises "CSRF Failed: …" in English; the API speaks Chinese.
"""

from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication


class _Check(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason  # the reason, not Django's HTML page


class ChineseCsrfSessionAuthentication(SessionAuthentication):
    def enforce_csrf(self, request):
        check = _Check(lambda req: None)
        check.process_request(request)
        if check.process_view(request, None, (), {}):
            raise exceptions.PermissionDenied(
                _(
                    "安全校验失败（缺少或过期的 CSRF 令牌）：请刷新页面后重试；接口客户端请使用令牌（Authorization: Token …）。"
                )
            )


class ChineseCsrfSessionScheme(SessionScheme):
    """The OpenAPI document declares it as the session cookie it is."""

    target_class = "townships.api.session.ChineseCsrfSessionAuthentication"
