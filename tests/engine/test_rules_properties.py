"""Invariants of the rules, for any figures (hypothesis)."""

from hypothesis import given
from hypothesis import strategies as st

from budget import rules as r
from budget.rules import RULES_111 as R

levels = st.sampled_from(r.LEVELS)
areas = st.sampled_from(r.AREAS)


@st.composite
def consistent_rows(draw):
    classes = draw(st.integers(0, 120))
    if classes == 0:
        return r.RowFacts(draw(levels), draw(areas), 0, 0, draw(st.integers(0, 200)), 0)
    max_size = draw(st.integers(1, 40))
    students = draw(st.integers(max_size, max_size * classes))
    return r.RowFacts(draw(levels), draw(areas), classes, max_size, draw(st.integers(0, 300)), students)


@given(consistent_rows())
def test_entitlement_is_a_non_negative_integer(facts):
    ent = r.entitle_row(facts, R)
    for value in (ent.carts, ent.teacher_devices, ent.student_devices, ent.device_classes):
        assert isinstance(value, int) and value >= 0


@given(consistent_rows())
def test_non_remote_rows_fit_one_class_set_per_six_classes(facts):
    ent = r.entitle_row(facts, R)
    if ent.remote:
        assert (ent.teacher_devices, ent.student_devices, ent.carts) == (facts.teachers, facts.students, facts.classes)
        return
    k = ent.device_classes
    assert 6 * (k - 1) < facts.classes <= 6 * k or facts.classes == k == 0
    assert ent.student_devices == k * facts.max_class_size
    assert ent.carts == k
    assert ent.teacher_devices == k * (2 if facts.level == "國小" else 3)


@given(consistent_rows(), st.integers(1, 30))
def test_more_classes_never_mean_fewer_devices(facts, extra):
    bigger = r.RowFacts(
        facts.level,
        facts.area,
        facts.classes + extra,
        max(facts.max_class_size, 1),
        facts.teachers,
        max(facts.students, 1),
    )
    small, large = r.entitle_row(facts, R), r.entitle_row(bigger, R)
    assert large.carts >= small.carts
    assert large.teacher_devices >= small.teacher_devices


@given(consistent_rows())
def test_requesting_the_entitlement_complies(facts):
    ent = r.entitle_row(facts, R)
    assert r.complies(r.Requested(ent.carts, ent.teacher_devices, ent.student_devices), ent) is True
    assert r.complies(r.Requested(ent.carts + 1, ent.teacher_devices, ent.student_devices), ent) is False


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_staffing_and_fee_never_shrink_as_schools_grow(a, b):
    low, high = sorted((a, b))
    s_low, s_high = r.entitled_staffing(low, R), r.entitled_staffing(high, R)
    assert s_high.counselors >= s_low.counselors
    assert s_high.it_staff >= s_low.it_staff
    assert s_high.admin_staff >= s_low.admin_staff
    assert s_high.amount_ntd >= s_low.amount_ntd
    assert r.operating_fee(high, R) >= r.operating_fee(low, R)


@given(st.integers(1, 5000))
def test_staffing_bounds(n):
    staff = r.entitled_staffing(n, R)
    assert staff.counselors >= 1 and 1 <= staff.it_staff <= 5 and 1 <= staff.admin_staff <= 3
    assert 1_000_000 <= r.operating_fee(n, R) <= 10_000_000


@given(st.integers(-(10**12), 10**12))
def test_thousands_is_within_half_a_thousand(ntd):
    k = r.to_thousands(ntd)
    assert abs(k * 1000 - ntd) <= 500
    if ntd >= 0 and ntd % 1000 == 500:
        assert k * 1000 > ntd  # half rounds up


@given(st.lists(st.tuples(st.sampled_from(["A00001", "A00002", "A00003", "B00001"]), consistent_rows()), max_size=30))
def test_county_totals_add_up_over_any_split(entries):
    entries = [r.RosterEntry(code, facts) for code, facts in entries]
    half = len(entries) // 2
    whole = r.county_totals(entries, R)
    first, second = r.county_totals(entries[:half], R), r.county_totals(entries[half:], R)
    assert whole.carts == first.carts + second.carts
    assert whole.student_devices == first.student_devices + second.student_devices
    assert whole.schools == len({e.code for e in entries})


@given(
    st.integers(0, 3000),
    st.integers(0, 100_000),
    st.integers(0, 100_000),
    st.integers(0, 10_000_000),
    st.integers(0, 200),
    st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 100_000)),
)
def test_budget_table_adds_up_as_printed(schools, teachers, students, software, sessions, previously):
    totals = r.CountyTotals(schools, schools, 0, schools, teachers, students)
    table = r.budget_table(
        r.BudgetInputs(
            totals=totals, software_amount_ntd=software, training_sessions=sessions, previously_subsidised=previously
        ),
        R,
    )
    assert table.total_k == table.recurrent_k + table.capital_k
    assert table.total_k == sum(line.total_k for line in table.lines)
    for line in table.lines:
        assert isinstance(line.total_ntd, int) and line.total_ntd >= 0
        if line.number in (1, 2, 3):
            assert line.estimate == max(0, line.computed - line.previously_subsidised)
    assert table.problems == ()
