"""A self-signed TLS certificate and both of its pins: for the benchmark's own upstream
and for tests. A practice makes its server's certificate itself (see the README)."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from daemon.upstream.pin import digest_of, format_pin


@dataclass(frozen=True)
class Certificate:
    """A self-signed server certificate and its key, as files, with both pins."""

    cert_file: Path
    key_file: Path
    spki_pin: str
    cert_pin: str


def make_certificate(folder: Path, name: str, addresses: list[str]) -> Certificate:
    """A fresh EC key and a self-signed certificate for `addresses`."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt = [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.crt", folder / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    der = certificate.public_bytes(serialization.Encoding.DER)
    return Certificate(
        cert_file,
        key_file,
        format_pin("public_key", digest_of(der, "public_key")),
        format_pin("certificate", digest_of(der, "certificate")),
    )
