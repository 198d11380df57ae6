"""Revocation lists as the EU DCC revocation design has them, adapted to deltas (pure).

What is revoked is never a person or a credential's content but a 16-byte hash that a verifier
can compute from the credential it holds (eHealth Network, DCC revocation; the reference is
eu-digital-green-certificates/dgca-revocation-distribution-service and the verifier apps):

* ``SIGNATURE``: SHA-256 of the COSE signature, for ECDSA only of ``r`` (its first half). ECDSA
  signatures are malleable: ``(r, n - s)`` verifies as well as ``(r, s)``, so a hash over the
  whole signature could be dodged by re-encoding the QR code; ``r`` is fixed by the signing.
  RSA-PSS and EdDSA signatures are hashed whole. Revokes one issued code, whatever it says.
* ``UCI``: SHA-256 of the unique certificate identifier (UTF-8). Revokes every code that
  carries that identifier (re-issues of one certificate).
* ``COUNTRYCODEUCI``: SHA-256 of the issuer's country code (the CWT ``iss`` claim) followed by
  the UCI, so two issuers' identical UCIs do not collide.

Each hash is truncated to its first 16 bytes (128 bits: a random collision needs ~2**64
entries). Entries are grouped as DCC groups them: by the 8-byte key identifier (``kid``) of
the document-signer key that signed the credential, then by hash type, then into partitions by
a prefix of the hash (DCC's ``x`` coordinate; here the first hex digit, 16 partitions), so a
change touches one small partition and a verifier downloads only what changed.

A list is versioned: every revocation or lift takes the issuer's next version number. A
delta since version ``V`` lists the entries added after ``V`` that are still revoked and the
entries lifted after ``V``; applying it to any state at a version between ``V`` and the delta's
own version gives the state at the delta's version (the order of events is not needed, only the
last one per entry). The full list is the delta since 0.

Each partition is a Bloom filter (``dyrd.credential.compute.bloom``, false-positive rate
``10**-12`` by default, DCC's configured rate) plus the exact hash list. A verifier that holds
the lists answers from them (exact: never refuses a valid credential by a false positive) and
uses the filters' digests to prove its copy equals the issuer's; one that keeps filters only
(``bloom=true`` downloads) answers from the filters at their false-positive rate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dyrd.credential.compute.bloom import BloomFilter, BloomParameters, parameters

HASH_BYTES = 16
"""Revocation hashes are the first 128 bits of SHA-256 (DCC revocation, all hash types)."""

KID_BYTES = 8
"""DCC key identifiers: the first 8 bytes of SHA-256 of the DSC certificate (hcert spec §3.3.1)."""

PARTITION_BITS = 4
"""Hash-prefix bits that pick the partition: one hex digit, 16 partitions per kid and type."""

DEFAULT_FP_EXPONENT = 12
"""Bloom filters target a false-positive rate of 10**-12, DCC's configured rate."""

MIN_CAPACITY = 16
"""Smallest capacity a partition filter is sized for; capacities grow in powers of two so a
partition's filter keeps its parameters while it fills (and filters of equal capacity unite)."""

ECDSA_ALGORITHMS = frozenset({-7, -35, -36, "ES256", "ES384", "ES512"})
"""COSE ECDSA algorithm ids (RFC 9053 §2.1) and names: their SIGNATURE hash covers ``r`` only."""


class HashType(StrEnum):
    """What a revocation hash is computed over (DCC names)."""

    SIGNATURE = "SIGNATURE"
    UCI = "UCI"
    COUNTRYCODEUCI = "COUNTRYCODEUCI"


def _h16(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:HASH_BYTES]


