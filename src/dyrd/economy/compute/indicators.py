"""The indicators of the catalog under the five development concepts: pure data.

Base indicators are read as stored; derived indicators name their formula over base indicators
of the same year. Indicator choices follow the city-level systems of the HQD literature (research
note §1.1): Sci. Rep. 2025 s41598-025-94462-8 Table 3 (industrial structure, GDP per capita,
urban–rural disparity, trade per capita, hospital beds), 魏敏、李书昊 (2018) and 李金昌 et al.
(2019).

``data_gap`` says, for each base indicator the platform ships no values of, why: which licensed
sources were looked for, and where the figures are published, so the dashboard and the API show
it as missing with the reason instead of an empty column.
"""

from __future__ import annotations

from dataclasses import replace

from dyrd.economy.types import (
    Concept,
    Direction,
    IndicatorSpec,
    Ratio,
    TwoGroupTheil,
)

C, B = Direction.COST, Direction.BENEFIT
SCI_REP_2025 = "Sci. Rep. (2025) s41598-025-94462-8, Table 3"

# Base indicators: stored values, each with its own source.
_BASE: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "population_resident",
        "常住人口",
        "Resident population",
        Concept.SHARING,
        B,
        "10k persons",
        "Year-end resident population (常住人口).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "gdp",
        "地区生产总值",
        "GDP",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "Gross domestic product, current prices.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "gdp_primary",
        "第一产业增加值",
        "Primary sector value added",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "Value added of the primary sector.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "gdp_secondary",
        "第二产业增加值",
        "Secondary sector value added",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "Value added of the secondary sector.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "gdp_tertiary",
        "第三产业增加值",
        "Tertiary sector value added",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "Value added of the tertiary sector.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "share_pop_age60plus",
        "60岁及以上人口占比",
        "Share of population aged 60+",
        Concept.SHARING,
        C,
        "fraction",
        "Population aged 60 and over over resident population; context for the "
        "demand on health services, not an outcome: outside the default index.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "hospital_beds_per_1000",
        "每千人医院床位数",
        "Hospital beds per 1,000",
        Concept.SHARING,
        B,
        "per 1000 persons",
        "Hospital beds per 1,000 residents.",
        reference=SCI_REP_2025,
    ),
    IndicatorSpec(
        "doctors_per_1000",
        "每千人执业医师数",
        "Doctors per 1,000",
        Concept.SHARING,
        B,
        "per 1000 persons",
        "Registered medical doctors per 1,000 residents.",
    ),
    IndicatorSpec(
        "nurses_per_1000",
        "每千人注册护士数",
        "Nurses per 1,000",
        Concept.SHARING,
        B,
        "per 1000 persons",
        "Registered nurses per 1,000 residents.",
    ),
    IndicatorSpec(
        "patents",
        "专利数",
        "Patents",
        Concept.INNOVATION,
        B,
        "count",
        "Patents of the city (CNIPA; the source does not say grants or applications).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "employment_share_info_finance_research",
        "信息、金融与科研就业占比",
        "Employment share in information, finance and research",
        Concept.INNOVATION,
        B,
        "percent",
        "Share of employment in information, finance and research "
        "industries (China City Statistical Yearbook).",
    ),
    IndicatorSpec(
        "gdp_urban_districts",
        "市辖区地区生产总值",
        "GDP of urban districts",
        Concept.COORDINATION,
        B,
        "yuan",
        "GDP of the urban districts (市辖区) only.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "registered_pop_urban_districts",
        "市辖区户籍人口",
        "Registered population of urban districts",
        Concept.SHARING,
        B,
        "persons",
        "Registered (hukou) population of the urban districts.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "resident_pop_urban_districts_incl_temporary",
        "市辖区人口（含暂住）",
        "Urban-district population incl. temporary",
        Concept.SHARING,
        B,
        "persons",
        "Urban-district population plus temporary population.",
        in_default_index=False,
    ),
    IndicatorSpec(
        "income_urban_disposable",
        "城镇居民人均可支配收入",
        "Urban per-capita disposable income",
        Concept.COORDINATION,
        B,
        "yuan",
        "Per-capita disposable income of urban residents (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "income_rural_disposable",
        "农村居民人均可支配收入",
        "Rural per-capita disposable income",
        Concept.COORDINATION,
        B,
        "yuan",
        "Per-capita disposable income of rural residents (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "population_urban",
        "城镇常住人口",
        "Urban resident population",
        Concept.COORDINATION,
        B,
        "10k persons",
        "Urban resident population (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "population_rural",
        "乡村常住人口",
        "Rural resident population",
        Concept.COORDINATION,
        B,
        "10k persons",
        "Rural resident population (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "average_wage",
        "城镇非私营单位在岗职工平均工资",
        "Average wage",
        Concept.SHARING,
        B,
        "yuan",
        "Average annual wage of employees in urban non-private units.",
    ),
    IndicatorSpec(
        "exports",
        "出口总额",
        "Exports",
        Concept.OPENNESS,
        B,
        "100m yuan",
        "Exports of goods, in yuan (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "imports",
        "进口总额",
        "Imports",
        Concept.OPENNESS,
        B,
        "100m yuan",
        "Imports of goods, in yuan (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "rd_expenditure",
        "R&D 经费内部支出",
        "R&D expenditure",
        Concept.INNOVATION,
        B,
        "100m yuan",
        "Intramural R&D expenditure (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "energy_consumption",
        "能源消费总量",
        "Energy consumption",
        Concept.GREEN,
        C,
        "10k tce",
        "Total energy consumption, tonnes of coal equivalent (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "co2_emissions",
        "二氧化碳排放量",
        "CO2 emissions",
        Concept.GREEN,
        C,
        "10k t",
        "CO2 emissions (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "pm25",
        "PM2.5 年均浓度",
        "PM2.5 annual mean",
        Concept.GREEN,
        C,
        "ug/m3",
        "Annual mean PM2.5 concentration (import it).",
        reference=SCI_REP_2025,
    ),
    IndicatorSpec(
        "fiscal_revenue",
        "一般公共预算收入",
        "General budget revenue",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "General public budget revenue (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "fiscal_expenditure",
        "一般公共预算支出",
        "General budget expenditure",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "General public budget expenditure (import it).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "employment",
        "年末从业人员数",
        "Employed persons",
        Concept.COORDINATION,
        B,
        "10k persons",
        "Year-end employed persons of the whole city (denominator of labour productivity).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "industrial_profit",
        "规模以上工业企业利润总额",
        "Industrial profit",
        Concept.COORDINATION,
        B,
        "100m yuan",
        "Total profit of industrial enterprises above designated size (the early-warning "
        "rule compares wage growth with its growth).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "fdi_utilised",
        "实际利用外资金额",
        "FDI actually utilised",
        Concept.OPENNESS,
        B,
        "100m yuan",
        "Foreign direct investment actually utilised, converted to yuan at the year's average "
        "exchange rate before import (yearbooks publish it in USD).",
        in_default_index=False,
    ),
    IndicatorSpec(
        "industrial_so2",
        "工业二氧化硫排放量",
        "Industrial SO2 emissions",
        Concept.GREEN,
        C,
        "t",
        "Sulphur dioxide emitted by industry (China City Statistical Yearbook series).",
        in_default_index=False,
    ),
)

