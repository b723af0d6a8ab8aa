"""Issue 13's 「Done when」 in a browser: an MOE user opens 112 from 111 with one class set per 4
classes at 14,000 a device; 花蓮縣's county officer imports the 112 roster and has the 112 plan
rendered as PDF: it says 「每 4 班」 and never 「每 6 班」, its figures follow the new values, its
dates and targets are 112's; the 111 plan's PDF is what it was."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from budget import rules as engine
from budget.selectors import plan_table
from budget.services import plan_for
from reporting.rendering import plan_document, plan_pdf
from schools.exporting import write_roster_workbook
from schools.models import County, PlanYear
from schools.realdata import roster_records
from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD, fill_narrative, load_roster

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def pdf_text(path: str) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(Path(path).read_bytes())).pages))


def download(page, button: str, link: str) -> str:
    page.get_by_role("button", name=button).click()
    target = page.get_by_role("link", name=link)
    target.wait_for(timeout=90_000)
    with page.expect_download() as info:
        target.click()
    return info.value.path()


def test_the_moe_opens_112_and_the_county_gets_112s_plan(browser, live_server, officer_a, reviewer, tmp_path):
    hualien = County.objects.get(name="花蓮縣")
    year_111 = PlanYear.objects.get(year=111)
    load_roster(year_111, roster_records("花蓮縣"), user=officer_a)
    plan_111 = plan_for(county=hualien, plan_year=year_111)
    fill_narrative(plan_111)
    before = squeeze(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(plan_pdf(plan_document(plan_111, None)))).pages)
    )

    moe = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    county = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    moe_page, county_page = moe.new_page(), county.new_page()
    for page in (moe_page, county_page):
        page.set_default_timeout(20_000)

    # The MOE opens 112 from 111, changing two parameters.
    log_in(moe_page, reviewer.username, PASSWORD)
    moe_page.get_by_role("navigation", name="主選單").get_by_role("link", name="計畫年度").click()
    moe_page.get_by_role("link", name="開啟新的計畫年度").click()
    assert moe_page.get_by_label("新計畫年度（民國）").input_value() == "112"
    assert moe_page.get_by_label("學習載具配發到校期限（device_delivery_deadline）").input_value() == "2023-09-30"
    moe_page.get_by_label("非偏遠地區每幾班補助 1 班學習載具（classes_per_device_class）").fill("4")
    moe_page.get_by_label("每臺學習載具補助（元）（device_unit_price）").fill("14000")
    screenshot(moe_page, "31-open-plan-year")
    moe_page.get_by_role("button", name="開啟新年度").click()
    moe_page.get_by_text(
        "已開啟 112 年度（沿用 111 年度，修改的參數：classes_per_device_class、device_unit_price）"
    ).wait_for()
    moe_page.locator("#rule-classes_per_device_class td.changed").wait_for()
    screenshot(moe_page, "32-rules-112")
    year_112 = PlanYear.objects.get(year=112)
    assert year_112.rule_set.classes_per_device_class == 4 and year_112.rule_set.device_unit_price == 14_000

    # The county officer imports 花蓮縣's 附錄 for 112.
    records = roster_records("花蓮縣", year_112.rule_set)
    roster = tmp_path / "112年花蓮縣國民中小學名單.xlsx"
    roster.write_bytes(
        write_roster_workbook(
            records, plan_year=112, county_label="花蓮縣", survey_year=111, rule_set=year_112.rule_set
        )
    )
    log_in(county_page, officer_a.username, PASSWORD)
    county_page.get_by_role("link", name="上傳附錄名單").first.click()
    county_page.get_by_label("計畫年度").select_option("112")
    county_page.get_by_label("附錄名單檔案").set_input_files(str(roster))
    county_page.get_by_role("button", name="上傳並檢查").click()
    county_page.get_by_role("button", name=f"確認匯入 {len(records)} 列").click()
    county_page.get_by_text(f"已匯入 {len(records)} 列").first.wait_for()

    # The 112 plan page says what 112 is, and its PDF prints it.
    county_page.get_by_role("navigation", name="主選單").get_by_role("link", name="縣市計畫").click()
    county_page.get_by_role("heading", name=re.compile("112年花蓮縣國民中小學實施計畫")).wait_for()
    county_page.get_by_text("非偏遠學校每 4 班補助 1 班學習載具、每臺 14,000 元").wait_for()
    screenshot(county_page, "33-plan-112")
    text = pdf_text(download(county_page, "產製計畫書 PDF（目前資料）", "下載 112年花蓮縣國民中小學實施計畫_草稿.pdf"))
    assert "每4班配發1班學習載具" in text and "每4班配發1班載具" in text
    assert "每6班" not in text
    assert "112年2月1日起至112年12月31日止" in text and "預計112年9月前完成相關作業" in text
    assert "累計培訓教師數112年可達所有教師數50%" in text and "培訓教師人數達縣市所有教師總數50%" in text
    assert "111年班級數" in text and "110、111年已受補助數" in text
    plan_112 = plan_for(county=hualien, plan_year=year_112)
    table = plan_table(plan_112)
    students = table.line(engine.LINE_STUDENT_DEVICES)
    assert students.capital_ntd == students.requested * 14_000
    assert f"{students.requested:,}由附錄彙總0{students.capital_k:,}{students.total_k:,}" in text
    assert f"購置學習載具總臺數{table.line(1).requested + students.requested:,}臺" in text

    # 111's plan is what it was.
    county_page.goto(f"/plans/111/{hualien.code}/")
    after = pdf_text(download(county_page, "產製計畫書 PDF（目前資料）", "下載 111年花蓮縣國民中小學實施計畫_草稿.pdf"))
    assert after == before and "每6班配發1班學習載具" in after and "每4班" not in after
    moe.close()
    county.close()
