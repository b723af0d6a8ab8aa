"""Form pieces every app's forms share."""

import datetime

from django import forms

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
