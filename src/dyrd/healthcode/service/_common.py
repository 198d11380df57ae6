"""What the health-code use cases share: jurisdictions, roles, cities, field checks."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.errors import FieldError
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.healthcode.errors import HealthInputInvalid, ResidentNotFound
from dyrd.healthcode.models import Resident
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.types import JURISDICTION_PREFIX
from dyrd.region import service as region


def member_of(jurisdiction: str) -> str:
    """Trust member id of a jurisdiction (``CN-YRD/GOV/330000``): signs its rules and codes."""
    return f"{REGION_MEMBER_ID}/GOV/{jurisdiction}"


def acting(principal: Principal, role: Role, jurisdiction: str) -> Actor:
    """The actor for an action needing ``role`` in the jurisdiction's member (or the region's)."""
    return principal.acting_for(role, member_of(jurisdiction))


def jurisdiction_problem(value: str, location: str = "jurisdiction") -> FieldError | None:
    """A problem when ``value`` is not one of the four YRD jurisdictions."""
    if value in JURISDICTION_PREFIX:
        return None
    return FieldError(
        location,
        "Not a YRD jurisdiction; use 310000, 320000, 330000 or 340000.",
        "不是长三角省级行政区；应为 310000、320000、330000 或 340000。",
    )


def raise_if_any(*problems: FieldError | None, what: str = "input") -> None:
    """HealthInputInvalid listing every problem, if there is any."""
    found = [p for p in problems if p is not None]
    if found:
        raise HealthInputInvalid(
            f"{len(found)} field(s) of the {what} are invalid.",
            f"{what} 有 {len(found)} 个字段无效。",
            errors=found,
        )


def cities(session: Session) -> dict[str, tuple[str, str]]:
    """The 41 cities: code -> (Chinese name, English name), from the region domain."""
    return {c.code: (c.name_zh, c.name_en) for c in region.list_cities(session)}


def city_problems(
    known: Mapping[str, object], city: str, district: str | None, location: str, sep: str = "."
) -> list[FieldError]:
    """Problems of a (city, district) pair: the city must be one of the 41, the district in it."""
    out = []
    if city not in known:
        out.append(
            FieldError(
                f"{location}{sep}city_code",
                "Not one of the 41 YRD cities (GB/T 2260 code, e.g. 330100).",
                "不是长三角 41 个城市之一（GB/T 2260 代码，如 330100）。",
                value=city[:16],
            )
        )
    if district is not None and not (
        len(district) == 6 and district.isdigit() and district[:4] == city[:4] and district != city
    ):
        out.append(
            FieldError(
                f"{location}{sep}district_code",
                "A district is a 6-digit county-level code of the same city (e.g. 330106).",
                "区县应为该市下属的 6 位县级代码（如 330106）。",
                value=district[:16],
            )
        )
    return out


def require_resident(repo: HealthcodeRepository, resident_id: str) -> Resident:
    """The resident or ResidentNotFound."""
    row = repo.resident(resident_id)
    if row is None:
        raise ResidentNotFound(
            f"No resident with id {resident_id!r}.",
            f"没有 ID 为 {resident_id} 的居民。",
            hint="Register the resident first (POST /api/v1/healthcode/residents).",
        )
    return row
