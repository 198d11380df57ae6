"""Use cases: register enterprises, certifications, violations, products and supply links."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.region import service as region_service
from dyrd.supply.compute import credit_code, gs1
from dyrd.supply.errors import InvalidCode, SupplyConflict, SupplyNotFound
from dyrd.supply.models import Certification, Enterprise, Product, SupplyLink, Violation
from dyrd.supply.repository import SupplyRepository
from dyrd.supply.schemas import (
    CertificationCreate,
    CertificationRead,
    EnterpriseCreate,
    EnterpriseRead,
    LinkCreate,
    LinkRead,
    ProductCreate,
    ProductRead,
    ViolationCreate,
    ViolationRead,
)


def parse_code(raw: str, field: str = "code") -> str:
    """A validated, normalised credit code, or InvalidCode naming the fault."""
    try:
        return credit_code.parse(raw).code
    except credit_code.CreditCodeError as exc:
        raise InvalidCode(
            f"Invalid unified social credit code {raw!r}: {exc.message}",
            f"统一社会信用代码 {raw!r} 无效：{exc.message_zh}",
            errors=[FieldError(field, exc.message, exc.message_zh, raw)],
            hint="Check the 18 characters against the business licence (GB 32100-2015).",
        ) from exc


def parse_gtin(raw: str, field: str = "gtin") -> str:
    """A validated GTIN-14, or InvalidCode."""
    try:
        return gs1.parse_gtin(raw)
    except gs1.Gs1Error as exc:
        raise InvalidCode(
            f"Invalid GTIN {raw!r}: {exc.message}",
            f"GTIN {raw!r} 无效：{exc.message_zh}",
            errors=[FieldError(field, exc.message, exc.message_zh, raw)],
        ) from exc


def city_codes(session: Session) -> dict[str, tuple[float, float]]:
    """The region's cities and their centroids (lat, lon)."""
    return {c.code: (c.lat, c.lon) for c in region_service.list_cities(session)}


def check_city(session: Session, code: str, field: str = "city_code") -> None:
    """Refuse a city code the region does not have."""
    if code not in city_codes(session):
        raise SupplyNotFound(
            f"No city with code {code!r} in the region.",
            f"区域内没有代码为 {code} 的城市。",
            errors=[FieldError(field, "unknown city", "未知城市", code)],
            hint="List them with `dyrd region cities`.",
        )


def require(repo: SupplyRepository, code: str) -> Enterprise:
    """The enterprise or SupplyNotFound."""
    row = repo.enterprise(code)
    if row is None:
        raise SupplyNotFound(
            f"No enterprise with code {code}.",
            f"没有统一社会信用代码为 {code} 的企业。",
            hint="Register it first (`dyrd supply enterprise add`).",
        )
    return row


def read(repo: SupplyRepository, row: Enterprise) -> EnterpriseRead:
    """The enterprise with its certifications, violations and chains."""
    out = EnterpriseRead.model_validate(row)
    out.registration_division = credit_code.parse(row.code).division
    out.certifications = [
        CertificationRead.model_validate(c) for c in repo.certifications(row.code)
    ]
    out.violations = [ViolationRead.model_validate(v) for v in repo.violations(row.code)]
    out.chains = repo.chains_of(row.code)
    return out


def register(
    session: Session, data: EnterpriseCreate, *, actor: Actor, clock: Clock
) -> EnterpriseRead:
    """Register an enterprise (code checked, city in the region, GLN checked if given)."""
    code = parse_code(data.code)
    check_city(session, data.city_code)
    gln = None
    if data.gln is not None:
        try:
            gln = gs1.parse_gln(data.gln)
        except gs1.Gs1Error as exc:
            raise InvalidCode(
                f"Invalid GLN {data.gln!r}: {exc.message}",
                f"GLN {data.gln!r} 无效：{exc.message_zh}",
                errors=[FieldError("gln", exc.message, exc.message_zh, data.gln)],
            ) from exc
    repo = SupplyRepository(session)
    if repo.enterprise(code) is not None:
        raise SupplyConflict(f"Enterprise {code} is already registered.", f"企业 {code} 已登记。")
    row = Enterprise(
        code=code,
        name_zh=data.name_zh,
        name_en=data.name_en,
        city_code=data.city_code,
        industry=data.industry,
        credit_grade=None if data.credit_grade is None else str(data.credit_grade),
        gln=gln,
        final_demand_per_day=data.final_demand_per_day,
    )
    repo.add(row, actor, clock())
    out = read(repo, row)
    session.commit()
    return out


