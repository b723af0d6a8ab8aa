"""Demo data of the plan: 附件1 written as a county would, so the plan can be submitted."""

from budget.models import PlanNarrative
from budget.selectors import plan_narrative, plan_table
from budget.services import plan_for

TEXT = {
    "organization": "由教育處長擔任召集人，下設行政推動組、資訊網路組、教學與增能組；成員含處內各科代表、輔導人力 3 人、資訊人力 3 人、行政人力 2 人、具經驗教師 6 人及東華大學教授 2 人。",
    "promotion_plan": "每學期辦理跨校數位教學觀摩 2 場；12 月辦理成果展，並徵選績優教案 20 件，給予敘獎。",
    "key_schools_plan": "遴選曾參與行動學習計畫之學校為重點學校，每校每年辦理校內外研習 2 場、公開課 2 場，並協助鄰近學校。",
    "literacy_activities": "配合教育部全民資安自我評量與國際運算思維挑戰賽，每校至少 1 班參加；辦理全縣網路素養海報比賽。",
    "literacy_training_plan": "辦理網路識讀、隱私保護、資訊安全研習各 3 場，每場 40 人，合計 360 人。",
    "it_staff_training_plan": "辦理資訊組長增能研習 2 場，內容含校園網路、MDM 管理與平臺帳號問題處理。",
    "usage_assurance": "平臺使用時數月報、載具盤點與到校訪視",
    "evaluation_mechanism": "每學期對抽樣班級實施國語、數學前後測，比較使用數位學習平臺前後之成績。",
    "lending_rules": "載具由學校財產管理，學生借用須家長簽署同意書，以學校自訂借用編號登記，不登錄學生姓名；逾期未還由導師協助追蹤。",
    "software_management": "由縣市統一採購教育部推薦品項，經課程發展委員會決議後分配各校，年底調查使用情形。",
    "improved_share_percent": 30,
    "improved_subjects": "國語、數學",
    "wireless_classes": 980,
    "learning_support_share_percent": 60,
    "qualitative_indicators": "教師能運用載具實施差異化教學；學生自主學習習慣提升；家長對數位學習之認同提高。",
}


def seed(*, county, plan_year, users) -> str:
    plan = plan_for(county=county, plan_year=plan_year)
    _explain_roster_lines(plan)
    narrative = plan_narrative(plan)
    if not narrative.missing_fields():
        return ""
    for name, value in TEXT.items():
        setattr(narrative, name, value)
    narrative.save()
    assert not narrative.missing_fields(), PlanNarrative.REQUIRED
    return f"已填寫{county.name}計畫內容（附件1）示範文字"


def _explain_roster_lines(plan) -> None:
    """Lines 1-3 ask what the 附錄 asks; where some schools ask fewer than their entitlement the
    county says why, as the demo's rows do."""
    table = plan_table(plan)
    for line in plan.lines.filter(number__in=(1, 2, 3), explanation=""):
        if table.line(line.number).differs_from_estimate:
            line.explanation = "附錄中部分學校已有自購載具，申請數少於依原則計算之數（原因詳附錄）"
            line.save(update_fields=["explanation"])
