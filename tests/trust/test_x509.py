"""X.509 for credentials: the region CSCA and DSCs built through a key store, and chain checks."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from dyrd.trust.compute import x509 as cx
from dyrd.trust.types import KeyAlgorithm
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore

CSCA_SUBJECT = cx.Subject("YRD Health Credential CSCA", "CN-YRD")
ZJ_SUBJECT = cx.Subject("Zhejiang 浙江 DSC", "CN-YRD/GOV/330000", "330000")


def make_csca(
    keystore: InMemoryKeyStore, algorithm: KeyAlgorithm = KeyAlgorithm.ES256
) -> tuple[str, bytes]:
    kid = keystore.generate(algorithm)
    der = cx.build_csca(
        spki_der=keystore.public_key(kid),
        algorithm=algorithm,
        subject=CSCA_SUBJECT,
        serial=2**100 + 7,
        not_before=FIXED_NOW,
        not_after=FIXED_NOW + cx.CSCA_VALIDITY,
        sign=lambda data: keystore.sign(kid, data),
    )
    return kid, der


def make_dsc(
    keystore: InMemoryKeyStore,
    csca: tuple[str, bytes],
    *,
    algorithm: KeyAlgorithm = KeyAlgorithm.ES256,
    csca_algorithm: KeyAlgorithm = KeyAlgorithm.ES256,
    usages: tuple[cx.CredentialUsage, ...] = (cx.CredentialUsage.HEALTH_CODE,),
    validity: timedelta = cx.DSC_VALIDITY,
) -> bytes:
    member_key = keystore.generate(algorithm)
    root_kid, csca_der = csca
    return cx.build_dsc(
        spki_der=keystore.public_key(member_key),
        subject=ZJ_SUBJECT,
        usages=usages,
        serial=42,
        not_before=FIXED_NOW,
        not_after=FIXED_NOW + validity,
        csca_der=csca_der,
        csca_algorithm=csca_algorithm,
        sign=lambda data: keystore.sign(root_kid, data),
    )


@pytest.fixture
def keystore() -> InMemoryKeyStore:
    return InMemoryKeyStore()


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_csca_is_a_self_signed_ca_with_the_root_key(
    keystore: InMemoryKeyStore, algorithm: KeyAlgorithm
) -> None:
    kid, der = make_csca(keystore, algorithm)
    info = cx.verify_csca(der, at=FIXED_NOW + timedelta(days=1))
    assert info.is_ca
    assert info.public_key == keystore.public_key(kid)
    assert info.subject == info.issuer == "CN=YRD Health Credential CSCA,O=CN-YRD,C=CN"
    cert = x509.load_der_x509_certificate(der)
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert (constraints.value.ca, constraints.value.path_length) == (True, 0)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign
    assert not usage.digital_signature
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == cx.CSCA_VALIDITY


@pytest.mark.parametrize("member_alg", list(KeyAlgorithm))
@pytest.mark.parametrize("csca_alg", list(KeyAlgorithm))
def test_dsc_chains_to_its_csca_with_the_dcc_profile(
    keystore: InMemoryKeyStore, member_alg: KeyAlgorithm, csca_alg: KeyAlgorithm
) -> None:
    csca = make_csca(keystore, csca_alg)
    der = make_dsc(keystore, csca, algorithm=member_alg, csca_algorithm=csca_alg)
    info = cx.verify_dsc(
        der, csca[1], at=FIXED_NOW + timedelta(days=30), usage=cx.CredentialUsage.HEALTH_CODE
    )
    assert not info.is_ca
    assert info.usages == {cx.CredentialUsage.HEALTH_CODE}
    cert = x509.load_der_x509_certificate(der)
    assert cert.version is x509.Version.v3
    key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert key_usage.critical
    assert key_usage.value.digital_signature
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [o.dotted_string for o in eku] == [cx.HEALTH_CODE]
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == cx.key_identifier(keystore.public_key(csca[0]))
    names = {a.oid._name: a.value for a in cert.subject}  # readable names
    assert names == {
        "countryName": "CN",
        "organizationName": "CN-YRD/GOV/330000",
        "organizationalUnitName": "330000",
        "commonName": "Zhejiang 浙江 DSC",
    }


def test_kid_is_the_first_eight_bytes_of_sha256_over_the_der(keystore: InMemoryKeyStore) -> None:
    der = make_dsc(keystore, make_csca(keystore))
    assert cx.kid_of(der) == hashlib.sha256(der).digest()[:8]
    assert len(cx.kid_of(der)) == cx.KID_SIZE
    assert cx.read_certificate(der).kid == cx.kid_of(der)
    assert cx.fingerprint_of(der) == hashlib.sha256(der).hexdigest()


def test_dcc_usages_are_the_ehn_oids(keystore: InMemoryKeyStore) -> None:
    usages = (cx.CredentialUsage.TEST, cx.CredentialUsage.VACCINATION, cx.CredentialUsage.RECOVERY)
    csca = make_csca(keystore)
    der = make_dsc(keystore, csca, usages=usages)
    eku = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
        x509.ExtendedKeyUsage
    )
    assert [o.dotted_string for o in eku.value] == [
        "1.3.6.1.4.1.1847.2021.1.1",
        "1.3.6.1.4.1.1847.2021.1.2",
        "1.3.6.1.4.1.1847.2021.1.3",
    ]
    assert ExtendedKeyUsageOID.CODE_SIGNING not in eku.value
    with pytest.raises(cx.X509Rejected, match="health-code"):
        cx.verify_dsc(der, csca[1], usage=cx.CredentialUsage.HEALTH_CODE)


def test_a_dsc_is_clipped_to_its_csca(keystore: InMemoryKeyStore) -> None:
    csca = make_csca(keystore)
    der = make_dsc(keystore, csca, validity=timedelta(days=20 * 365))
    assert cx.read_certificate(der).not_after == cx.read_certificate(csca[1]).not_after
    cx.verify_dsc(der, csca[1])


def test_a_dsc_from_another_csca_or_altered_is_refused(keystore: InMemoryKeyStore) -> None:
    csca, other = make_csca(keystore), make_csca(keystore)
    der = make_dsc(keystore, csca)
    with pytest.raises(cx.X509Rejected) as wrong:
        cx.verify_dsc(der, other[1])
    assert wrong.value.message_zh
    at = der.index(b"330000")  # flip a byte of the subject: the CSCA signature breaks
    tampered = der[:at] + b"4" + der[at + 1 :]
    with pytest.raises(cx.X509Rejected, match="signature"):
        cx.verify_dsc(tampered, csca[1])
    with pytest.raises(cx.X509Rejected, match="not a DER"):
        cx.verify_dsc(b"\x30\x03junk", csca[1])
    with pytest.raises(cx.X509Rejected, match="not a CA"):
        cx.verify_dsc(der, der)  # a DSC is no CSCA


def test_validity_is_checked_at_the_given_time(keystore: InMemoryKeyStore) -> None:
    csca = make_csca(keystore)
    der = make_dsc(keystore, csca, validity=timedelta(days=10))
    cx.verify_dsc(der, csca[1], at=FIXED_NOW + timedelta(days=9))
    with pytest.raises(cx.X509Rejected, match="DSC is not valid"):
        cx.verify_dsc(der, csca[1], at=FIXED_NOW + timedelta(days=10))
    with pytest.raises(cx.X509Rejected, match="CSCA is not valid"):
        cx.verify_dsc(der, csca[1], at=FIXED_NOW - timedelta(seconds=1))


def test_building_refuses_bad_arguments(keystore: InMemoryKeyStore) -> None:
    kid = keystore.generate(KeyAlgorithm.ES256)

    def build(serial: int, days: int) -> bytes:
        return cx.build_csca(
            spki_der=keystore.public_key(kid),
            algorithm=KeyAlgorithm.ES256,
            subject=CSCA_SUBJECT,
            serial=serial,
            not_before=FIXED_NOW,
            not_after=FIXED_NOW + timedelta(days=days),
            sign=lambda data: keystore.sign(kid, data),
        )

    assert build(1, 1)
    with pytest.raises(ValueError, match="serial"):
        build(0, 1)
    with pytest.raises(ValueError, match="serial"):
        build(2**159, 1)
    with pytest.raises(ValueError, match="ends after"):
        build(1, 0)
    with pytest.raises(ValueError, match="usage"):
        make_dsc(keystore, make_csca(keystore), usages=())


def test_times_from_2050_are_generalized_time(keystore: InMemoryKeyStore) -> None:
    kid = keystore.generate(KeyAlgorithm.ES256)
    start = FIXED_NOW.replace(year=2049)
    der = cx.build_csca(
        spki_der=keystore.public_key(kid),
        algorithm=KeyAlgorithm.ES256,
        subject=CSCA_SUBJECT,
        serial=1,
        not_before=start,
        not_after=start.replace(year=2053),
        sign=lambda data: keystore.sign(kid, data),
    )
    assert cx.verify_csca(der).not_after.year == 2053
    assert b"\x18\x0f2053" in der  # GeneralizedTime, 15 characters
