"""Login auditing and the start of the absolute session clock.

Signals are kept to authentication plumbing that Django only exposes this way.
"""

import time

from axes.signals import user_locked_out
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


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    """django-axes locked the account after repeated failures: 等保 asks for this event itself."""
    audit_record(
        actor=None,
        action=AuditAction.LOCKED_OUT,
        detail={"username": str(username or "")[:150]},
        request=request,
        target_repr=str(username or "")[:150],
    )