def get(session: Session, code: str) -> EnterpriseRead:
    """One enterprise."""
    repo = SupplyRepository(session)
    return read(repo, require(repo, parse_code(code)))


def list_enterprises(session: Session, *, city: str | None = None) -> list[EnterpriseRead]:
    """Enterprises (of one city if given)."""
    repo = SupplyRepository(session)
    return [read(repo, r) for r in repo.enterprises(city=city)]


def add_certification(
    session: Session, code: str, data: CertificationCreate, *, actor: Actor, clock: Clock
) -> EnterpriseRead:
    """Record a certification."""
    repo = SupplyRepository(session)
    ent = require(repo, parse_code(code))
    repo.add(
        Certification(
            enterprise_code=ent.code,
            name=data.name,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
        ),
        actor,
        clock(),
    )
    out = read(repo, ent)
    session.commit()
    return out


def add_violation(
    session: Session, code: str, data: ViolationCreate, *, actor: Actor, clock: Clock
) -> EnterpriseRead:
    """Record a violation."""
    repo = SupplyRepository(session)
    ent = require(repo, parse_code(code))
    repo.add(
        Violation(
            enterprise_code=ent.code,
            occurred_on=data.occurred_on,
            severity=str(data.severity),
            authority=data.authority,
        ),
        actor,
        clock(),
    )
    out = read(repo, ent)
    session.commit()
    return out


def add_product(
    session: Session, data: ProductCreate, *, actor: Actor, clock: Clock
) -> ProductRead:
    """Register a product by GTIN."""
    gtin = parse_gtin(data.gtin)
    repo = SupplyRepository(session)
    ent = require(repo, parse_code(data.enterprise_code, "enterprise_code"))
    if repo.product(gtin) is not None:
        raise SupplyConflict(f"GTIN {gtin} is already registered.", f"GTIN {gtin} 已登记。")
    row = Product(
        gtin=gtin, name=data.name, product_class=data.product_class, enterprise_code=ent.code
    )
    repo.add(row, actor, clock())
    out = ProductRead.model_validate(row)
    session.commit()
    return out


def list_products(session: Session, *, enterprise: str | None = None) -> list[ProductRead]:
    """Products (of one enterprise if given)."""
    code = None if enterprise is None else parse_code(enterprise, "enterprise")
    return [
        ProductRead.model_validate(p) for p in SupplyRepository(session).products(enterprise=code)
    ]


def add_link(session: Session, data: LinkCreate, *, actor: Actor, clock: Clock) -> LinkRead:
    """Record a standing supply relation."""
    repo = SupplyRepository(session)
    supplier = require(repo, parse_code(data.supplier_code, "supplier_code"))
    customer = require(repo, parse_code(data.customer_code, "customer_code"))
    if supplier.code == customer.code:
        raise SupplyConflict("An enterprise cannot supply itself.", "企业不能向自身供货。")
    if repo.link(supplier.code, customer.code, data.product_class) is not None:
        raise SupplyConflict("This supply link already exists.", "该供货关系已存在。")
    row = SupplyLink(
        supplier_code=supplier.code,
        customer_code=customer.code,
        product_class=data.product_class,
        value_per_day=data.value_per_day,
    )
    repo.add(row, actor, clock())
    out = LinkRead.model_validate(row)
    session.commit()
    return out


def list_links(session: Session) -> list[LinkRead]:
    """Every supply link."""
    return [LinkRead.model_validate(r) for r in SupplyRepository(session).links()]