DERIVED: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("gdp_per_capita", "人均地区生产总值", "GDP per capita", Concept.COORDINATION, B,
                  "yuan per person", "GDP / resident population.",
                  Ratio(("gdp",), "population_resident", 1e4), reference=SCI_REP_2025),
    IndicatorSpec("tertiary_share", "第三产业增加值占比", "Tertiary share of GDP",
                  Concept.INNOVATION, B, "percent", "Tertiary value added / GDP (产业结构高级化).",
                  Ratio(("gdp_tertiary",), "gdp", 100.0), reference=SCI_REP_2025),
    IndicatorSpec("secondary_share", "第二产业增加值占比", "Secondary share of GDP",
                  Concept.COORDINATION, B, "percent", "Secondary value added / GDP; structure, "
                  "no direction of better: outside the default index.",
                  Ratio(("gdp_secondary",), "gdp", 100.0), in_default_index=False),
    IndicatorSpec("primary_share", "第一产业增加值占比", "Primary share of GDP",
                  Concept.COORDINATION, C, "percent", "Primary value added / GDP; outside the "
                  "default index (structure, not an outcome).",
                  Ratio(("gdp_primary",), "gdp", 100.0), in_default_index=False),
    IndicatorSpec("patents_per_10k", "每万人专利数", "Patents per 10k residents",
                  Concept.INNOVATION, B, "per 10k persons", "Patents / resident population.",
                  Ratio(("patents",), "population_resident"), reference=SCI_REP_2025),
    IndicatorSpec("rd_intensity", "R&D 经费投入强度", "R&D intensity", Concept.INNOVATION, B,
                  "percent", "R&D expenditure / GDP.", Ratio(("rd_expenditure",), "gdp", 100.0)),
    IndicatorSpec("urban_rural_income_ratio", "城乡居民收入比", "Urban–rural income ratio",
                  Concept.COORDINATION, C, "ratio",
                  "Urban / rural per-capita disposable income.",
                  Ratio(("income_urban_disposable",), "income_rural_disposable"),
                  reference=SCI_REP_2025),
    IndicatorSpec("urban_rural_theil", "城乡收入泰尔指数", "Urban–rural Theil T",
                  Concept.COORDINATION, C, "index",
                  "Two-group population-weighted Theil T of urban and rural income.",
                  TwoGroupTheil("income_urban_disposable", "income_rural_disposable",
                                "population_urban", "population_rural")),
    IndicatorSpec("fiscal_self_sufficiency", "财政自给率", "Fiscal self-sufficiency",
                  Concept.COORDINATION, B, "percent", "Budget revenue / budget expenditure.",
                  Ratio(("fiscal_revenue",), "fiscal_expenditure", 100.0), reference=SCI_REP_2025),
    IndicatorSpec("energy_intensity", "单位 GDP 能耗", "Energy per unit of GDP", Concept.GREEN, C,
                  "tce per 10k yuan", "Energy consumption / GDP.",
                  Ratio(("energy_consumption",), "gdp")),
    IndicatorSpec("co2_intensity", "单位 GDP 二氧化碳排放", "CO2 per unit of GDP", Concept.GREEN,
                  C, "t per 10k yuan", "CO2 emissions / GDP.", Ratio(("co2_emissions",), "gdp")),
    IndicatorSpec("trade_openness", "外贸依存度", "Trade openness", Concept.OPENNESS, B, "percent",
                  "(Exports + imports) / GDP.", Ratio(("exports", "imports"), "gdp", 100.0)),
    IndicatorSpec("trade_per_capita", "人均进出口额", "Trade per capita", Concept.OPENNESS, B,
                  "yuan per person", "(Exports + imports) / resident population.",
                  Ratio(("exports", "imports"), "population_resident", 1e4),
                  reference=SCI_REP_2025),
    IndicatorSpec("labour_productivity", "全员劳动生产率", "Labour productivity",
                  Concept.INNOVATION, B, "yuan per person", "GDP / employed persons.",
                  Ratio(("gdp",), "employment", 1e4), in_default_index=False),
    IndicatorSpec("fdi_share", "实际利用外资占 GDP 比重", "FDI over GDP", Concept.OPENNESS, B,
                  "percent", "FDI actually utilised / GDP.",
                  Ratio(("fdi_utilised",), "gdp", 100.0)),
    IndicatorSpec("so2_intensity", "单位 GDP 工业二氧化硫排放", "Industrial SO2 per unit of GDP",
                  Concept.GREEN, C, "t per 100m yuan", "Industrial SO2 emissions / GDP.",
                  Ratio(("industrial_so2",), "gdp")),
)  # fmt: skip


