"""Use cases of the health-code domain."""

from dyrd.healthcode.service._common import member_of
from dyrd.healthcode.service.appeals import (
    DEFAULT_APPEAL_WORKING_DAYS,
    access_log,
    answer_appeal,
    list_appeals,
    submit_appeal,
)
from dyrd.healthcode.service.checkpoint import checkpoint_actor, verify_at_checkpoint
from dyrd.healthcode.service.colours import (
    load_inputs,
    record_access,
    reevaluate_all,
    resident_colour,
)
from dyrd.healthcode.service.inputs import (
    current_risk_list,
    import_risk_list_csv,
    import_stays_csv,
    publish_risk_list,
    record_contact,
    record_stay,
    record_symptoms,
    record_test,
    record_vaccination,
)
from dyrd.healthcode.service.issue import issuance_counts, issue_code, reissuer
from dyrd.healthcode.service.policies import (
    PolicyBook,
    PolicyCache,
    SignedPolicy,
    checkpoint_policies,
    list_policies,
    load_sample_policies,
    policy_history,
    publish_policy,
    show_policy,
    store_sample_policies,
    stored_policies,
)
from dyrd.healthcode.service.residents import get_resident, register_resident
from dyrd.healthcode.service.rules import (
    list_rules,
    load_sample_rules,
    publish_rule,
    verified_rules,
    verify_rule,
)
from dyrd.healthcode.service.tracing import covisitor_lookup, trace_case
from dyrd.healthcode.service.venues import list_venues, record_scan, register_venue, venue_code

__all__ = [
    "DEFAULT_APPEAL_WORKING_DAYS",
    "PolicyBook",
    "PolicyCache",
    "SignedPolicy",
    "access_log",
    "answer_appeal",
    "checkpoint_actor",
    "checkpoint_policies",
    "covisitor_lookup",
    "current_risk_list",
    "get_resident",
    "import_risk_list_csv",
    "import_stays_csv",
    "issuance_counts",
    "issue_code",
    "list_appeals",
    "list_policies",
    "list_rules",
    "list_venues",
    "load_inputs",
    "load_sample_policies",
    "load_sample_rules",
    "member_of",
    "policy_history",
    "publish_policy",
    "publish_risk_list",
    "publish_rule",
    "record_access",
    "record_contact",
    "record_scan",
    "record_stay",
    "record_symptoms",
    "record_test",
    "record_vaccination",
    "reevaluate_all",
    "register_resident",
    "register_venue",
    "reissuer",
    "resident_colour",
    "show_policy",
    "store_sample_policies",
    "stored_policies",
    "submit_appeal",
    "trace_case",
    "venue_code",
    "verified_rules",
    "verify_at_checkpoint",
    "verify_rule",
]
