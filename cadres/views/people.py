"""People (人员): the list, detail, reveal and edit pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from townships.listing import Column, ListSpec, cell, display, link, list_views, township_column
from townships.scoping import (
    can_edit_in_township,
    can_reveal_personal_data,
    can_write_records,
    get_scoped_or_404,
    scope_for,
)
from townships.web import require_get_or_post, service_form

from .. import services
from ..filtersets import PersonFilterSet
from ..forms import PersonForm
from ..identity import mask_id_number, mask_phone
from ..models import Person
from ..person_page import person_sections
from .common import _date, require_writer


def people_spec(request):
    return ListSpec(
        title=gettext_lazy("人员"),
        queryset=lambda r: scope_for(r.user, Person.objects.select_related("township", "village")),
        filterset_class=PersonFilterSet,
        columns=(
            township_column(),
            Column(
                _("村（社区）"),
                lambda p: p.village.name if p.village else "",
                export=cell("village__name", value=lambda name: name or ""),
            ),
            Column(
                _("姓名"),
                lambda p: p.name,
                "name",
                ("name",),
                html=link("person-detail", lambda p: p.name),
                export=cell("name"),
            ),
            Column(_("性别"), lambda p: p.get_gender_display(), export=display("gender", Person)),
            Column(
                _("出生日期"),
                lambda p: _date(p.birth_date),
                "birth_date",
                ("birth_date",),
                export=cell("birth_date", value=_date),
            ),
            Column(_("身份证号"), lambda p: p.id_number_masked, export=cell("id_number", value=mask_id_number)),
            Column(_("联系电话"), lambda p: p.phone_masked, export=cell("phone", value=mask_phone)),
            Column(_("学历"), lambda p: p.get_education_display(), export=display("education", Person)),
        ),
        default_sort="township",
        export_name="person-export",
        filename="人员名单",
        create_url=lambda r: reverse("person-create") if can_write_records(r.user) else None,
        create_label=_("登记人员"),
    )


person_list, person_export = list_views(people_spec)


@require_safe
@login_required
def person_detail(request, pk):
    return _person_page(request, pk, revealed=False)


def _person_page(request, pk, *, revealed):
    person = get_scoped_or_404(request.user, Person.objects.select_related("township", "village"), pk=pk)
    memberships = list(person.memberships.select_related("organization").order_by("-is_active", "-pk"))
    tenures = person.tenures.select_related("village").order_by("-started_on")
    return render(
        request,
        "cadres/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            # One active record at a time (member_apply refuses a second): no way in is offered then.
            "on_roster": any(m.is_active for m in memberships),
            "tenures": tenures,
            "revealed": revealed,
            "can_reveal": can_reveal_personal_data(request.user),
            "can_write": can_write_records(request.user) and can_edit_in_township(request.user, person.township_id),
            "sections": person_sections(request, person),
        },
    )


@require_POST
@login_required
def person_reveal(request, pk):
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=pk)
    if not can_reveal_personal_data(request.user):
        raise PermissionDenied(_("您的角色不能查看完整的身份证号和电话。"))
    services.person_reveal(actor=request.user, person=person, request=request)
    return _person_page(request, pk, revealed=True)


@require_get_or_post
@login_required
def person_form(request, pk=None):
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=pk) if pk else None
    require_writer(request.user, person.township_id if person else None)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk) if pk else None, user=request.user)
    if person is not None and request.method != "POST":
        # The edit form never shows personal data in full: leave blank to keep.
        form.initial["id_number"] = ""
        form.initial["phone"] = ""
        form.fields["id_number"].required = False
        form.fields["id_number"].help_text = _("留空表示不修改（当前：%(m)s）") % {"m": person.id_number_masked}
        form.fields["phone"].help_text = _("留空表示不修改（当前：%(m)s）") % {"m": person.phone_masked or "—"}
    elif person is not None:
        form.fields["id_number"].required = False

    def save(cleaned_data):
        data = dict(cleaned_data)
        if person is not None:
            for key in ("id_number", "phone"):
                if not data.get(key):
                    data.pop(key)
        if not can_edit_in_township(request.user, data["township"].pk):
            raise PermissionDenied
        if person is None:
            return services.person_create(actor=request.user, request=request, **data)
        services.person_update(actor=request.user, person=person, request=request, **data)
        return person

    return service_form(
        request,
        form,
        save=save,
        message=_("已保存。"),
        success_url=lambda saved: reverse("person-detail", args=[saved.pk]),
        title=_("编辑人员") if person else _("登记人员"),
    )
