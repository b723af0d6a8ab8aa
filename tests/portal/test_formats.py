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


def test_kilo_ntd_rounds_half_up_with_separators():
    assert render("{{ v|kilo_ntd }}", v=104000000) == "104,000"
    assert render("{{ v|kilo_ntd }}", v=1499) == "1"
    assert render("{{ v|kilo_ntd }}", v=1500) == "2"
    assert render("{{ v|kilo_ntd_unit }}", v=1463000) == "1,463 千元"
    assert render("{{ v|kilo_ntd_unit }}", v=None) == ""


def test_counts_carry_their_unit():
    assert render('{{ v|count:"校" }}', v=3633) == "3,633 校"
    assert render("{{ v|count }}", v=12) == "12"
    assert render('{{ v|count:"校" }}', v=None) == ""


def test_hours_have_no_trailing_zero():
    from decimal import Decimal

    assert render("{{ v|hours }}", v=Decimal("12.5")) == "12.5"
    assert render("{{ v|hours }}", v=Decimal("12.0")) == "12"
    assert render("{{ v|hours }}", v=12) == "12"
    assert render("{{ v|hours }}", v=Decimal("1234.56")) == "1,234.6"
    assert render("{{ v|hours }}", v=Decimal("0.05")) == "0.1"  # half up
    assert render("{{ v|hours }}", v="1,234.0") == "1,234"  # a frozen report's text
    assert render("{{ v|hours }}", v=None) == ""
    # The usage pages' own filter is the same one.
    assert render("{% load reporting_tags %}{{ v|hours }}", v=Decimal("30.0")) == "30"


def test_roc_months_and_days():
    assert render("{{ d|roc_month }}", d=datetime.date(2022, 12, 1)) == "111年12月"
    assert render("{{ d|roc_month }}", d="2022-12") == "111年12月"
    assert render("{{ d|roc_month }}", d=None) == ""
    assert render("{{ d|roc_date }}", d=datetime.date(2026, 12, 5)) == "115年12月5日"
    moment = timezone.make_aware(datetime.datetime(2026, 12, 5, 1, 5), datetime.UTC)
    assert render("{{ d|roc_day }}", d=moment) == "115年12月5日"


def test_diff_values_show_units_and_blanks():
    assert render('{{ v|shown:"元" }}', v=8200) == "8,200 元"
    assert render('{{ v|shown:"千元" }}', v=104000) == "104,000 千元"
    assert render("{{ v|shown }}", v=104000000) == "104,000,000"
    assert render('{{ v|shown:"元" }}', v=None) == "（空白）"
    assert render("{{ v|shown }}", v="") == "（空白）"
    assert render("{{ v|shown }}", v="偏遠") == "偏遠"
    assert render("{{ v|shown }}", v=datetime.date(2022, 9, 30)) == "111年9月30日"


def test_portal_thousands_round_as_the_engine_does():
    # portal imports no app and the engine imports nothing of ours: the one rounding rule is
    # written twice (portal.numbers for display, budget.rules for the engine's 千元 totals).
    from budget import rules as engine
    from portal.numbers import to_thousands

    for ntd in (*range(-3000, 3001, 7), 499, 500, 1499, 1500, -500, -1500, 1_234_500, 4_299_499):
        assert to_thousands(ntd) == engine.to_thousands(ntd), ntd
