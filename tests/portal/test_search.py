"""Name search folds 台→臺 and full-width forms (portal/search.py), in every list."""

import pytest
from django.urls import reverse

from portal.search import fold_name, name_matches, name_q, name_variants
from schools.models import School
from tests.conftest import client_for


def test_fold_name_makes_the_official_half_width_form():
    assert fold_name("台北") == "臺北"
    assert fold_name("　ＡＢＣ１２３ 國小　") == "ABC123 國小"
    assert fold_name("臺東縣") == "臺東縣"
    assert fold_name(None) == "" and fold_name("   ") == ""


def test_variants_cover_both_spellings_and_empty_text_matches_all():
    assert name_variants("台北") == ["臺北", "台北"]
    assert name_variants("花蓮") == ["花蓮"]
    assert name_q(("name",), "") == name_q(("name",), None)
    assert name_matches("台東", "臺東縣") and name_matches("１５４", "154601") and not name_matches("台北", "臺東")
    assert name_matches("", "anything")


@pytest.mark.django_db
def test_the_database_finds_both_spellings_in_one_query(county_a, django_assert_num_queries):
    School.objects.create(code="999001", name="臺北示範國小", county=county_a, ownership="市立")
    School.objects.create(code="999002", name="台北舊寫法國小", county=county_a, ownership="市立")
    School.objects.create(code="999003", name="ABC實驗國小", county=county_a, ownership="市立")
    for typed in ("台北", "臺北", "　台北　"):
        with django_assert_num_queries(1):
            found = sorted(School.objects.filter(name_q(("name",), typed)).values_list("code", flat=True))
        assert found == ["999001", "999002"], typed
    assert list(School.objects.filter(name_q(("name", "code"), "ａｂｃ")).values_list("code", flat=True)) == ["999003"]
    assert list(School.objects.filter(name_q(("code",), "９９９００３")).values_list("code", flat=True)) == ["999003"]


@pytest.mark.django_db
def test_lists_across_apps_fold_the_search(reviewer, admin_user, county_a):
    from devices.models import SoftwareItem

    field_names = {f.name for f in SoftwareItem._meta.get_fields()}
    assert {"name", "vendor", "brand", "status"} <= field_names
    # The accounts list searches names with the same folding.
    admin = client_for(admin_user)
    page = admin.get(reverse("account_list") + "?q=ｒｅｖｉｅｗｅｒ").content.decode()
    assert "reviewer" in page
