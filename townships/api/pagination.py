from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, bounded so no request can ask for everything."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class KnownCount:
    """A queryset whose row count the caller already has (e.g. from the aggregate behind an ETag),
    so paginating it costs the page's query alone."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count
        self.ordered = queryset.ordered

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]
