"""The occupation classification (职业分类大典) the filings refer to."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class OccupationRecord(SQLModel, table=True):
    __tablename__ = "occupation"
    code: str = Field(primary_key=True, max_length=10)
    name: str
    access_type: bool = False  # 准入类: excluded from self-evaluation
    skill_type: bool = True
