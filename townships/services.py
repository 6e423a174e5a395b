"""Writes for the registry core: townships, users, audit, registry totals."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .choices import AuditAction, EntryStatus, MessageKind, Role
from .county_settings import BY_KEY, settings_for
from .models import AuditEvent, County, CountySetting, Message, Township, User
from .queue import publish_on_commit
from .scoping import can_review_village_entries


def client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_scope(actor, target):
    """(county id, township id) an audit event belongs to: the target's own when it has them (a
    township, or a record kept in one), else the actor's. At most one query (a township's county)."""
    county_id = township_id = None
    if isinstance(target, Township):
        county_id, township_id = target.county_id, target.pk
    elif isinstance(target, County):
        county_id = target.pk
    elif target is not None:
        county_id = getattr(target, "county_id", None)
        township_id = getattr(target, "township_id", None)
    if actor is not None and getattr(actor, "is_authenticated", False):
        if township_id is None and county_id in (None, actor.county_id):
            township_id = actor.township_id
        county_id = county_id or actor.county_id
    if county_id is None and township_id is not None:
        county_id = Township.objects.filter(pk=township_id).values_list("county_id", flat=True).first()
    return county_id, township_id


def audit_record(*, actor, action, target=None, detail=None, request=None, target_repr="", scope=None):
    """Write one audit row. Call inside the transaction of the act it records.

    ``scope`` (county id, township id) names whose records the event concerns when neither the
    target nor the actor does (a failed login); by default ``audit_scope`` works it out."""
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    county_id, township_id = scope or audit_scope(actor_obj, target)
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_name=(actor_obj.get_username() if actor_obj else (getattr(actor, "username", "") or "")),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:200],
        detail=detail or {},
        ip_address=client_ip(request),
        county_id=county_id,
        township_id=township_id,
    )


def changed_fields(instance, data):
    changes = {}
    for field, value in data.items():
        old = getattr(instance, field)
        if old != value:
            changes[field] = [str(old), str(value)]
    return changes


def enqueue_township_totals(township_id):
    # Enqueue: the tasks module imports this one, so the task is looked up when it is sent.
    from .tasks import refresh_township_totals

    publish_on_commit(refresh_township_totals, township_id)


@transaction.atomic
def township_create(*, actor, county, request=None, **data):
    township = Township(county=county, **data)
    township.full_clean()
    township.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=township, request=request)
    return township


@transaction.atomic
def township_update(*, actor, township, request=None, **data):
    township = Township.objects.select_for_update().get(pk=township.pk)
    changes = changed_fields(township, data)
    for field, value in data.items():
        setattr(township, field, value)
    township.full_clean()
    township.save()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=township, detail=changes, request=request)
    return township


@transaction.atomic
def township_set_active(*, actor, township, active, request=None):
    """Deactivate (or restore) a township; never delete what assessments refer to."""
    if not active and township.villages.filter(is_active=True).exists():
        raise ValidationError(_("该乡镇下还有启用的村（社区），请先停用或调整这些村（社区）。"))
    return record_set_active(actor=actor, instance=township, active=active, request=request)


def record_set_active(*, actor, instance, active, request=None):
    """Deactivate or restore a registry record (never deleted: records and scores refer to it), audited."""
    type(instance).objects.filter(pk=instance.pk).update(is_active=active)
    instance.is_active = active
    audit_record(
        actor=actor,
        action=AuditAction.REACTIVATE if active else AuditAction.DEACTIVATE,
        target=instance,
        request=request,
    )
    return instance


def township_refresh_totals(*, township_ids):
    """Recompute the stored totals of the given townships in one aggregate query."""
    active = Q(villages__is_active=True)
    rows = (
        Township.objects.filter(pk__in=township_ids)
        .annotate(
            n_villages=Count("villages", filter=active),
            n_population=Sum("villages__population", filter=active),
            n_households=Sum("villages__households", filter=active),
        )
        .values_list("pk", "n_villages", "n_population", "n_households")
    )
    now = timezone.now()
    updates = [
        Township(
            pk=pk,
            village_count=n or 0,
            population=p or 0,
            households=h or 0,
            totals_refreshed_at=now,
        )
        for pk, n, p, h in rows
    ]
    Township.objects.bulk_update(
        updates, ["village_count", "population", "households", "totals_refreshed_at"], batch_size=500
    )
    return len(updates)


@transaction.atomic
def county_settings_update(*, actor, county, values, request=None):
    """Validate every submitted setting, then store the ones that differ from the default.

    ``values`` maps key → raw value. All or nothing: one bad value saves none.
    """

    errors, cleaned = {}, {}
    for key, raw in values.items():
        if key not in BY_KEY:
            continue
        try:
            cleaned[key] = BY_KEY[key].clean(raw)
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    current = settings_for(county.pk)
    changes = {}
    for key, value in cleaned.items():
        if value != current[key]:
            changes[key] = [current[key], value]
        if value == BY_KEY[key].default:
            CountySetting.objects.filter(county=county, key=key).delete()
        else:
            CountySetting.objects.update_or_create(
                county=county, key=key, defaults={"value": value, "updated_by": actor}
            )
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=county, detail=changes, request=request)
    return changes


def denial_record(request, reason=""):
    """A request refused for lack of the right (a 403, page or API): who, what, from where."""
    user = getattr(request, "user", None)
    audit_record(
        actor=user,
        action=AuditAction.DENIED,
        detail={"method": request.method, "path": request.path[:300], "reason": str(reason)[:300]},
        request=request,
        target_repr=request.path[:200],
    )


# --- In-app messages ----------------------------------------------------------------


def township_recipients(township_id):
    """The active accounts of a township's Party-building office."""
    return User.objects.filter(township_id=township_id, role=Role.TOWNSHIP_STAFF, is_active=True)


