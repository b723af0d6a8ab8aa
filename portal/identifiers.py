"""Identifiers a school or county chooses for a person (a borrower, a trainee) must not be
the person's name or national ID: the portal keeps no personal data it does not need."""

from __future__ import annotations

import re
import unicodedata

# A 身分證統一編號 or 居留證號: one letter, then 1/2 (citizens), 8/9 (new residence permits)
# or A-D (old permits), then 8 digits.
NATIONAL_ID = re.compile(r"^[A-Z][12589A-D][0-9]{8}$", re.IGNORECASE)
# Han characters and the middle dots of indigenous and transliterated names (王小明,
# 瓦歷斯·諾幹), with no digit: a name, not a number.
HAN_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·‧•・.\s]{2,}$")
# Latin letters only, as a name is written (Wang Xiao-Ming, wang.xiaoming, Chen): four
# letters or more and no digit. Short codes (X, B, IT) stay usable.
LATIN_NAME = re.compile(r"^[A-Za-z]+(?:[\s.'\-][A-Za-z]+)*$")


def personal_identifier_problem(value: str) -> str:
    """Why `value` looks like a person's name or national ID ("" when it does not)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    compact = re.sub(r"[\s\-]", "", text)
    if NATIONAL_ID.match(compact):
        return f"「{value}」看起來是身分證統一編號或居留證號：請改用自訂的編號，不要登錄身分證號"
    if HAN_NAME.match(text) or (LATIN_NAME.match(text) and sum(c.isalpha() for c in text) >= 4):
        return f"「{value}」看起來是姓名：請改用自訂的編號（例如座號 701-15 或借用證號），不要填寫姓名"
    return ""
