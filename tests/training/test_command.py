import pytest
from django.core.management import CommandError, call_command

from tests.training.conftest import sheet_bytes
from tests.training.factories import make_session
from training.models import Attendance

pytestmark = pytest.mark.django_db


def test_the_command_imports_all_or_nothing(plan_year, county_a, roster_ab, tmp_path, capsys):
    make_session(plan_year, county_a, code="A1-1")
    good = tmp_path / "good.xlsx"
    good.write_bytes(sheet_bytes([["A1-1", "154601", "T1", ""], ["A1-1", "154602", "T2", ""]]))
    call_command("import_attendance", str(good), "--county", "花蓮縣")
    assert "新增 2" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet_bytes([["A1-1", "154601", "T3", ""], ["A1-9", "154601", "T4", ""]]))
    with pytest.raises(CommandError, match="有 1 個錯誤"):
        call_command("import_attendance", str(bad), "--county", "花蓮縣")
    assert "第 3 列" in capsys.readouterr().err
    assert Attendance.objects.count() == 2
