import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from .village_access import village_may_reach

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


class CacheControlMiddleware:
    """No browser or proxy keeps a copy of what a signed-in user was shown.

    Pages, exports and API answers carry Party members' ID numbers, phones and
    addresses; a shared county office computer must not hand them to the next
    person through its cache. So every response to a signed-in user or a token
    client, and every download, is ``no-store`` unless its view chose otherwise
    (the scorecards API keeps ``private, no-cache`` with its ETag). The pages a
    signed-out visitor sees (the login page) may be kept but must be revalidated.
    Static files never reach here: WhiteNoise answers them further up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META or response.has_header("Content-Disposition"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        else:
            patch_cache_control(response, no_cache=True, private=True)
        return response


class VillageAllowlistMiddleware:
    """Refuse a village login every URL outside the allowlist: 404 for pages and the API alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_village_staff", False):
            return None
        match = request.resolver_match
        if match is not None and village_may_reach(match.view_name):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("未找到。")}, status=404)
        raise Http404
