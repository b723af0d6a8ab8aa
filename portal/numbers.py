"""Amounts as the plan's documents print them (千元). Pure Python, no Django import.

`budget/rules.py` keeps its own `to_thousands` for the engine's 千元 totals: the engine
imports nothing of ours and portal imports no app, so the one rounding rule is written
twice and tests/portal/test_formats.py holds the two to the same answers."""


def to_thousands(ntd: int) -> int:
    """NTD -> 千元, rounded half away from zero, in integers only: 1,234,500 -> 1,235."""
    quotient, remainder = divmod(abs(ntd), 1000)
    if 2 * remainder >= 1000:
        quotient += 1
    return quotient if ntd >= 0 else -quotient
