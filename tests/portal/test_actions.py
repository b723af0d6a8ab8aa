"""portal.actions: the one way a page turns a service's refusal or success into its message."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from budget.scenarios import ScenarioRefused
from budget.services import PlanActionRefused
from devices.services import DeviceActionRefused
from portal.actions import Refused, action_done
from reporting.services_monthly import ReportActionRefused


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("refusal", [PlanActionRefused, DeviceActionRefused, ReportActionRefused, ScenarioRefused])
def test_every_refusal_the_pages_show_is_a_refused(refusal):
    request = _request()

    def refuse():
        raise refusal("計畫已送審，不能修改")

    assert action_done(request, refuse, "已儲存。") is False
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("error", "計畫已送審，不能修改")]


def test_success_can_be_made_from_what_the_action_returned():
    request = _request()
    assert action_done(request, lambda: 3, lambda n: f"已新增 {n} 筆。") is True
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("success", "已新增 3 筆。")]


def test_an_error_that_is_not_a_refusal_is_not_swallowed():
    def broken():
        raise ValueError("bug")

    with pytest.raises(ValueError):
        action_done(_request(), broken, "已儲存。")
    assert issubclass(PlanActionRefused, Refused)
