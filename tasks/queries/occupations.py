"""The occupation classification (职业分类大典) as an enterprise reads it before filing: which occupations exist,
which are 准入类 (excluded from self-evaluation), which levels one may file — searched by name or code, in keyset
pages by code."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from models import responses as out
from models.catalogue import OccupationRecord
from policy.levels import Level

# a skill-type occupation has the five national levels (五级/初级工 … 一级/高级技师); others have none to file
SKILL_LEVELS = (Level.五级, Level.四级, Level.三级, Level.二级, Level.一级)


def search(session: Session, *, text: str | None, level: int | None, after: str | None,
           limit: int) -> list[out.OccupationOut]:
    """Occupations by code after `after`, `limit + 1` at most (the page helper's look-ahead). `text` matches
    part of the name or the start of the code; with `level`, only occupations that level may be filed for."""
    query = select(OccupationRecord)
    if text:
        pattern = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(or_(col(OccupationRecord.name).like(f"%{pattern}%", escape="\\"),
                                col(OccupationRecord.code).like(f"{pattern}%", escape="\\")))
    if level is not None:
        query = query.where(col(OccupationRecord.skill_type).is_(True))
    if after is not None:
        query = query.where(col(OccupationRecord.code) > after)
    rows = session.exec(query.order_by(col(OccupationRecord.code)).limit(limit + 1)).all()
    return [entry(row) for row in rows]


def entry(occupation: OccupationRecord) -> out.OccupationOut:
    levels = SKILL_LEVELS if occupation.skill_type else ()
    return out.OccupationOut(
        code=occupation.code, name=occupation.name, access_type=occupation.access_type,
        kind_label="准入类" if occupation.access_type else "水平评价类", skill_type=occupation.skill_type,
        # 004 §二: enterprises evaluate skill-type occupations outside the 准入类 catalogue
        self_evaluable=occupation.skill_type and not occupation.access_type, levels=[int(x) for x in levels],
        level_labels=[x.display for x in levels])
