"""Health codes: residents under pseudonyms, colour rules as signed CertLogic data, colours with
reasons, HCERT-container codes, batch re-evaluation (polars / Dask), appeals and access logs;
venues (场所码), scans and contact tracing across jurisdictions through the exchange gateway."""

from dyrd.healthcode.compute.claims import MAX_QR_TEXT, YRD_HC_CLAIM_KEY, CodeClaims, our_claim
from dyrd.healthcode.compute.colour import Rule
from dyrd.healthcode.ports import CredentialCodec, IdSecret
from dyrd.healthcode.schemas import (
    AccessRead,
    AppealAnswer,
    AppealCreate,
    AppealRead,
    CodeRead,
    ColourRead,
    ReevaluationRead,
    ResidentCreate,
    ResidentRead,
    RiskListCreate,
    RuleRead,
)
from dyrd.healthcode.service import (
    access_log,
    answer_appeal,
    issue_code,
    list_appeals,
    list_rules,
    load_sample_rules,
    record_access,
    reevaluate_all,
    register_resident,
    resident_colour,
    submit_appeal,
    verified_rules,
)
from dyrd.healthcode.service.tracing import covisitor_lookup, trace_case
from dyrd.healthcode.service.venues import list_venues, record_scan, register_venue, venue_code
from dyrd.healthcode.tracing_schemas import (
    RemoteLookup,
    ScanCreate,
    ScanRead,
    TraceCreate,
    TraceRead,
    VenueCodeRead,
    VenueCreate,
    VenueRead,
)
from dyrd.healthcode.types import Colour, ColourVerdict, RiskLevel, RuleRef

__all__ = [
    "MAX_QR_TEXT",
    "YRD_HC_CLAIM_KEY",
    "AccessRead",
    "AppealAnswer",
    "AppealCreate",
    "AppealRead",
    "CodeClaims",
    "CodeRead",
    "Colour",
    "ColourRead",
    "ColourVerdict",
    "CredentialCodec",
    "IdSecret",
    "ReevaluationRead",
    "RemoteLookup",
    "ResidentCreate",
    "ResidentRead",
    "RiskLevel",
    "RiskListCreate",
    "Rule",
    "RuleRead",
    "RuleRef",
    "ScanCreate",
    "ScanRead",
    "TraceCreate",
    "TraceRead",
    "VenueCodeRead",
    "VenueCreate",
    "VenueRead",
    "access_log",
    "answer_appeal",
    "covisitor_lookup",
    "issue_code",
    "list_appeals",
    "list_rules",
    "list_venues",
    "load_sample_rules",
    "our_claim",
    "record_access",
    "record_scan",
    "reevaluate_all",
    "register_resident",
    "register_venue",
    "resident_colour",
    "submit_appeal",
    "trace_case",
    "venue_code",
    "verified_rules",
]
