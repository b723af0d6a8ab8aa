"""The blocked-brand rule (spec 5: no ICT hardware or software of a PRC brand).

A brand matches a blocked entry when, after folding width (ＬＥＮＯＶＯ), case and
spacing/punctuation ("Hua Wei", "hua-wei"), the blocked name appears in it: "Lenovo 聯想"
and "LENOVO(聯想)" are both Lenovo. An entry may list several names of one maker,
separated by ／ 、 , or ; ("Huawei／華為"). Pure functions; the list itself is BlockedBrand rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_IGNORED = re.compile(r"[\s\-_.·・,、/()\[\]【】'\"]+")
_ALIASES = re.compile(r"[/,;、|]")


def normalize_brand(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", str(text or "")).casefold())


def blocked_key(name: str) -> str:
    """What a BlockedBrand stores: its names ("Huawei／華為", "ZTE、中興") normalized, '|'-joined."""
    parts = _ALIASES.split(unicodedata.normalize("NFKC", name))
    return "|".join(key for key in (normalize_brand(part) for part in parts) if key)


def blocked_match(text: str, blocked: Iterable[tuple[str, str]]) -> str | None:
    """The blocked name (as admins wrote it) that `text` matches, else None.

    `blocked` holds (name, normalized) pairs, as `blocked_brand_pairs` loads them once."""
    normalized = normalize_brand(text)
    if not normalized:
        return None
    for name, keys in blocked:
        if any(key and key in normalized for key in keys.split("|")):
            return name
    return None


def refusal_message(text: str, name: str) -> str:
    return f"「{text}」屬於禁用廠牌「{name}」（不得採購大陸廠牌之資通訊產品）"
