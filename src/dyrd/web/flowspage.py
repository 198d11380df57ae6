"""Page model of the exchange-flow map: who fetched data from whom through the gateway.

The numbers are counted from the audit ledger, one ``exchange.gateway`` entry per exchange the
provider's gateway answered or refused, so they are exactly what the log can prove. The ledger is
append-only, so the tally is kept per app and only new entries are read on each visit.

Public page: only counts per pair of members (government bodies), and counts of access requests
by status. Never purposes, users, resources or anything about a person.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.exchange import RequestStatus
from dyrd.exchange import service as exchange
from dyrd.exchange.service.gateway import LEDGER_KIND
from dyrd.ledger import service as ledger_service
from dyrd.ledger.schemas import EntryRead
from dyrd.region import service as region
from dyrd.web import mapsvg
from dyrd.web.catalogpage import Names, names
from dyrd.web.choropleth import build_map
from dyrd.web.common import Kpi
from dyrd.web.i18n import Lang, t

PATH = "/exchange"
ANSWERED = "answered"
REFUSED = "refused"
OUTCOMES = (ANSWERED, REFUSED)

# Display choice, not data: a member is drawn at its jurisdiction's capital (Shanghai at its own
# centroid), since members are government bodies, not places. A department shares the anchor.
ANCHOR_CITY: Mapping[str, str] = {
    "310000": "310000",  # 上海市
    "320000": "320100",  # 江苏省 -> 南京市
    "330000": "330100",  # 浙江省 -> 杭州市
    "340000": "340100",  # 安徽省 -> 合肥市
}
# Member ids as the trust domain issues them. A refused request's client header was never
# verified, so anything else is counted as unattributed rather than echoed on a public page.
_MEMBER = re.compile(r"^CN-YRD(/GOV/([1-9][0-9]{5})(/[A-Z][A-Z0-9]{1,15})?)?$")
UNATTRIBUTED = "-"
MAP_WIDTH = 1000.0
MAX_ARC_WIDTH = 14.0
MIN_ARC_WIDTH = 2.0

Pair = tuple[str, str, str]
"""(consumer member, provider member, outcome)."""

# Platform-wide, read-only counts: the region's viewer role sees every member's requests. Only
# the totals are used; no request of it ever reaches the page.
_COUNTING = Principal("dashboard.counts", {REGION_MEMBER_ID: frozenset({Role.VIEWER})})


def member_or_unattributed(value: object) -> str:
    """A well-formed member id as is; anything else (absent, forged, malformed) as ``-``."""
    return value if isinstance(value, str) and _MEMBER.match(value) else UNATTRIBUTED


def tally(entries: Iterable[EntryRead]) -> Counter[Pair]:
    """Gateway exchanges counted by (consumer, provider, outcome); other entries are skipped."""
    counts: Counter[Pair] = Counter()
    for e in entries:
        if e.kind != LEDGER_KIND:
            continue
        payload: Mapping[str, Any] = e.entry.get("payload") or {}
        outcome = ANSWERED if payload.get("outcome") == ANSWERED else REFUSED
        consumer = member_or_unattributed(payload.get("client"))
        provider = member_or_unattributed(payload.get("provider"))
        counts[(consumer, provider, outcome)] += 1
    return counts


@dataclass
class FlowTally:
    """Running counts of the ledger's gateway entries, read incrementally (the log only grows)."""

    seen: int = 0
    last_leaf: str = ""
    counts: Counter[Pair] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, session: Session) -> Counter[Pair]:
        """Read the entries appended since the last call; a copy of the counts."""
        with self.lock:
            size = ledger_service.log_size(session)
            if size < self.seen or (
                self.seen
                and ledger_service.get_entry(session, self.seen - 1).leaf_hash != self.last_leaf
            ):  # another database, or a rolled-back test: count again from the start
                self.seen, self.last_leaf, self.counts = 0, "", Counter()
            while self.seen < size:
                page = ledger_service.list_entries(
                    session, start=self.seen, end=self.seen + ledger_service.MAX_ENTRIES_PAGE
                )
                if not page.items:
                    break
                self.counts.update(tally(page.items))
                self.seen = page.items[-1].seq + 1
                self.last_leaf = page.items[-1].leaf_hash
            return Counter(self.counts)


