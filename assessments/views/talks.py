"""约谈 pages (list, detail, decision with a confirmation, record, follow-up) and the 整改台账."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.listing import Column, ListSpec, cell, display, link, list_views, township_column
from townships.scoping import can_edit_in_township, get_scoped_or_404, scope_for
from townships.web import apply_form_errors, require_get_or_post, service_form

from .. import services
from ..choices import RectificationStatus, TalkDecision, TalkState
from ..filtersets import RectificationFilterSet, TalkFilterSet
from ..models import RectificationItem, Talk
from ..selectors.talks import can_act_on_talk
from ..services.talks import default_follow_up
from ..talk_forms import (
    RectificationCloseForm,
    RectificationForm,
    TalkDecideForm,
    TalkFollowUpForm,
    TalkRecordForm,
)


def _date(value):
    return value.strftime("%Y-%m-%d") if value else ""


def _state_badge(talk):
    colour = {
        TalkState.PROPOSED: "danger",
        TalkState.SCHEDULED: "warning",
        TalkState.HELD: "primary",
        TalkState.CLOSED: "success",
    }.get(talk.state, "secondary")
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, talk.get_state_display())


def talks_spec(request):
    return ListSpec(
        title=gettext_lazy("约谈"),
        queryset=lambda r: scope_for(r.user, Talk.objects.select_related("person", "township", "village")),
        filterset_class=TalkFilterSet,
        columns=(
            Column(_("期间"), lambda t: t.period, "period", ("period",), export=cell("period")),
            township_column(),
            Column(
                _("村（社区）"),
                lambda t: t.village.name if t.village else "",
                export=cell("village__name", value=lambda v: v or ""),
            ),
            Column(
                _("约谈对象"),
                lambda t: t.person.name,
                "person",
                ("person__name",),
                html=link("talk-detail", lambda t: t.person.name),
                export=cell("person__name"),
            ),
            Column(_("层级"), lambda t: t.get_level_display(), export=display("level", Talk)),
            Column(_("事由"), lambda t: t.get_cause_display(), "cause", ("cause",), export=display("cause", Talk)),
            Column(_("依据"), lambda t: t.reason, export=cell("reason")),
            Column(
                _("状态"),
                lambda t: t.get_state_display(),
                "state",
                ("state",),
                html=_state_badge,
                export=display("state", Talk),
            ),
            Column(
                _("约谈日期"), lambda t: _date(t.held_on), "held_on", ("held_on",), export=cell("held_on", value=_date)
            ),
            Column(
                _("回访日期"),
                lambda t: _date(t.follow_up_on),
                "follow_up_on",
                ("follow_up_on",),
                export=cell("follow_up_on", value=_date),
            ),
        ),
        default_sort="-period",
        export_name="talk-export",
        filename="约谈",
        links=lambda r: [(_("整改台账"), reverse("rectification-list"))],
    )


talk_list, talk_export = list_views(talks_spec)


def _talk(request, pk):
    return get_scoped_or_404(
        request.user,
        Talk.objects.select_related("person", "township", "village", "decided_by", "recorded_by", "closed_by"),
        pk=pk,
    )


@require_safe
@login_required
def talk_detail(request, pk):
    talk = _talk(request, pk)
    return render(
        request,
        "assessments/talk_detail.html",
        {
            "talk": talk,
            "can_act": can_act_on_talk(request.user, talk),
            "rectifications": list(talk.rectifications.select_related("responsible").order_by("deadline", "pk")),
            "today": timezone.localdate(),
            "S": TalkState,
        },
    )


def _acting(request, pk, state):
    talk = _talk(request, pk)
    if not can_act_on_talk(request.user, talk):
        raise PermissionDenied(_("您不能办理这项约谈。"))
    if talk.state != state:
        messages.error(request, _("该约谈当前状态为“%(s)s”，不能执行此操作。") % {"s": talk.get_state_display()})
        return talk, redirect("talk-detail", pk=talk.pk)
    return talk, None


@require_get_or_post
@login_required
def talk_decide(request, pk):
    """Deciding a proposal: the choice and the opinion, then a confirmation page showing what is
    decided about whom; only the confirmed post decides."""
    talk, done = _acting(request, pk, TalkState.PROPOSED)
    if done:
        return done
    form = TalkDecideForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["opinion"].strip():
            form.add_error("opinion", _("请填写决定意见。"))
        elif request.POST.get("confirmed") != "1":
            confirming = True
        else:
            try:
                services.talk_decide(
                    actor=request.user, talk=talk, decision=data["decision"], opinion=data["opinion"], request=request
                )
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已决定：%(n)s，%(d)s。") % {"n": talk.person.name, "d": TalkDecision(data["decision"]).label},
                )
                return redirect("talk-detail", pk=talk.pk)
    return render(
        request,
        "assessments/talk_decide.html",
        {
            "talk": talk,
            "form": form,
            "confirming": confirming,
            "decision_label": TalkDecision(form.cleaned_data["decision"]).label if confirming else "",
        },
    )


@require_get_or_post
@login_required
def talk_record(request, pk):
    talk, done = _acting(request, pk, TalkState.SCHEDULED)
    if done:
        return done
    today = timezone.localdate()
    form = TalkRecordForm(
        request.POST or None,
        initial={"held_on": today, "follow_up_on": default_follow_up(talk.township.county_id, today)},
    )
    return service_form(
        request,
        form,
        save=lambda d: services.talk_record(actor=request.user, talk=talk, request=request, **d),
        success_url=reverse("talk-detail", args=[talk.pk]),
        title=_("记录约谈：%(n)s") % {"n": talk.person.name},
        message=_("约谈已记录，回访日期已列入待办。"),
    )


@require_get_or_post
@login_required
def talk_follow_up(request, pk):
    talk, done = _acting(request, pk, TalkState.HELD)
    if done:
        return done
    return service_form(
        request,
        TalkFollowUpForm(request.POST or None),
        save=lambda d: services.talk_follow_up(
            actor=request.user, talk=talk, note=d["follow_up_note"], request=request
        ),
        success_url=reverse("talk-detail", args=[talk.pk]),
        title=_("回访：%(n)s") % {"n": talk.person.name},
        message=_("回访情况已记录，约谈办结。"),
    )


# --- 整改台账 --------------------------------------------------------------------


def _deadline(item):
    text = _date(item.deadline)
    if item.is_overdue(timezone.localdate()):
        return format_html('{} <span class="badge text-bg-danger">{}</span>', text, _("已逾期"))
    return text


def _overdue_cell(status, deadline):
    return "是" if status == RectificationStatus.OPEN and deadline < timezone.localdate() else "否"


def rectifications_spec(request):
    return ListSpec(
        title=gettext_lazy("整改台账"),
        queryset=lambda r: scope_for(r.user, RectificationItem.objects.select_related("township", "responsible")),
        filterset_class=RectificationFilterSet,
        columns=(
            township_column(),
            Column(
                _("问题"),
                lambda i: i.problem,
                html=link("rectification-edit", lambda i: i.problem),
                export=cell("problem"),
            ),
            Column(_("整改措施"), lambda i: i.measure, export=cell("measure")),
            Column(
                _("整改时限"),
                _deadline,
                "deadline",
                ("deadline",),
                html=_deadline,
                export=cell("deadline", value=_date),
            ),
            Column(_("逾期"), lambda i: "", export=cell("status", "deadline", value=_overdue_cell)),
            Column(_("责任人"), lambda i: i.responsible.name, export=cell("responsible__name")),
            Column(
                _("状态"),
                lambda i: i.get_status_display(),
                "status",
                ("status",),
                export=display("status", RectificationItem),
            ),
            Column(_("完成日期"), lambda i: _date(i.completed_on), export=cell("completed_on", value=_date)),
            Column(_("完成情况"), lambda i: i.completion_note, export=cell("completion_note")),
        ),
        default_sort="status",
        export_name="rectification-export",
        filename="整改台账",
        create_url=lambda r: (
            reverse("rectification-create") if r.user.is_county_admin or r.user.is_township_staff else None
        ),
        create_label=gettext_lazy("新增整改事项"),
        links=lambda r: [(_("约谈"), reverse("talk-list"))],
    )


rectification_list, rectification_export = list_views(rectifications_spec)


def _require_township_editor(user, township_id):
    if not can_edit_in_township(user, township_id):
        raise PermissionDenied(_("您不能编辑该乡镇的整改台账。"))


@require_get_or_post
@login_required
def rectification_edit(request, pk=None):
    item = get_scoped_or_404(request.user, RectificationItem.objects.select_related("township"), pk=pk) if pk else None
    fixed = item.township if item else (request.user.township if request.user.is_township_staff else None)
    if fixed is not None:
        _require_township_editor(request.user, fixed.pk)
    elif not request.user.is_county_admin:
        raise PermissionDenied(_("您不能编辑整改台账。"))
    initial = {}
    if item is not None:
        initial = {f: getattr(item, f) for f in ("problem", "measure", "deadline", "responsible", "talk")}
    elif request.GET.get("talk"):
        talk = get_scoped_or_404(request.user, Talk.objects.all(), pk=request.GET["talk"])
        initial = {"talk": talk.pk, "township": talk.township_id}
    form = RectificationForm(request.POST or None, initial=initial, user=request.user, township=fixed)

    def save(data):
        township = fixed or data["township"]
        _require_township_editor(request.user, township.pk)
        fields = {k: data[k] for k in ("problem", "measure", "deadline", "responsible", "talk")}
        return services.rectification_save(actor=request.user, township=township, item=item, request=request, **fields)

    return service_form(
        request,
        form,
        save=save,
        success_url=reverse("rectification-list"),
        title=_("编辑整改事项") if item else _("新增整改事项"),
        message=_("整改事项已保存。"),
        template="assessments/rectification_form.html",
        context={"item": item},
    )


@require_get_or_post
@login_required
def rectification_close(request, pk):
    item = get_scoped_or_404(request.user, RectificationItem.objects.select_related("township"), pk=pk)
    _require_township_editor(request.user, item.township_id)
    if item.status == RectificationStatus.DONE:
        messages.error(request, _("该整改事项已完成。"))
        return redirect("rectification-list")
    return service_form(
        request,
        RectificationCloseForm(request.POST or None, initial={"completed_on": timezone.localdate()}),
        save=lambda d: services.rectification_close(
            actor=request.user, item=item, completed_on=d["completed_on"], note=d["completion_note"], request=request
        ),
        success_url=reverse("rectification-list"),
        title=_("整改完成：%(p)s") % {"p": item.problem[:40]},
        message=_("整改事项已标记为已完成。"),
    )
