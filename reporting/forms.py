from django import forms

from reporting.models import ExportJob


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=ExportJob.Kind.choices)
    year = forms.IntegerField(min_value=100, max_value=200)
    county = forms.CharField(max_length=2, required=False)
    submission = forms.IntegerField(min_value=1, required=False)
    draft = forms.BooleanField(required=False)
