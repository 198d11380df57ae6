"""UI strings of the epidemic monitor (merged into ``i18n.CATALOG``), Chinese and English."""

from __future__ import annotations

from typing import Literal

EPIDEMIC: dict[str, dict[Literal["zh", "en"], str]] = {
    "nav.epidemic": {"zh": "疫情研判", "en": "Epidemic"},
    "epi.title": {"zh": "疫情研判与应急响应", "en": "Epidemic forecasts and response levels"},
    "epi.sub": {
        "zh": "集合种群 SEIR 模型（Li 等 2020）在 41 城人口流动网络上的周病例分位数预测、情景推演与"
        "应急响应级别建议；数据为 2020 年长三角各城市报告病例。",
        "en": "Weekly quantile forecasts, scenarios and recommended response levels from the "
        "metapopulation SEIR (Li et al. 2020) on the 41-city mobility network; data are the "
        "2020 reported cases of the delta's cities.",
    },
    "epi.origin": {"zh": "预测起点", "en": "Forecast origin"},
    "epi.city": {"zh": "城市", "en": "City"},
    "epi.show": {"zh": "显示", "en": "Show"},
    "epi.kappa": {"zh": "拟合传播系数 κ（β 倍数）", "en": "Fitted transmission factor κ (× β)"},
    "epi.map.title": {
        "zh": "未来 7 天预测病例（中位数，每 10 万人）",
        "en": "Forecast cases, next 7 days (median, per 100k)",
    },
    "epi.map.aria": {"zh": "各城市预测发病率地图", "en": "Map of forecast incidence by city"},
    "epi.map.source": {"zh": "模型预测中位数", "en": "model forecast median"},
    "epi.table.title": {
        "zh": "各城市周报告病例预测：中位数（95% 区间）与实际",
        "en": "Weekly reported cases by city: median (95% interval) and observed",
    },
    "epi.col.city": {"zh": "城市", "en": "City"},
    "epi.col.observed": {"zh": "实际", "en": "observed"},
    "epi.fan.title": {"zh": "{city}：周报告病例扇形图", "en": "{city}: fan chart of weekly cases"},
    "epi.fan.aria": {
        "zh": "观测周病例与 50%、95% 预测区间",
        "en": "Observed weekly cases with 50% and 95% forecast intervals",
    },
    "epi.fan.legend": {
        "zh": "圆点：观测；方块：预测期实际；深色带：50%；浅色带：95%；线：中位数",
        "en": "Dots: observed; squares: observed after the origin; dark band: 50%; light band: "
        "95%; line: median",
    },
    "epi.scen.title": {
        "zh": "情景比较（自 2020-01-24 起 90 天，确定性模型）",
        "en": "Scenario comparison (90 days from 2020-01-24, deterministic model)",
    },
    "epi.scen.aria": {
        "zh": "基线与各情景的每日新增感染（41 城合计）",
        "en": "Daily new infections (41 cities) of the baseline and each scenario",
    },
    "epi.scen.travel": {"zh": "出行削减 90%", "en": "Travel cut 90%"},
    "epi.scen.transmission": {"zh": "传播削减 50%", "en": "Transmission cut 50%"},
    "epi.scen.both": {"zh": "出行 90% + 传播 50%", "en": "Travel 90% + transmission 50%"},
    "epi.scen.baseline": {"zh": "基线（无干预）", "en": "Baseline (no intervention)"},
    "epi.col.scenario": {"zh": "情景", "en": "Scenario"},
    "epi.col.averted": {"zh": "避免感染", "en": "Infections averted"},
    "epi.col.averted_share": {"zh": "占基线", "en": "Share of baseline"},
    "epi.col.delay": {"zh": "到达延迟中位数（天）", "en": "Median arrival delay (days)"},
    "epi.col.peak": {"zh": "峰值日期 基线→情景", "en": "Peak date baseline → scenario"},
    "epi.col.gdp": {"zh": "受限 GDP 占比（均值）", "en": "GDP under restriction (mean share)"},
    "epi.levels.title": {
        "zh": "应急响应级别建议与 2020 年实际级别",
        "en": "Recommended response levels against those declared in 2020",
    },
    "epi.levels.note": {
        "zh": "阈值为平台可配置的政策选择（参照美国 CDC 社区传播分级与床位占用指标），"
        "并非国家标准；实际级别为省级宣布（上海、江苏、浙江、安徽），逐行注明出处。一致率：{agreement}。",
        "en": "Thresholds are a configurable policy choice of the platform (after the US CDC "
        "community-transmission bands and bed-occupancy indicators), not a national standard; "
        "declared levels are the provinces' (Shanghai, Jiangsu, Zhejiang, Anhui), each row "
        "sourced. Agreement: {agreement}.",
    },
    "epi.col.level": {"zh": "建议级别", "en": "Recommended"},
    "epi.col.declared": {"zh": "实际级别", "en": "Declared"},
    "epi.col.compare": {"zh": "比较", "en": "Comparison"},
    "epi.col.incidence": {"zh": "每 10 万人周病例", "en": "Weekly cases per 100k"},
    "epi.col.reason": {"zh": "理由", "en": "Reason"},
    "epi.cmp.same": {"zh": "一致", "en": "same"},
    "epi.cmp.more-serious": {"zh": "建议更高", "en": "more serious"},
    "epi.cmp.less-serious": {"zh": "建议更低", "en": "less serious"},
    "epi.cmp.none-declared": {"zh": "无实际级别数据", "en": "no declared level"},
    "epi.nodata": {
        "zh": "尚未载入区域参考数据（人口），无法预测。请运行 dyrd region load。",
        "en": "The region reference data (population) are not loaded, so nothing can be "
        "forecast. Run dyrd region load.",
    },
    "epi.bad_origin": {
        "zh": "预测起点 {value} 不是 YYYY-MM-DD 格式的日期，已使用默认起点。",
        "en": "Origin {value} is not a YYYY-MM-DD date; the default origin is shown.",
    },
    "epi.bad_city": {
        "zh": "城市代码 {value} 不在 41 个城市之中，已显示温州。",
        "en": "City code {value} is not one of the 41 cities; Wenzhou is shown.",
    },
    "epi.cal.title": {
        "zh": "校准诊断：IF-EAKF 后验与论文对照（Li 等 2020，2020 年 1 月 10-23 日）",
        "en": "Calibration diagnostics: IF-EAKF posterior against the paper (Li et al. 2020, "
        "10-23 Jan 2020)",
    },
    "epi.cal.param": {"zh": "参数", "en": "Parameter"},
    "epi.cal.estimate": {"zh": "迭代滤波估计", "en": "IF estimate"},
    "epi.cal.interval": {"zh": "末次集合 95% 区间", "en": "Final ensemble 95%"},
    "epi.cal.paper": {"zh": "论文中位数（95% 区间）", "en": "Paper median (95% CI)"},
    "epi.cal.inside": {"zh": "落在论文区间内", "en": "Inside the paper's CI"},
    "epi.cal.path": {
        "zh": "各轮迭代均值（先验范围内）",
        "en": "Mean per iteration (within the prior)",
    },
    "epi.cal.yes": {"zh": "是", "en": "yes"},
    "epi.cal.no": {"zh": "否", "en": "no"},
    "epi.cal.note": {
        "zh": "{source}；用时 {seconds} 秒。末次集合仍带最后一轮的参数扰动，故区间宽于可信区间；"
        "预测以迭代滤波估计为参数（dyrd epidemic forecast --posterior）。",
        "en": "{source}; {seconds} s. The final ensemble still carries the last round's "
        "parameter perturbation, so its interval is wider than a credible interval; forecasts "
        "run on the IF estimate (dyrd epidemic forecast --posterior).",
    },
}
