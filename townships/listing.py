"""What every list page does the same way: filter with the shared FilterSet, sort by a
whitelist, page, and hand the same filtered rows to the Excel export."""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .choices import AuditAction
from .forms import bootstrapify
from .scoping import can_reveal_personal_data
from .services import audit_record
from .xlsx import xlsx_response

PAGE_SIZE = 50


@dataclass
class ListState:
    filterset: object
    rows: object  # the filtered, sorted queryset
    sort: str
    page: object = None
    querystring: str = ""  # the filters and sort, without the page


def list_state(request, queryset, *, filterset_class, sorts, default_sort):
    """Apply the filters and the ``sort`` parameter. Invalid filters show errors and list nothing."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if filterset.is_bound and not filterset.is_valid():
        rows = queryset.none()
    sort = request.GET.get("sort", default_sort)
    if sort.lstrip("-") not in sorts:
        sort = default_sort
    key = sorts[sort.lstrip("-")]
    keys = key if isinstance(key, list | tuple) else [key]
    rows = rows.order_by(*[("-" + k if sort.startswith("-") else k) for k in keys], "pk")
    params = request.GET.copy()
    params.pop("page", None)
    return ListState(filterset=filterset, rows=rows, sort=sort, querystring=params.urlencode())


def paginate(request, state, per_page=PAGE_SIZE):
    """A page of the rows; a page number past the end shows the last page, nonsense the first."""
    paginator = Paginator(state.rows, per_page)
    try:
        state.page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        state.page = paginator.page(1)
    except EmptyPage:
        state.page = paginator.page(paginator.num_pages)
    return state


# --- Declarative list pages ---------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list page and of its Excel export."""

    label: str
    value: Callable[[Any], Any]  # the plain value: exported, and shown unless ``html`` is given
    key: str = ""  # the ?sort= name; empty means not sortable
    order_by: tuple = ()  # ORM ordering for the key
    html: Callable[[Any], str] | None = None
    numeric: bool = False


@dataclass(frozen=True)
class ListSpec:
    """A list page: what it lists (already scoped), how it filters, sorts, shows and exports."""

    title: str
    queryset: Callable  # (request) -> scoped queryset with select_related for every column
    filterset_class: type
    columns: tuple
    default_sort: str
    export_name: str  # URL name of the export view
    filename: str  # export file name prefix
    create_url: Callable | None = None  # (request) -> URL or None
    create_label: str = ""
    links: Callable | None = None  # (request) -> list of (label, url) shown above the table
    # The export: the page's columns unless it has its own ((header, value) pairs), its sheet
    # name (default: the title), and the audit record's list name and label (default: the URL
    # name and the title).
    export_columns: tuple | None = None
    # With ``export_fields`` the export reads these ``values()`` paths and ``export_columns``
    # take the row as a dict: a large export builds no model instances.
    export_fields: tuple = ()
    export_sheet: str = ""
    audit_list: str = ""
    audit_label: str = ""

    def exported(self):
        """(headers, value functions) of the export."""
        pairs = self.export_columns or tuple((c.label, c.value) for c in self.columns)
        return [str(header) for header, _value in pairs], [value for _header, value in pairs]


def spec_state(request, spec):
    sorts = {c.key: list(c.order_by) for c in spec.columns if c.key}
    state = list_state(
        request,
        spec.queryset(request),
        filterset_class=spec.filterset_class,
        sorts=sorts,
        default_sort=spec.default_sort,
    )

    state.filterset.form.compact = True
    bootstrapify(state.filterset.form)
    return state


def link(url_name, label_of=str, pk_of=None):
    """A column renderer linking to a detail page (of the row, or of the object ``pk_of`` names)."""
    pk_of = pk_of or (lambda obj: obj.pk)
    return lambda obj: format_html('<a href="{}">{}</a>', reverse(url_name, args=[pk_of(obj)]), label_of(obj))


def township_column(*then_by):
    """The 乡镇 column of a county-wide list, sorted in the townships' own order (then by ``then_by``)."""
    return Column(
        _("乡镇"), lambda obj: obj.township.name, "township", ("township__sort_key", "township__name", *then_by)
    )


def count_column(label, field):
    """A sortable count (人口, 户数) shown with thousands separators and exported as the number."""
    return Column(
        label, attrgetter(field), field, (field,), html=lambda obj: intcomma(getattr(obj, field)), numeric=True
    )


def _active_badge(obj):
    if obj.is_active:
        return format_html('<span class="badge text-bg-success">{}</span>', _("启用"))
    return format_html('<span class="badge text-bg-secondary">{}</span>', _("已停用"))


def active_column():
    """The 状态 column of records that can be deactivated: a badge on the page, 是/否 in the export."""
    return Column(_("状态"), lambda obj: "是" if obj.is_active else "否", html=_active_badge)


def render_list(request, spec, template="inc/list_page.html", extra=None):
    state = paginate(request, spec_state(request, spec))
    rows = [
        [(c.html(obj) if c.html else c.value(obj), c.numeric) for c in spec.columns] for obj in state.page.object_list
    ]
    context = {
        "spec": spec,
        "rows": rows,
        "filterset": state.filterset,
        "page": state.page,
        "sort": state.sort,
        "querystring": state.querystring,
        "export_url": reverse(spec.export_name),
        "create_url": spec.create_url(request) if spec.create_url else None,
        "links": spec.links(request) if spec.links else [],
        "can_full_export": can_reveal_personal_data(request.user),
    }
    return render(request, template, context | (extra or {}))


def export_list(request, spec):
    """The page's filtered, sorted rows as a workbook, audited."""
    state = spec_state(request, spec)
    headers, values = spec.exported()
    source = state.rows.values(*spec.export_fields).iterator(chunk_size=2000) if spec.export_fields else state.rows
    rows = [[value(obj) for value in values] for obj in source]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={"list": spec.audit_list or spec.export_name, "rows": len(rows), "filters": state.querystring},
        request=request,
        target_repr=str(spec.audit_label or spec.title),
    )
    return xlsx_response(
        f"{spec.filename}-{timezone.localdate():%Y%m%d}.xlsx",
        [(str(spec.export_sheet or spec.title), headers, rows)],
    )


def list_views(spec_factory):
    """A (list view, export view) pair for a spec built per request."""

    @require_safe
    @login_required
    def list_view(request):
        return render_list(request, spec_factory(request))

    @require_safe
    @login_required
    def export_view(request):
        return export_list(request, spec_factory(request))

    return list_view, export_view
