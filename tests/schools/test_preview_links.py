"""The roster preview (issue 14): each error links to its row in the preview table and shows
the value the file had; the confirm button sits in the summary; a file that changes nothing
says so instead of offering 「確認匯入」."""

import re

import pytest
from django.urls import reverse

from portal.models import PendingUpload
from tests.conftest import client_for, record, roster_bytes
from tests.schools.test_views import load, text, upload

pytestmark = pytest.mark.django_db


def test_each_error_links_to_its_row_and_shows_the_refused_value(officer_a, plan_year):
    client = client_for(officer_a)
    records = [record(code=f"{154600 + i:06d}") for i in range(1, 60)]
    records[55] = record(code="154656", classes="二十")  # on the preview's second page (50 rows a page)
    page = client.get(upload(client, roster_bytes(records))["Location"]).content.decode()
    link = re.search(r'<a href="\?page=(\d+)#row-(\d+)"[^>]*>(\d+)</a>', page)
    assert link, "the error's row number links to the preview row"
    page_number, anchor, shown = link.groups()
    assert page_number == "2" and anchor == shown
    assert '<span class="refused-value">二十</span>' in page
    second = client.get(reverse("roster_import_preview", args=[PendingUpload.objects.get().pk]) + "?page=2")
    assert f'id="row-{anchor}"' in second.content.decode()


def test_the_confirm_button_sits_in_the_summary_above_the_rows(officer_a, plan_year):
    client = client_for(officer_a)
    page = text(client.get(upload(client, roster_bytes([record(), record(code="154602")]))["Location"]))
    summary = page.index('id="summary"')
    assert summary < page.index("確認匯入 2 列") < page.index('id="rows"')


def test_a_file_that_changes_nothing_says_so(officer_a, plan_year):
    records = [record(), record(code="154602")]
    load(plan_year, records)
    client = client_for(officer_a)
    page = text(client.get(upload(client, roster_bytes(records))["Location"]))
    assert "這份檔案與目前資料相同，沒有需要匯入的變更" in page
    upload_obj = PendingUpload.objects.get()
    assert "確認匯入 2 列" not in page and reverse("roster_import_confirm", args=[upload_obj.pk]) not in page


@pytest.mark.parametrize(("who", "status"), [("officer_b", 404), ("school_user_a", 403), ("reviewer", 403)])
def test_others_do_not_see_the_preview(school_user_a, officer_b, reviewer, officer_a, plan_year, who, status, request):
    client = client_for(officer_a)
    location = upload(client, roster_bytes([record(code="154602", classes="二十")]))["Location"]
    assert client_for(request.getfixturevalue(who)).get(location).status_code == status
    assert client_for(None).get(location).status_code == 302
