"""What every list page does the same way: filter with the shared FilterSet, sort by a
whitelist, page, and hand the same filtered rows to the Excel export."""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

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