_YEARBOOK = (
    "No openly licensed, machine-readable city series for the 41 YRD cities was found; the "
    "China City Statistical Yearbook and the cities' statistical communiqués publish it: import "
    "it (`dyrd economy import`).",
    "未找到 41 个长三角城市的开放许可机读数据；《中国城市统计年鉴》与各市统计公报刊有此数据，"
    "请导入（dyrd economy import）。",
)
GAPS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "income_urban_disposable",
            "income_rural_disposable",
            "population_urban",
            "population_rural",
            "average_wage",
            "exports",
            "imports",
            "rd_expenditure",
            "energy_consumption",
            "fiscal_expenditure",
            "employment",
            "industrial_profit",
            "fdi_utilised",
            "industrial_so2",
        ),
        _YEARBOOK,
    ),
    "co2_emissions": (
        "The CEADs city CO2 inventories (Shan et al. 2022) cover the 41 cities, but their terms "
        "ask for citation without granting an open licence, so the platform does not ship "
        "them; import them if your use is covered (`dyrd economy import`).",
        "CEADs 城市二氧化碳排放清单（Shan 等，2022）覆盖 41 个城市，但其条款仅要求引用、未授予开放"
        "许可，平台不随附；如使用获准，请自行导入（dyrd economy import）。",
    ),
    "pm25": (
        "Only daily early-2020 PM2.5 under an open licence was found, not annual means (which "
        "the platform does not derive); the cities' environment bulletins publish the annual "
        "mean: import it (`dyrd economy import`).",
        "仅找到开放许可的 2020 年初逐日 PM2.5，无年均值（平台不自行推算）；各市环境状况公报刊有年均"
        "浓度，请导入（dyrd economy import）。",
    ),
    "fiscal_revenue": (
        "Whole-city revenue was found only in a CEIC-derived file without a licence; the fiscal "
        "and statistical yearbooks publish it: import it (`dyrd economy import`).",
        "全市财政收入仅见于无许可的 CEIC 衍生文件；财政与统计年鉴刊有此数据，请导入"
        "（dyrd economy import）。",
    ),
}
"""Why each base indicator ships without values (see data/README.md of the economy domain)."""

BASE: tuple[IndicatorSpec, ...] = tuple(
    replace(s, data_gap=GAPS[s.code][0], data_gap_zh=GAPS[s.code][1]) if s.code in GAPS else s
    for s in _BASE
)
"""Base indicators: stored values, each with its own source (and its data gap, if any)."""
