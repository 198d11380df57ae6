"""The signed regional directory: its JSON form, signing input and verification (pure).

Like X-Road's signed global configuration, the directory tells every node who the members are,
where their nodes answer, which services they offer and which public keys speak for them. The
region's root key signs it; a node pins that one public key and trusts the rest through it.

Form: one JSON object ``{"directory": PAYLOAD, "signature": {"protected": H, "signature": S}}``.
That is a JWS in flattened JSON serialisation (RFC 7515 §7.2.2) with a detached payload
(RFC 7515 Appendix F): the payload bytes are the RFC 8785 canonical form of ``directory``, so any
JOSE library verifies it after computing ``base64url(JCS(directory))``. JSON rather than COSE
because the directory is served over HTTP to programs and read by people; determinism comes
from JCS, not from a second binary encoding (COSE suits the credential domain's QR codes).
"""

from __future__ import annotations

from dyrd.trust.compute.directory.build import (
    content_digest,
    key_entry,
    listing_digest,
    member_entry,
    payload,
    protected_header,
    service_entry,
    sign_directory,
    signing_input,
)
from dyrd.trust.compute.directory.model import (
    CLOCK_SKEW,
    FORMAT,
    JWS_TYPE,
    MAX_DOCUMENT_BYTES,
    Directory,
    DirectoryKey,
    DirectoryMember,
    DirectoryRejected,
    DirectoryService,
    DirectoryTrustList,
    RejectReason,
    format_time,
    parse_time,
    summary,
)
from dyrd.trust.compute.directory.verify import (
    check_succession,
    check_time,
    open_directory,
    pinned_keys,
    verify_directory,
)

__all__ = [
    "CLOCK_SKEW",
    "FORMAT",
    "JWS_TYPE",
    "MAX_DOCUMENT_BYTES",
    "Directory",
    "DirectoryKey",
    "DirectoryMember",
    "DirectoryRejected",
    "DirectoryService",
    "DirectoryTrustList",
    "RejectReason",
    "check_succession",
    "check_time",
    "content_digest",
    "format_time",
    "key_entry",
    "listing_digest",
    "member_entry",
    "open_directory",
    "parse_time",
    "payload",
    "pinned_keys",
    "protected_header",
    "service_entry",
    "sign_directory",
    "signing_input",
    "summary",
    "verify_directory",
]
