from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, field, label):
    """A column header that sorts by ``field``, toggling the direction, keeping the filters."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    descending = current == field
    params["sort"] = f"-{field}" if descending else field
    arrow = ""
    if current == field:
        arrow = " ▲"
    elif current == f"-{field}":
        arrow = " ▼"
    return format_html(
        '<a class="link-dark text-decoration-none" href="?{}">{}{}</a>', params.urlencode(), label, arrow
    )


@register.simple_tag(takes_context=True)
def with_page(context, number):
    params = context["request"].GET.copy()
    params["page"] = number
    return params.urlencode()
