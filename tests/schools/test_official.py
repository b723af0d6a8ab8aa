"""The MOE's statistics in the portal: the command, the import preview's warnings, the
findings page and the review, the county's answers, who may do what."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from budget.services import plan_for, plan_submit
from portal.models import PendingUpload
from reporting.management.commands.seed_demo import demo_records
from schools.demo import load_realdata_statistics
from schools.models import FindingAnswer, OfficialRemoteSchool, OfficialSchoolFigures, OfficialSource, RosterRow
from schools.official import roster_findings
from schools.realdata import ELEMENTARY_FILE, REMOTE_FILE, roster_records
from tests.conftest import COUNTY_A, ROOT, client_for, fill_narrative, load_roster, record, roster_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistics(db):
    load_realdata_statistics()


@pytest.fixture
def demo_roster(plan_year, statistics, county_a):
    load_roster(plan_year, demo_records(plan_year))


def test_the_command_records_source_and_licence_and_replaces_a_reload(tmp_path, capsys):
    call_command("load_official_statistics", str(ELEMENTARY_FILE), "--source", "data.gov.tw 6240")
    assert "2,668 校" in capsys.readouterr().out
    source = OfficialSource.objects.get()
    assert (source.kind, source.year, source.rows, source.source) == ("basec", 110, 2668, "data.gov.tw 6240")
    assert source.licence == "政府資料開放授權條款－第1版" and len(source.sha256) == 64
    assert OfficialSchoolFigures.objects.filter(school_year=110, level="國小").count() == 2668
    # The derived largest class is the roster's (the real roster built from the same file has no finding).
    built = {(r["code"], r["level"]): r for r in roster_records(COUNTY_A)}
    for figures in OfficialSchoolFigures.objects.filter(county=COUNTY_A):
        if (figures.code, figures.level) not in built:
            # 國立 schools are in the statistics but in no county's roster (issue 13).
            assert figures.code[2] == "0", figures.code
            continue
        row = built[(figures.code, figures.level)]
        assert (figures.classes, figures.students, figures.teachers, figures.max_class_size) == (
            row["classes"],
            row["students"],
            row["teachers"],
            row["max_class_size"],
        )
    small = tmp_path / "basec.csv"
    lines = ELEMENTARY_FILE.read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")
    call_command("load_official_statistics", str(small))
    assert OfficialSchoolFigures.objects.filter(school_year=110, level="國小").count() == 10
    assert OfficialSource.objects.count() == 2


def test_a_big5_remote_list_needs_its_year(tmp_path):
    big5 = tmp_path / "faraway.csv"
    big5.write_bytes(REMOTE_FILE.read_text(encoding="utf-8").encode("cp950", errors="replace"))
    with pytest.raises(CommandError, match="未載入任何資料"):
        call_command("load_official_statistics", str(big5))
    call_command("load_official_statistics", str(big5), "--year", "111")
    assert OfficialRemoteSchool.objects.filter(year=111).count() == 1138
    assert OfficialRemoteSchool.objects.get(code="014661").grade == "特偏"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "空"),
        (b"%PDF-1.4 not a table", "不是 Excel"),
        ("學年度,學校代碼,學校名稱\n110,014630,插角國小\n".encode(), "看不出是"),
        (
            "學年度,學校代碼,學校名稱,1年級班級數,班級數,學生數,男專任教師\n110,014630,x,2,十二,1,1\n".encode(),
            "不是數字",
        ),
        (
            "學年度,學校代碼,學校名稱,1年級班級數,班級數,學生數,男專任教師\n110,014630,x,2,12,1,1\n111,014631,y,2,12,1,1\n".encode(),
            "多個學年度",
        ),
    ],
)
def test_a_bad_file_is_refused_whole_with_its_reason(tmp_path, content, reason, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("load_official_statistics", str(path))
    assert reason in capsys.readouterr().err or (reason == "空" and not content)
    assert not OfficialSource.objects.exists() and not OfficialSchoolFigures.objects.exists()


def test_the_command_as_a_process_fails_cleanly(migrated_sqlite, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nothing here\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "load_official_statistics", str(path)],
        cwd=ROOT,
        env=migrated_sqlite,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "找不到標題列" in done.stderr and "Traceback" not in done.stderr


def test_the_import_preview_warns_and_still_imports(plan_year, statistics, officer_a):
    records = [r for r in roster_records(COUNTY_A) if r["code"] in ("154601", "154602")]
    records[0] = {**records[0], "teachers": records[0]["teachers"] * 2}
    client = client_for(officer_a)
    response = client.post(
        reverse("roster_import"),
        {"plan_year": 111, "file": SimpleUploadedFile("名單.xlsx", roster_bytes(records))},
    )
    page = client.get(response["Location"]).content.decode()
    assert "與教育部統計不同" in page and "提醒" in page
    assert "學生數" in page and "與教育部 110 學年度統計" in page and "有 " not in page.split("提醒")[0][-50:]
    assert "確認匯入 2 列" in page  # a warning, not an error
    upload = PendingUpload.objects.get()
    client.post(reverse("roster_import_confirm", args=[upload.pk]))
    assert RosterRow.objects.count() == 2


def test_the_demo_roster_of_hualien_shows_its_findings_in_the_review(
    plan_year, demo_roster, county_a, officer_a, reviewer
):
    plan = plan_for(county=county_a, plan_year=plan_year)
    fill_narrative(plan)
    # The demo roster asks for other counts than its entitlement: lines 1-3 say why (issue 13).
    plan.lines.filter(number__in=(1, 2, 3)).update(explanation="部分學校申請數與計算數不同，見附錄說明")
    plan_submit(plan=plan, user=officer_a)
    page = client_for(reviewer).get(reverse("plan_detail", args=[111, county_a.code])).content.decode()
    assert "名單與教育部 110 學年度統計比對" in page
    report = roster_findings(user=reviewer, plan_year=plan_year, county=county_a)
    kinds = {line.finding.kind for line in report.lines}
    assert kinds == {"students", "max_class_size", "remote", "classes", "teachers", "missing"}
    assert report.money_ntd > 0 and f"{report.money_ntd:,} 元" in page
    remote = next(line for line in report.lines if line.finding.kind == "remote")
    assert f"{remote.finding.money_ntd:,}" in page  # the largest effect is listed first


def test_the_findings_page_sorts_by_money_effect(plan_year, demo_roster, reviewer, county_a):
    client = client_for(reviewer)
    page = client.get(reverse("official_findings"), {"county": county_a.code, "sort": "money"})
    money = [line.finding.money_ntd for line in page.context["page"]]
    assert money == sorted(money, reverse=True) and len(money) == 6
    ascending = client.get(reverse("official_findings"), {"county": county_a.code, "sort": "money_asc"})
    assert [line.finding.money_ntd for line in ascending.context["page"]] == sorted(money)
    only = client.get(reverse("official_findings"), {"kind": "missing"})
    assert [line.finding.code for line in only.context["page"]] == ["154999"]
    assert client.get(reverse("official_findings"), {"sort": "<script>"}).status_code == 200


def test_a_county_answers_its_findings(plan_year, demo_roster, officer_a, county_a):
    client = client_for(officer_a)
    roster = client.get(reverse("roster_list")).content.decode()
    assert "6 項差異" in roster and "查看差異並說明原因" in roster
    response = client.post(
        reverse("official_finding_answer"),
        {
            "year": 111,
            "code": "154999",
            "level": "國小",
            "kind": "missing",
            "reason": "111 學年度新設校，110 年尚無統計",
        },
    )
    assert response.status_code == 302
    answer = FindingAnswer.objects.get()
    assert (answer.county_value, answer.official_value, answer.answered_by) == ("154999", "—", officer_a)
    page = client.get(reverse("official_findings")).content.decode()
    assert "111 學年度新設校" in page
    again = client.post(
        reverse("official_finding_answer"),
        {"year": 111, "code": "154999", "level": "國小", "kind": "missing", "reason": "新設校"},
    )
    assert again.status_code == 302 and FindingAnswer.objects.get().reason == "新設校"
    assert FindingAnswer.history.count() == 2
    assert "已說明 1 項" in client.get(reverse("roster_list")).content.decode()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"reason": ""}, "請寫下差異的原因"),
        ({"reason": "x" * 1001}, "1,000 字"),
        ({"kind": "students"}, "目前沒有這項差異"),
        ({"code": "999999"}, "找不到這一列"),
    ],
)
def test_an_answer_that_cannot_be_kept_says_why(plan_year, demo_roster, officer_a, values, message):
    data = {"year": 111, "code": "154999", "level": "國小", "kind": "missing", "reason": "r"} | values
    response = client_for(officer_a).post(reverse("official_finding_answer"), data, follow=True)
    assert message in response.content.decode() and not FindingAnswer.objects.exists()


def test_another_county_and_the_moe_cannot_answer(school_user_a, plan_year, demo_roster, officer_b, reviewer):
    data = {"year": 111, "code": "154999", "level": "國小", "kind": "missing", "reason": "r"}
    page = client_for(officer_b).post(reverse("official_finding_answer"), data, follow=True).content.decode()
    assert "找不到這一列" in page and "花蓮縣立新城" not in page
    assert client_for(reviewer).post(reverse("official_finding_answer"), data).status_code == 403
    assert client_for(school_user_a).post(reverse("official_finding_answer"), data).status_code == 403
    assert not FindingAnswer.objects.exists()


def test_another_countys_officer_sees_none_of_its_findings(plan_year, demo_roster, officer_b, county_a):
    client = client_for(officer_b)
    page = client.get(reverse("official_findings")).content.decode()
    assert "154999" not in page
    assert client.get(reverse("official_findings"), {"county": county_a.code}).context["county"].name == "臺東縣"


def test_without_statistics_nothing_is_claimed(plan_year, officer_a):
    load_roster(plan_year, [record()])
    page = client_for(officer_a).get(reverse("official_findings")).content.decode()
    assert "尚未載入教育部 110 學年度" in page
    assert "與教育部" not in client_for(officer_a).get(reverse("roster_list")).content.decode()


def test_the_findings_page_queries_do_not_grow_with_rows(
    plan_year, statistics, reviewer, django_assert_max_num_queries
):
    load_roster(plan_year, roster_records(COUNTY_A))
    client = client_for(reviewer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("official_findings")).status_code == 200
