"""Use cases of the trust domain: members, users, roles, API tokens, authentication, member keys,
signing ports for other domains, and the signed regional directory.

Every entry point takes its dependencies as keyword arguments and commits once. Writes take
``by``: a Principal, whose roles are checked, or an operator's Actor (the CLI), trusted as is.
"""

from __future__ import annotations

from dyrd.trust.service._common import Caller
from dyrd.trust.service.certificates import (
    DocumentSigner,
    document_signer,
    ensure_csca,
    find_certificate,
    issue_certificate,
    list_certificates,
    reconcile,
    revoke_certificate,
)
from dyrd.trust.service.directory import (
    DEFAULT_VALIDITY,
    SignedDirectory,
    check_directory,
    current_directory,
    get_node,
    latest_directory,
    parse_root_key,
    publish_directory,
    root_public_jwk,
    set_node,
)
from dyrd.trust.service.keys import (
    ROOT_ALGORITHM,
    KeyInitReport,
    create_key,
    get_key,
    init_default_keys,
    list_keys,
    revoke_key,
    rotate_key,
)
from dyrd.trust.service.members import (
    MemberLoadReport,
    create_member,
    get_member,
    list_members,
    load_default_members,
)
from dyrd.trust.service.signing import (
    KeySigner,
    KeyTableVerifier,
    key_verifier,
    member_signer,
    region_signer,
    verify_signature,
)
from dyrd.trust.service.tokens import (
    LAST_USED_RESOLUTION,
    authenticate,
    authenticator,
    create_token,
    list_tokens,
    revoke_token,
)
from dyrd.trust.service.trustlist import (
    SignedTrustList,
    current_trust_list,
    signed_trust_list,
    trust_list_info,
    trust_list_pointer,
    trust_list_version,
)
from dyrd.trust.service.users import create_user, get_user, grant_role, revoke_role, set_user_active

__all__ = [
    "DEFAULT_VALIDITY",
    "LAST_USED_RESOLUTION",
    "ROOT_ALGORITHM",
    "Caller",
    "DocumentSigner",
    "KeyInitReport",
    "KeySigner",
    "KeyTableVerifier",
    "MemberLoadReport",
    "SignedDirectory",
    "SignedTrustList",
    "authenticate",
    "authenticator",
    "check_directory",
    "create_key",
    "create_member",
    "create_token",
    "create_user",
    "current_directory",
    "current_trust_list",
    "document_signer",
    "ensure_csca",
    "find_certificate",
    "get_key",
    "get_member",
    "get_node",
    "get_user",
    "grant_role",
    "init_default_keys",
    "issue_certificate",
    "key_verifier",
    "latest_directory",
    "list_certificates",
    "list_keys",
    "list_members",
    "list_tokens",
    "load_default_members",
    "member_signer",
    "parse_root_key",
    "publish_directory",
    "reconcile",
    "region_signer",
    "revoke_certificate",
    "revoke_key",
    "revoke_role",
    "revoke_token",
    "root_public_jwk",
    "rotate_key",
    "set_node",
    "set_user_active",
    "signed_trust_list",
    "trust_list_info",
    "trust_list_pointer",
    "trust_list_version",
    "verify_signature",
]
