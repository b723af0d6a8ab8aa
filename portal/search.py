"""Name search that folds the ways people type a Taiwanese name.

「台北」 and 「臺北」 are the same city, and 「１２３」 the same digits as 「123」: every name search
in the project folds the typed text with `fold_name` and matches it with `name_q` (a list
filtered in the database) or `name_matches` (a list already in memory). The stored names are
not changed; `name_q` asks the database for both the 臺 and the 台 spelling of the folded
text, in the same single query.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db.models import Q

# The variant characters people type for the official form (教育部 writes 臺).
_TO_OFFICIAL = str.maketrans({"台": "臺", "\u3000": " "})
_OFFICIAL_VARIANTS = (("臺", "台"),)


def fold_name(text: str | None) -> str:
    """The text as a search compares it: NFKC (full-width letters, digits and spaces become
    half-width), 台 → 臺, runs of spaces made one, no spaces at the ends."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_TO_OFFICIAL)
    return " ".join(folded.split())


def name_variants(text: str | None) -> list[str]:
    """The folded text and each spelling a stored name may use for it (臺 and 台)."""
    folded = fold_name(text)
    if not folded:
        return []
    variants = [folded]
    for official, variant in _OFFICIAL_VARIANTS:
        if official in folded:
            variants.append(folded.replace(official, variant))
    return variants


def name_q(fields: Iterable[str], text: str | None, *, lookup: str = "icontains") -> Q:
    """One Q matching `text` in any of `fields` under any of its spellings (an empty Q for
    empty text). Fields that hold codes may be listed too: folding only makes digits half-width."""
    condition = Q()
    for variant in name_variants(text):
        for field in fields:
            condition |= Q(**{f"{field}__{lookup}": variant})
    return condition


def name_matches(text: str | None, *values: str | None) -> bool:
    """For lists already in memory: whether the folded text is in any folded value."""
    folded = fold_name(text).casefold()
    if not folded:
        return True
    return any(folded in fold_name(value).casefold() for value in values if value)
