"""Tables of the region domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, UtcDateTime


class Province(Base):
    """A province-level jurisdiction (Shanghai, Jiangsu, Zhejiang, Anhui)."""

    __tablename__ = "region_province"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))


class City(Base):
    """A prefecture-level city (Shanghai counts as one)."""

    __tablename__ = "region_city"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    province_code: Mapped[str] = mapped_column(ForeignKey("region_province.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float, nullable=True)
    boundary: Mapped[dict[str, Any]] = mapped_column(JSON)


class Indicator(Base):
    """Definition of an indicator; its unit is fixed so values stay comparable."""

    __tablename__ = "region_indicator"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")


class Statistic(Base):
    """One long-form value: (city, indicator, year, value, unit, source) plus who wrote it."""

    __tablename__ = "region_statistic"
    __table_args__ = (
        UniqueConstraint("city_code", "indicator", "year"),
        Index("ix_region_statistic_indicator_year", "indicator", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("region_city.code"), index=True)
    indicator: Mapped[str] = mapped_column(ForeignKey("region_indicator.code"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_for: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
