import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

SESSION_LOGIN_AT = "_login_at"


class AbsoluteSessionTimeoutMiddleware:
    """Log a user out 12 hours after login, however active (idle expiry is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            login_at = request.session.get(SESSION_LOGIN_AT)
            now = time.time()
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("登录已超过 12 小时，请重新登录。"))
                    return redirect(settings.LOGIN_URL)
        return self.get_response(request)
