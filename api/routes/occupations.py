"""The occupation catalogue for anyone filing (GET /api/v1/occupations): a filing's 422 "不在职业分类大典中"
names a code, and this is where the right one is found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep
from api.errors import PUBLIC_ERRORS
from api.ratelimit import public_rate_limit
from models.responses import OccupationPage
from tasks.queries import occupations

router = APIRouter(prefix="/api/v1", tags=["catalogue"], responses=PUBLIC_ERRORS)
CODE = r"^\d-\d{2}-\d{2}-\d{2}$"


@router.get("/occupations", response_model=OccupationPage, dependencies=[Depends(public_rate_limit)],
            summary="The occupation catalogue (职业分类大典): code, name, 准入类 or not, the levels one may file")
def list_occupations(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=50, description="part of the name (车工), or the start of the "
                                                               "code (6-18)")] = None,
    level: Annotated[int | None, Query(ge=1, le=5, description="only occupations one may file at this level "
                                                               "(5 五级/初级工 … 1 一级/高级技师)")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 100,
    cursor: Annotated[str | None, Query(pattern=CODE, description="`next_cursor` of the previous page: the "
                                                                   "last code it listed")] = None,
):
    rows = occupations.search(session, text=q, level=level, after=cursor, limit=limit)
    more = len(rows) > limit
    return OccupationPage(items=rows[:limit], next_cursor=rows[limit - 1].code if more else None)
