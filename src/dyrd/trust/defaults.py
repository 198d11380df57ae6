"""The members every installation starts with: the region, four jurisdictions, their departments.

Jurisdiction names and GB/T 2260 codes are those of the province-level divisions. The trust domain
keeps its own copy instead of reading the region domain's tables: domains are independent.
"""

from __future__ import annotations

from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust.types import JURISDICTION_CLASS, MemberSpec

REGION = MemberSpec(REGION_MEMBER_ID, "长江三角洲区域", "Yangtze River Delta region")

JURISDICTIONS: tuple[tuple[str, str, str], ...] = (
    ("310000", "上海市", "Shanghai"),
    ("320000", "江苏省", "Jiangsu"),
    ("330000", "浙江省", "Zhejiang"),
    ("340000", "安徽省", "Anhui"),
)

# Named by function, as every provincial government has one: the data body's official name varies
# between provinces and over time (e.g. 浙江省大数据发展管理局 became 浙江省数据局 in 2024).
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("DSJ", "大数据局", "Big Data Bureau"),
    ("WJW", "卫生健康委员会", "Health Commission"),
    ("SCJG", "市场监督管理局", "Administration for Market Regulation"),
    ("FGW", "发展和改革委员会", "Development and Reform Commission"),
)


def jurisdiction_id(code: str) -> str:
    """Identifier of the jurisdiction with GB/T 2260 code ``code``."""
    return f"{REGION_MEMBER_ID}/{JURISDICTION_CLASS}/{code}"


def default_members() -> tuple[MemberSpec, ...]:
    """The region, then each jurisdiction followed by its departments (parents before children)."""
    out = [REGION]
    for code, zh, en in JURISDICTIONS:
        jid = jurisdiction_id(code)
        out.append(MemberSpec(jid, zh, en))
        out.extend(
            MemberSpec(f"{jid}/{dept}", f"{zh}{dept_zh}", f"{en} {dept_en}")
            for dept, dept_zh, dept_en in DEPARTMENTS
        )
    return tuple(out)
