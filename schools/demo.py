"""Demo data of the schools app: the MOE's 110 statistics and 111 remote list (the same open
data the roster is built from, schools/data/realdata), loaded through the loader the
command uses, so that the roster can be checked against them."""

from portal.imports.pipeline import import_content
from schools.models import OfficialSource
from schools.official_import import OFFICIAL_STATISTICS, official_target
from schools.realdata import ELEMENTARY_FILE, JUNIOR_HIGH_FILE, REMOTE_FILE

FILES = ((ELEMENTARY_FILE, None), (JUNIOR_HIGH_FILE, None), (REMOTE_FILE, 111))


def load_realdata_statistics() -> list[dict]:
    summaries = []
    for path, year in FILES:
        content = path.read_bytes()
        summaries.append(
            import_content(
                OFFICIAL_STATISTICS,
                content,
                target=official_target(content, year=year),
                source=path.name,
                max_bytes=len(content),
            )
        )
    return summaries


def seed(*, county, plan_year, users) -> str:
    if OfficialSource.objects.exists():
        return ""
    summaries = load_realdata_statistics()
    return "已載入教育部 110 學年度國中小校別資料與 111 年偏遠地區學校名錄：" + "、".join(
        f"{s['rows']:,} 校" for s in summaries
    )
