"""estimate, import_roster, export_roster: the same code as the pages, from a terminal."""

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from budget import rules as engine
from schools.models import RosterRow
from schools.realdata import roster_records
from tests.conftest import record, roster_bytes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def national_file(tmp_path) -> Path:
    path = tmp_path / "national.xlsx"
    path.write_bytes(roster_bytes(roster_records(), county_label="全國"))
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_estimate_json_of_the_national_roster(national_file):
    out, _ = run("estimate", str(national_file), "--json")
    report = json.loads(out)
    records = roster_records()
    # 3,633 rows of the MOE's open data, less the 25 rows of 國立 schools (not a county's).
    assert len(report["rows"]) == len(records) == 3608
    assert len(report["counties"]) == 22
    first = report["rows"][0]
    assert set(first) >= {"code", "level", "area", "remote", "carts", "teacher_devices", "student_devices", "complies"}
    assert [r["code"] for r in report["rows"]] == [r["code"] for r in records]  # file order
    assert all(r["complies"] is True for r in report["rows"])
    for key in ("carts", "teacher_devices", "student_devices"):
        assert sum(c[key] for c in report["counties"]) == report["totals"][key] == sum(r[key] for r in report["rows"])
    assert report["totals"]["schools"] == len({r["code"] for r in records})
    totals = report["totals"]
    assert totals["device_amount_ntd"] == (totals["teacher_devices"] + totals["student_devices"]) * 13_000
    assert totals["cart_amount_ntd"] == totals["carts"] * 50_000
    kaohsiung = next(c for c in report["counties"] if c["county"] == "高雄市")
    staff = engine.entitled_staffing(kaohsiung["schools"], engine.RULES_111)
    assert kaohsiung["staffing"] == {
        "counselors": staff.counselors,
        "it": staff.it_staff,
        "admin": staff.admin_staff,
        "amount_ntd": staff.amount_ntd,
    }
    assert kaohsiung["operating_fee_ntd"] == engine.operating_fee(kaohsiung["schools"], engine.RULES_111)
    assert RosterRow.objects.count() == 0  # estimate writes nothing


@pytest.mark.django_db
def test_estimate_of_the_worked_example(tmp_path):
    path = tmp_path / "one.xlsx"
    path.write_bytes(
        roster_bytes(
            [
                record(),
                record(
                    code="154602", req_carts=None, req_teacher_devices=None, req_student_devices=None, compliance=None
                ),
            ]
        )
    )
    report = json.loads(run("estimate", str(path), "--json")[0])
    assert report["rows"][0] | {"row": None} == {
        "row": None,
        "code": "154601",
        "level": "國小",
        "county": "花蓮縣",
        "area": "一般",
        "remote": False,
        "carts": 4,
        "teacher_devices": 8,
        "student_devices": 112,
        "complies": True,
    }
    assert report["rows"][1]["complies"] is None
    assert report["counties"] == [
        {
            "county": "花蓮縣",
            "schools": 2,
            "carts": 8,
            "teacher_devices": 16,
            "student_devices": 224,
            "staffing": {"counselors": 1, "it": 1, "admin": 1, "amount_ntd": 2_150_000},
            "operating_fee_ntd": 1_000_000,
        }
    ]
    table, _ = run("estimate", str(path))
    assert "154601" in table and "2,150,000" in table


@pytest.mark.django_db
def test_estimate_and_import_refuse_a_bad_file_listing_every_error(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(roster_bytes([record(classes=-2), record(code="154602", level="幼兒園")]))
    for command in ("estimate", "import_roster"):
        err = io.StringIO()
        with pytest.raises(CommandError, match="檔案有 2 個錯誤"):
            call_command(command, str(path), stdout=io.StringIO(), stderr=err)
        lines = err.getvalue().splitlines()
        assert lines == [
            "第 5 列，班級數（I 欄）：不可為負數（填了 -2）",
            "第 6 列，學制（B 欄）：「幼兒園」不是可用的值（應為國小或國中）",
        ]
    assert RosterRow.objects.count() == 0


@pytest.mark.django_db
def test_import_then_export_by_command(tmp_path, county_a_records):
    source = tmp_path / "hualien.xlsx"
    source.write_bytes(roster_bytes(county_a_records))
    out, _ = run("import_roster", str(source), "--year", "111")
    assert f"已匯入 {len(county_a_records)} 列" in out and f"新增 {len(county_a_records)}" in out
    target = tmp_path / "out.xlsx"
    out, _ = run("export_roster", "--year", "111", "--county", "花蓮縣", "--out", str(target))
    assert f"已匯出 {len(county_a_records)} 列" in out
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A2"].value == "111年花蓮縣國民中小學名單"
    out, _ = run("import_roster", str(target))
    assert f"不變 {len(county_a_records)}" in out


@pytest.mark.django_db
def test_commands_name_what_is_wrong_with_their_arguments(tmp_path):
    with pytest.raises(CommandError, match="找不到檔案"):
        run("estimate", str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError, match="沒有 120 年度的計畫"):
        run("estimate", str(tmp_path / "missing.xlsx"), "--year", "120")
    with pytest.raises(CommandError, match="不是 22 個縣市之一"):
        run("export_roster", "--county", "火星市", "--out", str(tmp_path / "x.xlsx"))


def test_a_bad_file_never_ends_in_a_traceback(migrated_sqlite, tmp_path):
    cases = {
        "bad.xlsx": roster_bytes([record(students=-1)]),
        "empty.xlsx": b"",
        "text.xlsx": b"hello",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        for command in ("estimate", "import_roster"):
            done = subprocess.run(
                [sys.executable, "manage.py", command, str(path)],
                cwd=ROOT,
                env=migrated_sqlite,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 1, (name, command, done.stderr)
            assert "Traceback" not in done.stderr
            assert "第 " in done.stderr or "檔案" in done.stderr


def test_estimate_as_a_whole_process_prints_json(migrated_sqlite, tmp_path):
    path = tmp_path / "one.xlsx"
    path.write_bytes(roster_bytes([record()]))
    done = subprocess.run(
        [sys.executable, "manage.py", "estimate", str(path), "--json"],
        cwd=ROOT,
        env=migrated_sqlite,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["totals"]["student_devices"] == 112
