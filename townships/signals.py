"""Login auditing and the start of the absolute session clock.

Signals are kept to authentication plumbing that Django only exposes this way.
"""

import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .choices import AuditAction
from .middleware import SESSION_LOGIN_AT
from .services import audit_record


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = time.time()
    audit_record(actor=user, action=AuditAction.LOGIN, target=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        detail={"username": username},
        request=request,
        target_repr=username,
    )
