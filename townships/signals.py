"""Login auditing and the start of the absolute session clock.

Signals are kept to authentication plumbing that Django only exposes this way.
"""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .choices import AuditAction
from .middleware import SESSION_LOGIN_AT
from .models import User
from .services import audit_record


def _account_scope(username):
    """The county and township of the account a failed login named (none for an unknown name),
    so the county's audit log shows attempts on its own accounts."""
    return User.objects.filter(username=username).values_list("county_id", "township_id").first() or (None, None)


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
        scope=_account_scope(username),
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
        scope=_account_scope(str(username or "")[:150]),
    )
