"""QuickSelect writes the same <select> as Django's template-rendered one (it only skips the
two template includes an <option> costs)."""

import re

from django import forms

from portal.forms import QuickSelect

CHOICES = [("", "全部"), ("x<", "甲&"), ("群組", [("1", "一"), ("2", "二")]), ("y", "乙")]


class Both(forms.Form):
    django = forms.ChoiceField(choices=CHOICES, required=False, widget=forms.Select(attrs={"aria-label": "縣市"}))
    quick = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect(attrs={"aria-label": "縣市"}))


def markup(form: forms.Form, name: str) -> str:
    return re.sub(r"\s+", " ", str(form[name])).replace(f'"{name}"', '"NAME"').replace(f'"id_{name}"', '"ID"')


def test_the_markup_is_django_s_for_every_state():
    for data in ({}, {"django": "x<", "quick": "x<"}, {"django": "2", "quick": "2"}):
        form = Both(data or None)
        quick, django = markup(form, "quick"), markup(form, "django")
        assert quick.replace("> <", "><") == django.replace("> <", "><").replace(" >", ">")
    assert 'value="x&lt;" selected>甲&amp;</option>' in markup(Both({"quick": "x<"}), "quick")
