"""A fifth import needs its columns, its check and write, a registration and one line of
URLs: the pages, the preview, the confirm-once and the refusals are the pipeline's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import PendingUpload
from tests.conftest import client_for, record
from tests.conftest import load_roster as load
from tests.imports import toy
from tests.reporting.conftest import usage_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def toy_urls(settings):
    settings.ROOT_URLCONF = "tests.imports.toy_urls"
    toy.WRITTEN.clear()


def test_a_fifth_import_works_through_the_generic_pages(plan_year, officer_a, county_b):
    load(plan_year, [record(code="154601")])
    load(plan_year, [record(code="144601", county="臺東縣")], county_label="臺東縣")
    client = client_for(officer_a)
    assert "上傳學校備註" in client.get(reverse("toy_import")).content.decode()

    bad = usage_csv([("144601", "別縣市")], header=("學校代碼", "備註"))
    response = client.post(reverse("toy_import"), {"file": SimpleUploadedFile("n.csv", bad)})
    page = client.get(response["Location"]).content.decode()
    assert "有 1 個錯誤" in page and "看不到學校 144601" in page

    good = usage_csv([("154601", "準時"), ("154601", "=1+1")], header=("學校代碼", "備註"))
    response = client.post(reverse("toy_import"), {"file": SimpleUploadedFile("n.csv", good)})
    assert "確認匯入 2 筆" in client.get(response["Location"]).content.decode()
    upload = PendingUpload.objects.latest("pk")
    done = client.post(reverse("toy_import_confirm", args=[upload.pk]), follow=True)
    assert "已匯入 2 筆" in done.content.decode()
    again = client.post(reverse("toy_import_confirm", args=[upload.pk]), follow=True)
    assert "這份檔案已經匯入（或正在匯入）" in again.content.decode()
    assert toy.WRITTEN == [[("154601", "準時"), ("154601", "=1+1")]]


def test_its_access_is_its_own(plan_year, school_user_a):
    assert client_for(school_user_a).get(reverse("toy_import")).status_code == 403
