from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, bounded so no request can ask for everything."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