def jurisdiction_of(member: str) -> str | None:
    """GB/T 2260 code of the jurisdiction a member belongs to; None for the region or unknown."""
    m = _MEMBER.match(member)
    return m.group(2) if m else None


@dataclass(frozen=True, slots=True)
class FlowRow:
    """Exchanges between one consumer member and one provider member."""

    consumer: str
    consumer_name: str
    provider: str
    provider_name: str
    answered: int
    refused: int

    @property
    def total(self) -> int:
        """Answered and refused together."""
        return self.answered + self.refused


@dataclass(frozen=True, slots=True)
class Arc:
    """One curve on the map: exchanges of one outcome from one jurisdiction to another."""

    d: str
    width: float
    outcome: str
    count: int
    source: str
    target: str
    title: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a jurisdiction's members are drawn."""

    code: str
    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class StatusCount:
    """Number of access requests in one status."""

    status: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class FlowsPage:
    """Everything the exchange-flow page shows."""

    view_box: str
    regions: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    arcs: tuple[Arc, ...]
    rows: tuple[FlowRow, ...]
    kpis: tuple[Kpi, ...]
    requests: tuple[StatusCount, ...]
    overdue: int
    total: int
    unmapped: int


def _name(member: str, who: Names, lang: Lang) -> str:
    return t("flows.unattributed", lang) if member == UNATTRIBUTED else who.owner(member, lang)


def flow_rows(counts: Mapping[Pair, int], who: Names, lang: Lang) -> tuple[FlowRow, ...]:
    """One row per (consumer, provider), the busiest first."""
    pairs = sorted({(c, p) for c, p, _ in counts})
    rows = [
        FlowRow(
            consumer=c,
            consumer_name=_name(c, who, lang),
            provider=p,
            provider_name=_name(p, who, lang),
            answered=counts.get((c, p, ANSWERED), 0),
            refused=counts.get((c, p, REFUSED), 0),
        )
        for c, p in pairs
    ]
    return tuple(sorted(rows, key=lambda r: (-r.total, r.consumer, r.provider)))


def arc_width(count: int, maximum: int) -> float:
    """Stroke width for ``count`` exchanges: area-like (square root) between the two bounds."""
    if count <= 0 or maximum <= 0:
        return 0.0
    return round(MIN_ARC_WIDTH + (MAX_ARC_WIDTH - MIN_ARC_WIDTH) * math.sqrt(count / maximum), 1)


def arc_path(
    a: tuple[float, float], b: tuple[float, float], *, bend: float, loop: float = 36.0
) -> str:
    """A quadratic curve from ``a`` to ``b`` bowed to its right by ``bend`` of its length.

    Bowing to the right keeps A→B and B→A apart. ``a == b`` (exchanges inside one jurisdiction)
    is drawn as a loop above the anchor, ``loop`` units tall, wider for a larger ``bend``.
    """
    (x1, y1), (x2, y2) = a, b
    if math.isclose(x1, x2) and math.isclose(y1, y2):
        w = loop * (0.5 + bend)
        return (
            f"M{x1:.1f} {y1:.1f}C{x1 - w:.1f} {y1 - loop * 1.6:.1f} "
            f"{x1 + w:.1f} {y1 - loop * 1.6:.1f} {x1:.1f} {y1:.1f}"
        )
    dx, dy = x2 - x1, y2 - y1
    cx = (x1 + x2) / 2 - dy * bend
    cy = (y1 + y2) / 2 + dx * bend
    return f"M{x1:.1f} {y1:.1f}Q{cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}"


