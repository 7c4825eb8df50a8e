"""The quarterly progress report a city's centre sends to its province (004 §六(一)), and its review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class QuarterlyReport(SQLModel, table=True):
    __tablename__ = "quarterly_report"
    __table_args__ = (UniqueConstraint("jurisdiction", "period", "round"),)
    id: int = Field(default=None, primary_key=True)
    jurisdiction: str = Field(max_length=6, index=True)  # the city centre that reports
    province: str = Field(max_length=6, index=True)  # the provincial centre it reports to
    period: str = Field(max_length=7)  # 2026-Q3
    round: int = 0  # a returned report is submitted again as the next round
    status: str = Field(default="submitted", max_length=20)  # submitted | accepted | returned
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pdf_sha256: str = Field(max_length=64)  # the PDF as sent, in the file store
    submitted_by: int = Field(foreign_key="user_account.id")
    submitted_at: dt.datetime
    note: str = Field(default="", max_length=2000)
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: dt.datetime | None = None
    reason: str | None = Field(default=None, max_length=5000)
