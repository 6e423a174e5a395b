"""REST client tokens: one read-only client user per client, tokens hashed at rest by knox.

A client (a city or provincial system, a BI tool) is a User with the api_client
role, bound to one county and without a usable password, so it can only use
its tokens. The clear token exists once, in the return value of token_issue;
the audit trail records only knox's short lookup key, which cannot authenticate.
"""

import datetime
import getpass
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from .choices import AuditAction, Role
from .models import User
from .services import audit_record

MAX_TOKEN_DAYS = 3650  # ten years: past that, a "temporary" token is a forgotten one


@dataclass(frozen=True)
class CommandLineActor:
    """The person at the server's shell, named in the audit trail when no user is signed in."""

    username: str
    is_authenticated: bool = False

    @classmethod
    def current(cls, command):
        try:
            login = getpass.getuser()
        except (KeyError, OSError):
            login = "?"
        return cls(username=f"manage.py {command} ({login})"[:150])


def _check_client_name(client_name):
    if not client_name or len(client_name) > User._meta.get_field("username").max_length:
        raise ValidationError(_("接口客户端名称不能为空，且不超过150个字符。"))
    User.username_validator(client_name)


@transaction.atomic
def token_issue(*, actor, client_name, county, days=None, request=None):
    """Create (or reuse) the client's user and issue a new token; returns the clear token once.

    ``days`` None means knox's REST_KNOX["TOKEN_TTL"].
    """
    _check_client_name(client_name)
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(_("有效天数应在 1 到 %(max)s 之间。") % {"max": MAX_TOKEN_DAYS})
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
    if days is None:
        instance, token = AuthToken.objects.create(user=client)
    else:
        instance, token = AuthToken.objects.create(user=client, expiry=datetime.timedelta(days=days))
    audit_record(
        actor=actor,
        action=AuditAction.TOKEN_ISSUED,
        target=client,
        detail={
            "token_key": instance.token_key,
            "expiry": instance.expiry.isoformat() if instance.expiry else None,
            "client_created": created,
        },
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
    return _delete_tokens(actor=actor, client=client, tokens=AuthToken.objects.filter(user=client), request=request)


@transaction.atomic
def tokens_delete(*, actor, tokens, request=None):
    """Delete chosen tokens (the admin's revoke), one audit row per client; returns how many."""
    tokens = tokens.select_related("user")
    by_client = {}
    for token in tokens:
        by_client.setdefault(token.user, []).append(token.pk)
    return sum(
        _delete_tokens(actor=actor, client=client, tokens=AuthToken.objects.filter(pk__in=pks), request=request)
        for client, pks in by_client.items()
    )


def _delete_tokens(*, actor, client, tokens, request):
    keys = sorted(tokens.values_list("token_key", flat=True))
    count, _detail = tokens.delete()
    audit_record(
        actor=actor,
        action=AuditAction.TOKEN_REVOKED,
        target=client,
        detail={"revoked": count, "token_keys": keys},
        request=request,
    )
    return count