def _arcs(
    counts: Mapping[Pair, int],
    anchors: Mapping[str, Anchor],
    who: Names,
    lang: Lang,
) -> tuple[tuple[Arc, ...], int]:
    """Arcs between jurisdictions, and how many exchanges have no place on the map."""
    by_pair: Counter[tuple[str, str, str]] = Counter()
    unmapped = 0
    for (consumer, provider, outcome), n in counts.items():
        src, dst = jurisdiction_of(consumer), jurisdiction_of(provider)
        if src is None or dst is None or src not in anchors or dst not in anchors:
            unmapped += n
            continue
        by_pair[(src, dst, outcome)] += n
    top = max(by_pair.values(), default=0)
    arcs = []
    for (src, dst, outcome), n in sorted(by_pair.items(), key=lambda kv: -kv[1]):
        a, b = anchors[src], anchors[dst]
        # Answered and refused flows of one pair take two different bows, so both stay visible.
        bend = 0.18 if outcome == ANSWERED else 0.32
        arcs.append(
            Arc(
                d=arc_path((a.x, a.y), (b.x, b.y), bend=bend),
                width=arc_width(n, top),
                outcome=outcome,
                count=n,
                source=src,
                target=dst,
                title=t(
                    f"flows.arc.{outcome}",
                    lang,
                    a=who.jurisdiction(src, lang),
                    b=who.jurisdiction(dst, lang),
                    n=n,
                ),
            )
        )
    # Widest first, so thin arcs are drawn on top and stay visible.
    return tuple(arcs), unmapped


def _request_counts(
    session: Session, clock: Clock, lang: Lang
) -> tuple[tuple[StatusCount, ...], int]:
    def total(**kw: Any) -> int:
        return exchange.list_requests(
            session, principal=_COUNTING, clock=clock, limit=1, **kw
        ).total

    counts = tuple(
        StatusCount(s.value, t(f"req.status.{s.value}", lang), total(status=s))
        for s in RequestStatus
    )
    return counts, total(status=RequestStatus.PENDING, overdue=True)


def flows_page(session: Session, *, lang: Lang, clock: Clock, flows: FlowTally) -> FlowsPage:
    """The flow map, the table of the same counts, and access requests by status."""
    counts = flows.update(session)
    who = names(session, [])
    features = region.boundaries(session).features
    cities = {c.code: c for c in region.list_cities(session)}
    base = build_map(features, cities, None, lang=lang, width=MAP_WIDTH, min_step=1.6)
    anchors: dict[str, Anchor] = {}
    if features:
        proj = mapsvg.Projection.fit(mapsvg.bbox_of(f.geometry for f in features), width=MAP_WIDTH)
        for code, city_code in ANCHOR_CITY.items():
            city = cities.get(city_code)
            if city is None:
                continue
            x, y = proj.project(city.lon, city.lat)
            anchors[code] = Anchor(code, round(x, 1), round(y, 1), who.jurisdiction(code, lang))
    arcs, unmapped = _arcs(counts, anchors, who, lang)
    requests, overdue = _request_counts(session, clock, lang)
    answered = sum(n for (_, _, o), n in counts.items() if o == ANSWERED)
    refused = sum(n for (_, _, o), n in counts.items() if o == REFUSED)
    pending = next(r.count for r in requests if r.status == RequestStatus.PENDING)
    kpis = (
        Kpi(
            label=t("flows.kpi.total", lang),
            value=f"{answered + refused:,}",
            note=t("flows.kpi.total.note", lang),
        ),
        Kpi(label=t("flows.kpi.answered", lang), value=f"{answered:,}"),
        Kpi(label=t("flows.kpi.refused", lang), value=f"{refused:,}"),
        Kpi(
            label=t("flows.kpi.pending", lang),
            value=f"{pending:,}",
            note=t("flows.kpi.overdue", lang, n=overdue),
        ),
    )
    return FlowsPage(
        view_box=base.view_box,
        regions=tuple(r.d for r in base.regions),
        anchors=tuple(anchors.values()),
        arcs=arcs,
        rows=flow_rows(counts, who, lang),
        kpis=kpis,
        requests=requests,
        overdue=overdue,
        total=answered + refused,
        unmapped=unmapped,
    )
