"""個資: borrower and trainee identifiers refuse names and national IDs."""

import pytest

from portal.identifiers import personal_identifier_problem
from training.models import teacher_code_problem


@pytest.mark.parametrize(
    "value",
    [
        "王小明",
        "歐陽 小明",
        "瓦歷斯·諾幹",
        "Wang Xiao-Ming",
        "xiaoming.wang",
        "Chen",
        "A123456789",
        "a 123-456-789",
        "Ａ１２３４５６７８９",
        "FC12345678",
    ],
)
def test_names_and_national_ids_are_refused(value):
    assert personal_identifier_problem(value)


@pytest.mark.parametrize("value", ["701-15", "B-02", "X", "L1", "IT01", "T001", "S12345", "借用證 23", "3年2班12號"])
def test_codes_pass(value):
    assert personal_identifier_problem(value) == ""


def test_trainee_codes_refuse_latin_names_too():
    assert "姓名" in teacher_code_problem("WangXiaoMing")
    assert "身分證" in teacher_code_problem("A123456789")
    assert teacher_code_problem("T001") == ""
