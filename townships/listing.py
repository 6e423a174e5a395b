"""What every list page does the same way: filter with the shared FilterSet, sort by a
whitelist, page, and hand the same filtered rows to the Excel export.

The page shows a page of model instances; the export may be a county's tens of thousands of
rows, so it builds none: each column says which ``values_list()`` paths it reads and how they
become the cell (a ``Cell``), and a label or a name that depends only on its value (a choice's
display, a group's name with its branch) is worked out once per distinct value, not per cell.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
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


# Parameters an audit row keeps as they were: the page's own, not a filter's typed text.
AUDITED_AS_GIVEN = frozenset({"sort", "full"})
HIDDEN = "*"


def audited_filters(params, filterset):
    """The query string an audit row keeps: which filters were used, and the values of those that
    pick from a list (a state, a township, a year); a typed text (a name, an ID number searched for)
    is kept as ``*``, so a search never writes a person's data into the audit trail."""
    kept = params.copy()
    kept.pop("page", None)
    filters = filterset.base_filters if filterset is not None else {}  # a FilterSet or its class
    for key in list(kept):
        if key in AUDITED_AS_GIVEN:
            continue
        kind = filters.get(key)
        if kind is None or isinstance(kind, django_filters.CharFilter):
            kept.setlist(key, [HIDDEN] * len(kept.getlist(key)))
    return kept.urlencode(safe=HIDDEN)


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
class Cell:
    """How the export reads one column from plain rows: the ``values_list()`` paths it reads and a
    function of their values giving the cell (none: the one value as it is). ``per_value``: the
    function depends on the values alone (a label, a composed name), so an export calls it once per
    distinct combination and reuses the result."""

    fields: tuple
    value: Callable | None = None
    per_value: bool = False


def cell(*fields, value=None, per_value=False):
    return Cell(tuple(fields), value, per_value)


def display(path, model, field=None):
    """``get_<field>_display()`` of a values() path: the choice's label, translated once per value."""
    choices = dict(model._meta.get_field(field or path.rsplit("__", 1)[-1]).flatchoices)
    return Cell((path,), lambda value: force_str(choices.get(value, value), strings_only=True), per_value=True)


@dataclass(frozen=True)
class Column:
    """One column of a list page and of its Excel export."""

    label: str
    value: Callable[[Any], Any]  # the plain value of an instance, shown unless ``html`` is given
    key: str = ""  # the ?sort= name; empty means not sortable
    order_by: tuple = ()  # ORM ordering for the key
    html: Callable[[Any], str] | None = None
    numeric: bool = False
    export: Cell | None = None  # the same value read from plain rows (every exported column has one)


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
    # The export: the page's columns unless it has its own ((header, Cell) pairs), its sheet
    # name (default: the title), and the audit record's list name and label (default: the URL
    # name and the title).
    export_columns: tuple | None = None
    export_sheet: str = ""
    audit_list: str = ""
    audit_label: str = ""

    def exported(self):
        """(headers, cells) of the export."""
        pairs = self.export_columns or tuple((c.label, c.export) for c in self.columns)
        missing = [str(header) for header, exported in pairs if not isinstance(exported, Cell)]
        if missing:
            raise ImproperlyConfigured(f"{self.export_name}: no export Cell for {', '.join(missing)}")
        return [str(header) for header, _cell in pairs], [exported for _header, exported in pairs]


def _once_per_value(function):
    seen = {}

    def get(*values):
        try:
            return seen[values]
        except KeyError:
            result = seen[values] = function(*values)
            return result

    return get


def export_rows(rows, cells):
    """The cells of every row of ``rows`` (a queryset) read as plain tuples: one query for all the
    paths the cells name, no model instances."""
    paths = list(dict.fromkeys(path for c in cells for path in c.fields))
    at = {path: i for i, path in enumerate(paths)}
    getters = []
    for c in cells:
        positions = [at[path] for path in c.fields]
        function = c.value
        if function is not None and c.per_value:
            function = _once_per_value(function)
        if function is None:
            getters.append(itemgetter(positions[0]))
        elif len(positions) == 1:
            getters.append(lambda row, i=positions[0], f=function: f(row[i]))
        else:
            getters.append(lambda row, p=positions, f=function: f(*[row[i] for i in p]))
    return [[get(row) for get in getters] for row in rows.values_list(*paths).iterator(chunk_size=2000)]


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
        _("乡镇"),
        lambda obj: obj.township.name,
        "township",
        ("township__sort_key", "township__name", *then_by),
        export=cell("township__name"),
    )


def count_column(label, field):
    """A sortable count (人口, 户数) shown with thousands separators and exported as the number."""
    return Column(
        label,
        attrgetter(field),
        field,
        (field,),
        html=lambda obj: intcomma(getattr(obj, field)),
        numeric=True,
        export=cell(field),
    )


def _active_badge(obj):
    if obj.is_active:
        return format_html('<span class="badge text-bg-success">{}</span>', _("启用"))
    return format_html('<span class="badge text-bg-secondary">{}</span>', _("已停用"))


def active_column():
    """The 状态 column of records that can be deactivated: a badge on the page, 是/否 in the export."""
    return Column(
        _("状态"),
        lambda obj: "是" if obj.is_active else "否",
        html=_active_badge,
        export=cell("is_active", value=lambda active: "是" if active else "否"),
    )


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
    headers, cells = spec.exported()
    rows = export_rows(state.rows, cells)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={
            "list": spec.audit_list or spec.export_name,
            "rows": len(rows),
            "filters": audited_filters(request.GET, state.filterset),
        },
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