def county_admin_recipients(county_id):
    return User.objects.filter(county_id=county_id, role=Role.COUNTY_ADMIN, is_active=True)


def _recount_unread(user_ids):
    unread = Message.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True).values("recipient_id")
    User.objects.filter(pk__in=user_ids).update(
        unread_messages=Coalesce(Subquery(unread.annotate(n=Count("pk")).values("n")[:1]), 0)
    )


def notify(recipients, *, kind, title, body="", url="", key="", coalesce=False):
    """One message to each of ``recipients`` (users or a queryset of them). A message with a
    ``key`` is written once per recipient whatever the number of calls. With ``coalesce``, news
    that supersedes the last (a period scored again): a recipient's unread message of the same kind
    and title (the title names the period) is brought up to date and moved to the top instead of
    adding another. Forwarded, after commit, to ``settings.MESSAGE_GATEWAY`` when one is configured
    (a dotted path to ``send(messages)``); only new messages are."""
    user_ids = [user.pk for user in recipients]
    if coalesce and user_ids:
        unread = Message.objects.filter(recipient_id__in=user_ids, kind=kind, title=title[:200], read_at__isnull=True)
        told = set(unread.values_list("recipient_id", flat=True))
        if told:
            unread.update(body=body, url=url[:300], created_at=timezone.now())
            user_ids = [pk for pk in user_ids if pk not in told]
    if not user_ids:
        return []
    messages = Message.objects.bulk_create(
        [Message(recipient_id=pk, kind=kind, title=title[:200], body=body, url=url[:300], key=key) for pk in user_ids],
        ignore_conflicts=bool(key),
    )
    _recount_unread(user_ids)
    gateway = getattr(settings, "MESSAGE_GATEWAY", "")
    if gateway:
        send = import_string(gateway)
        transaction.on_commit(lambda: send(messages))
    return messages


@transaction.atomic
def message_mark_read(*, user, message_ids=None):
    """Mark the user's messages read (all of them when ``message_ids`` is None); returns how many."""
    unread = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=message_ids)
    count = unread.update(read_at=timezone.now())
    _recount_unread([user.pk])
    user.refresh_from_db(fields=["unread_messages"])
    return count


# --- Village entries: the township's review (村级填报审核) ------------------------------


def village_entry_announce(*, kind, row):
    """A village login entered something: its township's office hears of it once, in the message
    centre (call inside the entry's transaction)."""
    village = kind.village_of(row)
    notify(
        township_recipients(kind.township_of(row).pk),
        kind=MessageKind.ENTRY_PENDING,
        title=_("%(village)s 报送了%(kind)s，待审核")
        % {"village": village.name if village else "", "kind": kind.label},
        body=str(kind.summary(row)),
        url=reverse("entry-review", args=[kind.code, row.pk]),
        key=f"entry:{kind.code}:{row.pk}",
    )


@transaction.atomic
def village_entry_decide(*, actor, kind, entry, approve, reason="", request=None):
    """Approve a village's entry, or return it with a reason (村级填报审核).

    Only a pending entry is decided, once: a second decision (two clerks at once) is refused. The
    township's staff decide their own villages' entries, the county administrator any in the county;
    the row is audited and the login that entered it hears the outcome in its message centre."""
    if not can_review_village_entries(actor, kind.township_of(entry).pk):
        raise PermissionDenied(_("您没有审核这些填报的权限。"))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("退回时请写明原因。")})
    row = kind.model.objects.select_for_update().get(pk=entry.pk)
    if row.status != EntryStatus.PENDING:
        raise ValidationError(_("该填报已审核（%(status)s），不能再次审核。") % {"status": row.get_status_display()})
    row.status = EntryStatus.APPROVED if approve else EntryStatus.RETURNED
    row.reviewed_by = actor
    row.reviewed_at = timezone.now()
    row.return_reason = "" if approve else reason
    row.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason"])
    if approve and kind.on_approved is not None:
        kind.on_approved(actor, row)
    township = kind.township_of(entry)
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=row,
        detail={"kind": kind.code, "approved": approve, "reason": row.return_reason},
        request=request,
        scope=(township.county_id, township.pk),
    )
    entered_by_id = getattr(row, f"{kind.entered_by_field}_id", None)
    if entered_by_id is not None:
        url = kind.detail_url(row)
        summary = str(kind.summary(row))
        notify(
            User.objects.filter(pk=entered_by_id, is_active=True),
            kind=MessageKind.ENTRY_APPROVED if approve else MessageKind.ENTRY_RETURNED,
            title=(_("%(kind)s已通过审核：%(what)s") if approve else _("%(kind)s被退回：%(what)s"))
            % {"kind": kind.label, "what": summary},
            body="" if approve else _("退回原因：%(reason)s") % {"reason": reason},
            url=url,
        )
    return row
