"""The 22 counties and cities, and the spellings files use for them. Pure data."""

import re
import unicodedata

# (MOE 縣市代碼, name) in the order the MOE lists them: special municipalities first.
COUNTIES: tuple[tuple[str, str], ...] = (
    ("30", "臺北市"),
    ("01", "新北市"),
    ("03", "桃園市"),
    ("06", "臺中市"),
    ("11", "臺南市"),
    ("12", "高雄市"),
    ("02", "宜蘭縣"),
    ("04", "新竹縣"),
    ("05", "苗栗縣"),
    ("07", "彰化縣"),
    ("08", "南投縣"),
    ("09", "雲林縣"),
    ("10", "嘉義縣"),
    ("13", "屏東縣"),
    ("14", "臺東縣"),
    ("15", "花蓮縣"),
    ("16", "澎湖縣"),
    ("17", "基隆市"),
    ("18", "新竹市"),
    ("20", "嘉義市"),
    ("71", "金門縣"),
    ("72", "連江縣"),
)
COUNTY_NAMES = frozenset(name for _, name in COUNTIES)

# Names that changed or are commonly written otherwise.
_ALIASES = {
    "桃園縣": "桃園市",
    "臺北縣": "新北市",
    "馬祖": "連江縣",
}
_CODE_PREFIX = re.compile(r"^\[\d+\]")


def canonical_county(text: str) -> str | None:
    """The portal's spelling of a county, or None if `text` names none of the 22."""
    name = unicodedata.normalize("NFKC", str(text)).strip()
    name = _CODE_PREFIX.sub("", name).replace(" ", "").replace("台", "臺")
    name = _ALIASES.get(name, name)
    return name if name in COUNTY_NAMES else None
