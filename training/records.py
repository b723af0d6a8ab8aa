"""The office's simple records (staff, groups, members, visits, help requests, promotion,
meetings, public lessons, key schools, sessions): what each page lists and edits.

The pages for all of them are the same four views (list, create, edit, delete) in
`training.views`; this module says, for each kind of record, its model, form fields,
columns and search fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.roc import roc_date
from training import models as m
from training.forms import form_for


def _display(name: str) -> Callable:
    return lambda obj: getattr(obj, f"get_{name}_display")()


def _attr(name: str) -> Callable:
    def read(obj):
        value = obj
        for part in name.split("."):
            value = getattr(value, part) if value is not None else None
        return "" if value is None else value

    return read


def _date(name: str) -> Callable:
    return lambda obj: roc_date(getattr(obj, name))


def _num(name: str) -> Callable:
    return lambda obj: f"{getattr(obj, name):,}"


def _short(name: str, length: int = 40) -> Callable:
    def read(obj):
        text = getattr(obj, name) or ""
        return text if len(text) <= length else text[: length - 1] + "…"

    return read


@dataclass(frozen=True)
class RecordType:
    slug: str
    model: type
    title: str
    fields: tuple[str, ...]
    columns: tuple[tuple[str, Callable], ...]
    search: tuple[str, ...] = ()
    related: tuple[str, ...] = ("county",)
    panel: str = ""
    """A template shown above the list (targets, gaps, budget figures)."""
    help: str = ""
    school_bound: bool = False

    @property
    def form_class(self):
        return form_for(self.model, self.fields)

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name


SCHOOL_COLUMN = ("學校", lambda obj: f"{obj.school.code} {obj.school.name}")

RECORD_TYPES: dict[str, RecordType] = {
    t.slug: t
    for t in (
        RecordType(
            "staff",
            m.OfficeStaff,
            "推動辦公室人力",
            ("kind", "name", "full_time", "months", "note"),
            (
                ("類別", _display("kind")),
                ("姓名", _attr("name")),
                ("專／兼任", lambda o: "專任" if o.full_time else "兼任"),
                ("聘用月數", _attr("months")),
                ("備註", _attr("note")),
            ),
            search=("name", "note"),
            panel="training/_staff_panel.html",
            help="本計畫補助之專（兼）任人力，須以執行本計畫數位學習相關工作為限（五(四)1(3)）。",
        ),
        RecordType(
            "groups",
            m.WorkingGroup,
            "工作分組",
            ("name", "duties"),
            (("分組", _attr("name")), ("工作職掌", _short("duties", 80))),
            search=("name", "duties"),
            help="建議依工作職掌分組，例如行政推動、資訊網路、教學與增能等（五(四)1(2)）。",
        ),
        RecordType(
            "members",
            m.OfficeMember,
            "推動辦公室成員",
            ("kind", "name", "affiliation", "group"),
            (
                ("類別", _display("kind")),
                ("姓名", _attr("name")),
                ("服務單位／職稱", _attr("affiliation")),
                ("分組", _attr("group.name")),
            ),
            search=("name", "affiliation"),
            related=("county", "group"),
            help="縣市政府跨單位代表、具經驗教師、數位學習專家與學者、教育部委託輔導團隊之計畫主持人或協同主持人等（五(四)1(1)）。",
        ),
        RecordType(
            "visits",
            m.SchoolVisit,
            "到校輔導",
            ("visited_on", "kind", "findings", "help_given", "follow_up"),
            (
                ("日期", _date("visited_on")),
                SCHOOL_COLUMN,
                ("類別", _display("kind")),
                ("發現", _short("findings")),
                ("協助與輔導", _short("help_given")),
                ("後續追蹤", _short("follow_up")),
            ),
            search=("school__name", "school__code", "findings", "help_given"),
            related=("school__county",),
            school_bound=True,
            help="了解學校使用數位工具輔助教學與學習情形、執行困難與問題，提供必要協助與輔導（五(四)2(2)A）。",
        ),
        RecordType(
            "requests",
            m.HelpRequest,
            "求助案件",
            ("requester", "received_on", "subject", "description", "status", "response", "closed_on"),
            (
                ("受理日期", _date("received_on")),
                ("求助者", _display("requester")),
                ("學校", lambda o: o.school.name if o.school else "—"),
                ("主旨", _attr("subject")),
                ("狀態", _display("status")),
                ("處理情形", _short("response")),
                ("結案日期", _date("closed_on")),
            ),
            search=("subject", "description", "response", "school__name"),
            related=("county", "school"),
            help="教師、家長與學生（例如居家學習期間）的求助，追蹤至結案。",
        ),
        RecordType(
            "promotions",
            m.Promotion,
            "推廣活動與獎勵",
            ("kind", "title", "held_on", "participants", "schools", "note"),
            (
                ("日期", _date("held_on")),
                ("類別", _display("kind")),
                ("活動名稱", _attr("title")),
                ("參與人次", _num("participants")),
                ("參與校數", _num("schools")),
            ),
            search=("title", "note"),
            panel="training/_promotion_panel.html",
            help="跨校交流、成果展、獎勵措施（教師社群、績優教案）及學生數位素養推廣活動與競賽（五(四)2(1)D、F）。",
        ),
        RecordType(
            "meetings",
            m.WorkingMeeting,
            "工作會議",
            ("held_on", "topic", "invited_roles"),
            (
                ("日期", _date("held_on")),
                ("主題", _attr("topic")),
                ("邀請與會人員", _attr("invited_roles")),
                ("會議紀錄", lambda o: o.minutes_name or "未上傳"),
            ),
            search=("topic", "invited_roles"),
            panel="training/_meeting_panel.html",
            help="定時召開工作會議，每月至少 1 次為原則（五(四)2(1)A）。",
        ),
        RecordType(
            "lessons",
            m.PublicLesson,
            "公開觀議課",
            ("held_on", "teacher", "subject", "note"),
            (
                ("日期", _date("held_on")),
                SCHOOL_COLUMN,
                ("授課教師", _attr("teacher")),
                ("科目／領域", _attr("subject")),
                ("說明", _attr("note")),
            ),
            search=("school__name", "school__code", "teacher", "subject"),
            related=("school__county",),
            school_bound=True,
            panel="training/_lesson_panel.html",
            help="每校每年至少須辦理 1 場數位學習模式之公開觀議課（五(四)2(1)B）。",
        ),
        RecordType(
            "designations",
            m.SchoolDesignation,
            "重點學校與典範學校",
            ("kind", "plan_text"),
            (SCHOOL_COLUMN, ("類型", _display("kind")), ("推動計畫", _short("plan_text", 80))),
            search=("school__name", "school__code", "plan_text"),
            related=("school__county",),
            school_bound=True,
            panel="training/_designation_panel.html",
            help="重點學校數約為總校數 5%，協助縣市建立學校社群、推廣數位學習、辦理教師研習及成效評估（五(四)2(1)E）。",
        ),
        RecordType(
            "sessions",
            m.TrainingSession,
            "研習場次",
            (
                "code",
                "kind",
                "title",
                "held_on",
                "hours",
                "place",
                "capacity",
                "open_to_other_schools",
                "substitute_periods_elementary",
                "substitute_periods_junior",
            ),
            (
                ("研習代碼", _attr("code")),
                ("日期", _date("held_on")),
                ("類別", _display("kind")),
                ("研習名稱", _attr("title")),
                ("時數", _attr("hours")),
                ("地點", _attr("place")),
                ("名額", _num("capacity")),
                (
                    "代理代課節數（國小／國中）",
                    lambda o: f"{o.substitute_periods_elementary:,}／{o.substitute_periods_junior:,}",
                ),
            ),
            search=("code", "title", "place"),
            panel="training/_session_panel.html",
            help="培訓對象包括縣（市）立及私立國民中小學教師與資訊組長，並開放國立國民中小學教師參加（五(四)2(2)B）。",
        ),
    )
}