def signature_hash(signature: bytes, *, alg: int | str) -> bytes:
    """SIGNATURE hash: of ``r`` for ECDSA (the first half of ``r || s``), else of the whole."""
    if not signature:
        raise ValueError("empty signature")
    if alg in ECDSA_ALGORITHMS:
        if len(signature) % 2:
            raise ValueError("an ECDSA signature is r || s of equal lengths")
        return _h16(signature[: len(signature) // 2])
    return _h16(signature)


def uci_hash(uci: str) -> bytes:
    """UCI hash: of the unique certificate identifier's UTF-8 bytes."""
    if not uci:
        raise ValueError("empty UCI")
    return _h16(uci.encode("utf-8"))


def country_uci_hash(country: str, uci: str) -> bytes:
    """COUNTRYCODEUCI hash: of the issuer's country code followed by the UCI."""
    if not country or not uci:
        raise ValueError("empty country code or UCI")
    return _h16((country + uci).encode("utf-8"))


def credential_hashes(
    *,
    signature: bytes | None,
    alg: int | str | None,
    uci: str | None = None,
    country: str | None = None,
) -> dict[HashType, bytes]:
    """Every hash a verifier can compute from one credential (those whose inputs are given)."""
    out: dict[HashType, bytes] = {}
    if signature and alg is not None:
        out[HashType.SIGNATURE] = signature_hash(signature, alg=alg)
    if uci:
        out[HashType.UCI] = uci_hash(uci)
        if country:
            out[HashType.COUNTRYCODEUCI] = country_uci_hash(country, uci)
    return out


def partition_of(hash_: bytes, bits: int = PARTITION_BITS) -> int:
    """The partition (DCC ``x``) of a hash: its first ``bits`` bits."""
    return hash_[0] >> (8 - bits)


@dataclass(frozen=True, slots=True, order=True)
class Entry:
    """One revoked hash under one signing key."""

    kid: bytes
    hash_type: HashType
    hash: bytes

    def __post_init__(self) -> None:
        if len(self.kid) != KID_BYTES:
            raise ValueError(f"a kid is {KID_BYTES} bytes")
        if len(self.hash) != HASH_BYTES:
            raise ValueError(f"a revocation hash is {HASH_BYTES} bytes")

    @property
    def partition(self) -> PartitionKey:
        """The partition the entry belongs to."""
        return PartitionKey(self.kid, self.hash_type, partition_of(self.hash))


@dataclass(frozen=True, slots=True, order=True)
class PartitionKey:
    """Where a partition sits: signing key, hash type, hash prefix."""

    kid: bytes
    hash_type: HashType
    x: int


def capacity(n: int) -> int:
    """The capacity a partition with ``n`` entries is sized for: a power of two >= n."""
    cap = MIN_CAPACITY
    while cap < n:
        cap *= 2
    return cap


def partition_parameters(n: int, fp_exponent: int = DEFAULT_FP_EXPONENT) -> BloomParameters:
    """Bloom parameters of a partition holding ``n`` entries."""
    return parameters(capacity(n), 10.0**-fp_exponent)


def partition_filter(
    hashes: Iterable[bytes], fp_exponent: int = DEFAULT_FP_EXPONENT
) -> BloomFilter:
    """The partition's Bloom filter: its hashes in sorted order into a filter sized for them."""
    ordered = sorted(set(hashes))
    return BloomFilter.build(ordered, partition_parameters(len(ordered), fp_exponent))


def filter_digest(hashes: Iterable[bytes], fp_exponent: int = DEFAULT_FP_EXPONENT) -> str:
    """Hex SHA-256 of the partition filter's bytes: what issuer and verifier compare."""
    return hashlib.sha256(partition_filter(hashes, fp_exponent).to_bytes()).hexdigest()


# --- states and deltas ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delta:
    """The change of an issuer's list from version ``since`` to ``version``."""

    issuer: str
    since: int
    version: int
    added: frozenset[Entry]
    removed: frozenset[Entry]

    def __post_init__(self) -> None:
        if not 0 <= self.since <= self.version:
            raise ValueError("a delta goes from a version to the same or a later one")
        if self.added & self.removed:
            raise ValueError("an entry cannot be both added and removed in one delta")

    @property
    def is_full(self) -> bool:
        """True for the whole list (a delta since version 0)."""
        return self.since == 0

    def partitions(self) -> set[PartitionKey]:
        """The partitions this delta touches."""
        return {e.partition for e in self.added | self.removed}


@dataclass(frozen=True, slots=True)
class ListState:
    """One issuer's revocation list at a version: the set of revoked entries."""

    issuer: str
    version: int = 0
    entries: frozenset[Entry] = field(default_factory=frozenset)

    def apply(self, delta: Delta) -> ListState:
        """The state after ``delta``; ValueError when it does not connect to this version.

        It connects when ``delta.since <= self.version <= delta.version``: overlapping deltas
        are harmless (adding a present entry or removing an absent one changes nothing).
        """
        if delta.issuer != self.issuer:
            raise ValueError(f"a delta of {delta.issuer} cannot apply to {self.issuer}'s list")
        if not delta.since <= self.version <= delta.version:
            raise ValueError(
                f"delta {delta.since}->{delta.version} does not connect to version {self.version}"
            )
        entries = (self.entries - delta.removed) | delta.added
        return ListState(self.issuer, delta.version, frozenset(entries))

    def partitions(self) -> dict[PartitionKey, frozenset[bytes]]:
        """The hashes of each non-empty partition."""
        out: dict[PartitionKey, set[bytes]] = {}
        for e in self.entries:
            out.setdefault(e.partition, set()).add(e.hash)
        return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class Event:
    """An issuer-side record as the delta computation needs it.

    ``version`` is when the entry was (last) revoked; ``lifted_version`` when it was lifted,
    None while it stands.
    """

    entry: Entry
    version: int
    lifted_version: int | None = None

    @property
    def current(self) -> bool:
        """True while the revocation stands."""
        return self.lifted_version is None


def delta_since(issuer: str, events: Iterable[Event], since: int, version: int) -> Delta:
    """The delta from ``since`` to ``version`` given each entry's latest record.

    Added: entries that stand and were revoked after ``since``. Removed: entries lifted after
    ``since`` (lifting one a verifier never had is a no-op there).
    """
    if since > version:
        raise ValueError("since is after the list's version")
    added: set[Entry] = set()
    removed: set[Entry] = set()
    for event in events:
        if event.current:
            if event.version > since:
                added.add(event.entry)
        elif event.lifted_version is not None and event.lifted_version > since:
            removed.add(event.entry)
    return Delta(issuer, since, version, frozenset(added), frozenset(removed))


# --- who may revoke under a kid ------------------------------------------------------------------

KidOwners = Callable[[bytes], Collection[str]]
"""The members whose document-signer certificate (DSC) has this kid, as a trust list says;
empty when the kid is unknown to it."""


def belongs_to(member: str, issuer: str) -> bool:
    """True when ``member`` is ``issuer`` or one of its departments (``<issuer>/<DEPT>``).

    Only the direct parent counts: the region's root member does not own its jurisdictions' keys.
    """
    return member == issuer or (member.count("/") >= 3 and member.rpartition("/")[0] == issuer)


def owns_kid(owners: KidOwners, kid: bytes, issuer: str) -> bool:
    """True when the trust list puts a DSC with ``kid`` under ``issuer`` (or its departments).

    A kid shared by two members' DSCs (a collision, or a copied certificate) is owned by neither
    alone: an entry is honoured only when every listed holder of the kid belongs to the issuer.
    """
    holders = owners(kid)
    return bool(holders) and all(belongs_to(m, issuer) for m in holders)


def owned_state(state: ListState, owners: KidOwners) -> tuple[ListState, int]:
    """The state without entries under kids the issuer does not own, and how many were dropped.

    A signed revocation list proves only who signed it, not that the signer issued the codes it
    names: member A must not revoke member B's codes by listing B's kid.
    """
    verdict: dict[bytes, bool] = {}
    kept: set[Entry] = set()
    for entry in state.entries:
        owned = verdict.get(entry.kid)
        if owned is None:
            owned = verdict[entry.kid] = owns_kid(owners, entry.kid, state.issuer)
        if owned:
            kept.add(entry)
    dropped = len(state.entries) - len(kept)
    return ListState(state.issuer, state.version, frozenset(kept)), dropped


def kid_index(pairs: Iterable[tuple[bytes, str]]) -> dict[bytes, frozenset[str]]:
    """``(kid, member)`` pairs of a trust list's DSCs as a kid -> members index."""
    index: dict[bytes, set[str]] = {}
    for kid, member in pairs:
        index.setdefault(bytes(kid), set()).add(member)
    return {k: frozenset(v) for k, v in index.items()}


# --- the verifier's snapshot ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Partition:
    """A partition as a verifier holds it: the filter, and the exact hashes when downloaded."""

    key: PartitionKey
    bloom: BloomFilter
    hashes: frozenset[bytes] | None

    def contains(self, hash_: bytes) -> bool:
        """True when ``hash_`` is revoked here: by the exact list when held, else the filter.

        With the list held its answer is final (the filter can only agree or err positive,
        and a set lookup is cheaper than 40 probes); the filter answers for verifiers that
        keep filters only, at the false-positive rate it was built for.
        """
        if self.hashes is not None:
            return hash_ in self.hashes
        return hash_ in self.bloom


def build_partitions(
    state: ListState, fp_exponent: int = DEFAULT_FP_EXPONENT
) -> dict[PartitionKey, Partition]:
    """Filters and lists of every partition of ``state``."""
    return {
        key: Partition(key, partition_filter(hashes, fp_exponent), hashes)
        for key, hashes in state.partitions().items()
    }


class RevocationSnapshot:
    """What a verifier checks credentials against offline: every issuer's partitions.

    Immutable once built; a sync builds a new one and swaps it in, so a lookup never sees a
    half-applied delta.
    """

    __slots__ = ("_index", "ignored_foreign", "versions")

    def __init__(
        self,
        partitions: Iterable[Partition] = (),
        *,
        versions: Mapping[str, int] | None = None,
        ignored_foreign: Mapping[str, int] | None = None,
    ) -> None:
        index: dict[tuple[bytes, HashType], dict[int, Partition]] = {}
        for p in partitions:
            index.setdefault((p.key.kid, p.key.hash_type), {})[p.key.x] = p
        self._index = index
        self.versions: dict[str, int] = dict(versions or {})
        self.ignored_foreign: dict[str, int] = dict(ignored_foreign or {})
        """Per issuer: entries dropped because the trust list does not give it their kid."""

    @classmethod
    def from_states(
        cls,
        states: Iterable[ListState],
        fp_exponent: int = DEFAULT_FP_EXPONENT,
        *,
        owners: KidOwners,
    ) -> RevocationSnapshot:
        """A snapshot of several issuers' lists, keeping only entries under kids each owns."""
        parts: list[Partition] = []
        versions: dict[str, int] = {}
        ignored: dict[str, int] = {}
        for state in states:
            kept, dropped = owned_state(state, owners)
            parts.extend(build_partitions(kept, fp_exponent).values())
            versions[state.issuer] = state.version
            ignored[state.issuer] = dropped
        return cls(parts, versions=versions, ignored_foreign=ignored)

    def __repr__(self) -> str:
        return f"RevocationSnapshot(partitions={self.partition_count}, versions={self.versions})"

    @property
    def partition_count(self) -> int:
        """Non-empty partitions held."""
        return sum(len(v) for v in self._index.values())

    def has(self, kid: bytes, hash_type: HashType, hash_: bytes) -> bool:
        """True when ``hash_`` of ``hash_type`` is revoked under ``kid``."""
        parts = self._index.get((kid, hash_type))
        if parts is None:
            return False
        part = parts.get(partition_of(hash_))
        return part is not None and part.contains(hash_)

    def is_revoked_hashes(self, kid: bytes, hashes: Mapping[HashType, bytes]) -> bool:
        """True when any of the credential's hashes is revoked under ``kid``."""
        return any(self.has(kid, t, h) for t, h in hashes.items())

    def is_revoked(
        self,
        kid: bytes,
        signature: bytes,
        uci: str | None = None,
        *,
        alg: int | str = -7,
        country: str | None = None,
    ) -> bool:
        """True when the credential signed with ``kid`` is revoked by signature, UCI or both.

        ``signature`` is the COSE_Sign1 signature as in the QR code, ``alg`` its COSE algorithm
        (ES256 by default), ``uci`` the unique certificate identifier when the payload has one,
        ``country`` the CWT ``iss`` claim (for COUNTRYCODEUCI entries).
        """
        if (kid, HashType.SIGNATURE) in self._index and signature:
            try:
                if self.has(kid, HashType.SIGNATURE, signature_hash(signature, alg=alg)):
                    return True
            except ValueError:
                pass  # an odd-length "ECDSA" signature fails the signature step, not this one
        if uci:
            if self.has(kid, HashType.UCI, uci_hash(uci)):
                return True
            if country and self.has(kid, HashType.COUNTRYCODEUCI, country_uci_hash(country, uci)):
                return True
        return False


# --- reading the coordinates from a credential --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coordinates:
    """What revocation needs from one credential: key id, algorithm, signature, UCI, issuer."""

    kid: bytes
    alg: int | str
    signature: bytes
    uci: str | None
    country: str | None

    def hashes(self) -> dict[HashType, bytes]:
        """Every revocation hash of the credential."""
        return credential_hashes(
            signature=self.signature, alg=self.alg, uci=self.uci, country=self.country
        )


def _uci_of(claims: Mapping[Any, Any]) -> str | None:
    from dyrd.credential.compute import cose

    try:
        dcc = cose.hcert_payload(claims)
    except cose.CoseError:
        return None
    if not isinstance(dcc, Mapping):
        return None
    for group in ("v", "t", "r"):
        items = dcc.get(group)
        if isinstance(items, list) and items and isinstance(items[0], Mapping):
            ci = items[0].get("ci")
            if isinstance(ci, str) and ci:
                return ci
    ci = dcc.get("ci")
    return ci if isinstance(ci, str) and ci else None


def read_coordinates(text: str) -> Coordinates:
    """The coordinates of an ``HC1:`` credential, without verifying its signature.

    Raises ValueError when the text is not a readable HC1 COSE_Sign1 with an 8-byte kid.
    """
    # Imported here: the verifier (hcert) may import this module for its revocation step.
    from dyrd.credential.compute import base45, cose, hcert

    text = text.strip()
    if not text.startswith(hcert.PREFIX):
        raise ValueError("the credential text does not start with HC1:")
    try:
        message = cose.decode_sign1(hcert.decompress(base45.decode(text[len(hcert.PREFIX) :])))
        claims = cose.decode_claims(message.payload)
    except ValueError as exc:  # Base45Error and CoseError are ValueErrors
        raise ValueError(f"the credential cannot be decoded: {exc}") from exc
    return coordinates(message.kid, message.alg, message.signature, claims)


def coordinates(kid: Any, alg: Any, signature: bytes, claims: Mapping[Any, Any]) -> Coordinates:
    """The coordinates of a credential already decoded (a verdict's kid, alg, signature and
    claims), so a verifier that has just checked it need not decode the text again.

    Raises ValueError when the kid is not 8 bytes or no algorithm is named.
    """
    if not isinstance(kid, bytes) or len(kid) != KID_BYTES:
        raise ValueError(f"the credential's kid is not {KID_BYTES} bytes")
    if not isinstance(alg, int | str) or isinstance(alg, bool):
        raise ValueError("the credential names no algorithm")  # noqa: TRY004  # callers catch ValueError
    iss = claims.get(1)  # CWT iss (RFC 8392 §3.1.1; cose.CLAIM_ISS)
    return Coordinates(
        kid=kid,
        alg=alg,
        signature=signature,
        uci=_uci_of(claims),
        country=iss if isinstance(iss, str) and iss else None,
    )
