import datetime

from django.template import Context, Template
from django.utils import timezone


def render(template: str, **context) -> str:
    return Template(template).render(Context(context))


def test_money_and_counts_use_thousands_separators():
    assert render("{{ v|num }}", v=1234567) == "1,234,567"
    assert render("{{ v|ntd }}", v=4300000) == "4,300,000 元"
    assert render("{{ v|kilo_ntd }}", v=1234500) == "1,235"
    assert render("{{ v|num }}", v=None) == ""


def test_django_intcomma_groups_by_three_in_zh_hant(settings):
    assert settings.LANGUAGE_CODE == "zh-hant"
    assert render("{% load humanize %}{{ v|intcomma }}", v=1234567) == "1,234,567"


def test_dates_are_roc_years():
    assert render("{{ d|roc_date }}", d=datetime.date(2022, 9, 30)) == "111年9月30日"
    moment = timezone.make_aware(datetime.datetime(2022, 2, 1, 1, 5), datetime.UTC)
    assert render("{{ d|roc_date }}", d=moment) == "111年2月1日 09:05"


def test_yes_no():
    assert [render("{{ v|yes_no }}", v=v) for v in (True, False, None)] == ["是", "否", "—"]
