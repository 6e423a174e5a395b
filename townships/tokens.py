"""REST client tokens: one read-only client user per client, tokens hashed at rest by knox."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from .choices import AuditAction, Role
from .models import User
from .services import audit_record


@transaction.atomic
def token_issue(*, actor, client_name, county, days=None, request=None):
    """Create (or reuse) the client's user and issue a new token; returns the clear token once."""
    client, created = User.objects.get_or_create(
        username=client_name, defaults={"role": Role.API_CLIENT, "county": county, "first_name": client_name}
    )
    if created:
        client.set_unusable_password()
        client.save(update_fields=["password"])
    elif client.role != Role.API_CLIENT:
        raise ValidationError(_("“%(name)s”是一个登录用户，不是接口客户端。") % {"name": client_name})
    elif client.county_id != county.pk:
        raise ValidationError(_("接口客户端“%(name)s”属于另一个县。") % {"name": client_name})
    if not client.is_active:
        raise ValidationError(_("接口客户端“%(name)s”已停用。") % {"name": client_name})
    expiry = datetime.timedelta(days=days) if days else None
    instance, token = (
        AuthToken.objects.create(user=client, expiry=expiry) if expiry else AuthToken.objects.create(user=client)
    )
    audit_record(
        actor=actor,
        action=AuditAction.TOKEN_ISSUED,
        target=client,
        detail={"token_key": instance.token_key, "expiry": instance.expiry.isoformat() if instance.expiry else None},
        request=request,
    )
    return token


@transaction.atomic
def token_revoke(*, actor, client_name, request=None):
    """Delete every token of the client; returns how many were revoked."""
    try:
        client = User.objects.get(username=client_name, role=Role.API_CLIENT)
    except User.DoesNotExist:
        raise ValidationError(_("没有名为“%(name)s”的接口客户端。") % {"name": client_name}) from None
    count, _detail = AuthToken.objects.filter(user=client).delete()
    audit_record(
        actor=actor, action=AuditAction.TOKEN_REVOKED, target=client, detail={"revoked": count}, request=request
    )
    return count
