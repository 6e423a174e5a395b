from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from .models import Township


def bootstrapify(form):
    """Give every widget Bootstrap's class, so templates can render fields plainly. A compact
    form is a list page's filter form: its selects also get the filter wording (``label_filter_choices``)."""
    if getattr(form, "compact", False):
        label_filter_choices(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select form-select-sm" if getattr(form, "compact", False) else "form-select"
        else:
            css = "form-control form-control-sm" if getattr(form, "compact", False) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


def label_filter_choices(form):
    """A filter select's empty choice reads 全部 (not "---------" or 未知): choosing it filters
    nothing. A yes/no filter offers 全部 / 是 / 否. Only the labels change; the submitted values
    (``unknown``/``true``/``false``, a blank) stay what the FilterSet and the API parse."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect | BooleanWidget):
            widget.choices = [(value, _YES_NO.get(value, _("全部"))) for value, _label in widget.choices]
        elif getattr(field, "empty_label", None) is not None:
            # ModelChoiceField and django-filter's ChoiceField read empty_label as they list their
            # choices; the widget's list is handed over again because a copied form's widget may
            # still list through the field it was copied from.
            field.empty_label = _("全部")
            widget.choices = field.choices
    return form


_YES_NO = {"true": _("是"), "false": _("否")}


class BootstrapModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。注意：连续输错 5 次，账户将被锁定 15 分钟。"),
        "inactive": _("此账户已停用。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        bootstrapify(self)


class TownshipForm(BootstrapModelForm):
    class Meta:
        model = Township
        fields = ["name", "kind", "division_code", "sort_key"]
