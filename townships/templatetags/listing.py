from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.filter
def user_name(user, absent=None):
    """A user as people read them: their name. No user (an account deleted since) shows
    ``absent``, by default "（已删除的用户）"; never an error, never the account name."""
    if user is None or user == "":
        return absent if absent is not None else _("（已删除的用户）")
    return user.display_name
