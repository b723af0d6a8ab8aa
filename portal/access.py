"""Who may see what: the one place that knows.

Every view, export, import and task gets its rows through `for_user` (a queryset) or
`get_for_user` (one object, 404 when the user may not see it). Models say how they hang
off a county or school with two class attributes, so this module imports no app:

    scope_county_field  lookup from the model to its County's pk, e.g. "school__county"
    scope_school_field  lookup from the model to its School's pk (absent: county-level data
                        that school staff may read for their own county only if
                        `scope_school_reads_county` is true)
    scope_national      true for national data no county or school sees (rule scenarios)

County staff see their county, school staff their school, MOE reviewers and admins all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from portal.models import Role, User


def for_user(queryset: QuerySet, user: User) -> QuerySet:
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role in (Role.MOE, Role.ADMIN):
        return queryset
    model = queryset.model
    if getattr(model, "scope_national", False):
        return queryset.none()  # national data (e.g. rule scenarios): the MOE's and admins' only
    if user.role == Role.COUNTY and user.county_id:
        return queryset.filter(**{_lookup(model, "scope_county_field"): user.county_id})
    if user.role == Role.SCHOOL and user.school_id:
        school_field = getattr(model, "scope_school_field", None)
        if school_field:
            return queryset.filter(**{school_field: user.school_id})
        if getattr(model, "scope_school_reads_county", False):
            return queryset.filter(**{_lookup(model, "scope_county_field"): user.county_id})
    return queryset.none()


def scope_key(user: User) -> str:
    """What `for_user` filters by, as a cache key part: users with the same key see the same rows."""
    if not user.is_authenticated or not user.is_active:
        return "none"
    if user.role in (Role.MOE, Role.ADMIN):
        return "all"
    if user.role == Role.COUNTY and user.county_id:
        return f"county:{user.county_id}"
    if user.role == Role.SCHOOL and user.school_id:
        return f"school:{user.school_id}"
    return "none"


def get_for_user(queryset: QuerySet | type[Model], user: User, **lookup) -> Model:
    """The one object matching `lookup` that the user may see, else 404 (never its data)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        return for_user(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("找不到資料，或您沒有權限查看") from None


def _lookup(model: type[Model], attribute: str) -> str:
    try:
        return getattr(model, attribute)
    except AttributeError:
        raise TypeError(f"{model.__name__} does not declare {attribute}; portal.access cannot scope it") from None


# --- What a role may do -----------------------------------------------------------------


def may_edit_roster(user: User) -> bool:
    """Bring in a whole roster (import): county staff and admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


def may_edit_roster_rows(user: User) -> bool:
    """Change single roster rows they can see: county staff, a school its own rows, admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.SCHOOL, Role.ADMIN)


def may_edit_plan(user: User) -> bool:
    """Fill in and submit a county plan they can see."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


def may_review(user: User) -> bool:
    """Enter the MOE's figures, approve lines and plans, return plans."""
    return user.is_authenticated and user.role in (Role.MOE, Role.ADMIN)


def may_manage_plan_years(user: User) -> bool:
    """Open a plan year and change its rule set: MOE reviewers and admins."""
    return user.is_authenticated and user.role in (Role.MOE, Role.ADMIN)


def may_record_plan_money(user: User) -> bool:
    """Record the money received (撥款) and file the final report (結報): county staff and admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


def may_read_budget(user: User) -> bool:
    """The budget table and the plan's review are not for school staff."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.MOE, Role.ADMIN)


def may_import_for_any_county(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def may_request_exports(user: User) -> bool:
    """Ask for rendered documents (plans, workbooks): not school staff."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.MOE, Role.ADMIN)


def require(allowed: bool, message: str = "您沒有權限執行此操作") -> None:
    if not allowed:
        raise PermissionDenied(message)


def may_read_office(user: User) -> bool:
    """The county office's records (staff, meetings, sessions ...): not school staff, who see
    only their school's attendance and progress."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.MOE, Role.ADMIN)


def may_manage_office(user: User) -> bool:
    """Keep the office's records, sessions and attendance: county staff and admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


def may_upload_usage(user: User) -> bool:
    """Report learning-platform usage hours: a school its own, a county its schools, admins."""
    return user.is_authenticated and user.role in (Role.SCHOOL, Role.COUNTY, Role.ADMIN)


def may_edit_county_reports(user: User) -> bool:
    """Write a county's monthly report, learning outcomes and spending: county staff and admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


def may_read_county_reports(user: User) -> bool:
    """Monthly reports, completeness and dashboards are county and MOE business, not schools'."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.MOE, Role.ADMIN)


def may_manage_devices(user: User) -> bool:
    """Lend, take back, send to repair, set a device's status, record a school's self-check:
    county staff, school staff (their own school's devices), admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.SCHOOL, Role.ADMIN)


def sees_one_school(user: User) -> bool:
    """School staff: every list they see is their own school's, so a page leaves out what only
    a county works with (procurement, reconciliation, wireless, software tabs), the filter bar
    of a one-school list and the 縣市／學校 columns that would repeat their own name."""
    return user.is_authenticated and user.role == Role.SCHOOL


def sees_one_county(user: User) -> bool:
    """County and school staff: a 縣市 column would repeat their own county on every row."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.SCHOOL)


def may_manage_procurement(user: User) -> bool:
    """Procurement batches, serial imports, the county's inspection, wireless and software
    purchases: county staff and admins."""
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


# --- Accounts and the security log (issue 12) -------------------------------------------


def accounts_for_user(user: User) -> QuerySet:
    """Accounts a user may review: admins every account, county officers their county's
    (its officers and its schools' accounts), nobody else."""
    accounts = User._default_manager.all()
    if not user.is_authenticated or not user.is_active:
        return accounts.none()
    if user.role == Role.ADMIN:
        return accounts
    if user.role == Role.COUNTY and user.county_id:
        return accounts.filter(county_id=user.county_id)
    return accounts.none()


def may_review_accounts(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.COUNTY, Role.ADMIN)


def roles_assignable_by(user: User) -> list[str]:
    """Roles of the accounts a user may create and manage: admins every role (county and MOE
    accounts are theirs alone), county officers their schools' accounts."""
    if not user.is_authenticated:
        return []
    if user.role == Role.ADMIN:
        return [Role.SCHOOL, Role.COUNTY, Role.MOE, Role.ADMIN]
    if user.role == Role.COUNTY and user.county_id:
        return [Role.SCHOOL]
    return []


def may_manage_account(user: User, account: User) -> bool:
    """Change, disable, enable, reset the password of `account` (which the caller got through
    `accounts_for_user`, so it is in scope)."""
    if account.role not in roles_assignable_by(user):
        return False
    return user.role == Role.ADMIN or account.county_id == user.county_id


def may_reset_second_factor(user: User) -> bool:
    """A lost authenticator is reset by an admin (the powerful roles' second factor)."""
    return user.is_authenticated and user.role == Role.ADMIN


def may_review_security_log(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def may_model_rules(user: User) -> bool:
    """What-if rule scenarios (national modelling): MOE reviewers and admins."""
    return user.is_authenticated and user.role in (Role.MOE, Role.ADMIN)
