"""May a county's roster for a plan year still change, and if not, why.

The roster belongs to this app, but what locks it (a submitted or approved plan) belongs
to the plan's app above, which this app must not import. That app registers a provider
here when Django starts (budget.apps); the roster's import and forms ask `roster_state`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.roc import roc_date


@dataclass(frozen=True)
class RosterState:
    editable: bool
    reason: str = ""
    """Why it is not editable, for the person who tried: 「計畫已送審，…」."""
    plan_status: str = ""
    """The county plan's status as people read it (草稿, 已送審 …), if there is a plan."""


Provider = Callable[..., dict[int, RosterState]]
"""provider(county_ids, plan_year, *, for_update) -> {county id: state}."""
_providers: list[Provider] = []


def register_roster_state_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def roster_states(county_ids: list[int], plan_year, *, for_update: bool = False) -> dict[int, RosterState]:
    """The state of each county's roster, in one query per provider whatever the counties.

    `for_update` (inside the transaction that writes the roster): what decides the state is
    locked until the write commits, so a submission waits for it or the write sees the plan
    submitted; never a roster changed under a submitted plan."""
    states = {county_id: RosterState(editable=True) for county_id in county_ids}
    if plan_year.is_closed:
        closed = RosterState(
            editable=False,
            reason=f"{plan_year.year} 年度計畫已於 {roc_date(plan_year.submission_deadline)} 截止送審，不能再修改",
        )
        states = dict.fromkeys(county_ids, closed)
    for provider in _providers:
        for county_id, state in provider(county_ids, plan_year, for_update=for_update).items():
            current = states[county_id]
            if current.editable:
                states[county_id] = state
            elif not current.plan_status:
                states[county_id] = RosterState(False, current.reason, state.plan_status)
    return states


def roster_state(county_id: int, plan_year, *, for_update: bool = False) -> RosterState:
    return roster_states([county_id], plan_year, for_update=for_update)[county_id]
