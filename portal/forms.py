"""Form pieces every app's forms share."""

import datetime

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portal.roc import ROC_OFFSET, parse_roc_date


class RocDateField(forms.DateField):
    """Accepts 111/09/05, 1110905, 111年9月5日 or 2022-09-05; shows 111/09/05 (easy to retype)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "111/09/05", "size": 12, "inputmode": "numeric"})
        )
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_roc_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value.year - ROC_OFFSET}/{value.month:02d}/{value.day:02d}"
        return value


class QuickSelect(forms.Select):
    """A <select> written in Python. Django renders every <option> through two template
    includes (~60 µs each): the national roster's filter bar (22 counties and four more lists)
    spent half of its page's time there. Same markup as Django's select.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        option["value"],
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        # Every part came through format_html (escaped) or is a literal closing tag.
        return SafeString("".join(parts))
