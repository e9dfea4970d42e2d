"""TLS pins: the SHA-256 of a server's public key (SubjectPublicKeyInfo) or certificate.

A practice's GPU server usually has a self-signed certificate that no CA vouches for;
the pin replaces the CA. A public-key pin survives a certificate renewed with the same
key; a certificate pin is what `openssl x509 -fingerprint -sha256` prints.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

SPKI_PREFIX = "sha256//"
_DIGEST_BYTES = 32

PinKind = Literal["public_key", "certificate"]
FORMS = (
    "'sha256//' and the base64 SHA-256 of the public key "
    "(curl --pinnedpubkey form), or the certificate's SHA-256 fingerprint "
    "as 64 hex digits (colons allowed, openssl x509 -fingerprint -sha256)"
)


@dataclass(frozen=True)
class Pin:
    """A parsed pin: which digest it is and its 32 bytes."""

    kind: PinKind
    digest: bytes

    def matches(self, certificate_der: bytes) -> bool:
        """Whether the certificate the server presented carries this pin."""
        return hmac.compare_digest(self.digest, digest_of(certificate_der, self.kind))

    def __str__(self) -> str:
        return format_pin(self.kind, self.digest)


def parse_pin(text: str) -> Pin:
    """A Pin from either written form; ValueError naming the forms otherwise."""
    text = text.strip()
    try:
        if text.startswith(SPKI_PREFIX):
            digest = base64.b64decode(text[len(SPKI_PREFIX) :], validate=True)
            kind: PinKind = "public_key"
        else:
            digest = bytes.fromhex(text.replace(":", ""))
            kind = "certificate"
    except (ValueError, binascii.Error):
        digest = b""
        kind = "certificate"
    if len(digest) != _DIGEST_BYTES:
        raise ValueError(f"not a SHA-256 pin; write {FORMS}")
    return Pin(kind, digest)


def digest_of(certificate_der: bytes, kind: PinKind) -> bytes:
    """The SHA-256 of a DER certificate, or of its SubjectPublicKeyInfo."""
    if kind == "certificate":
        return hashlib.sha256(certificate_der).digest()
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()


def format_pin(kind: PinKind, digest: bytes) -> str:
    """The written form of a pin (what the config takes)."""
    if kind == "public_key":
        return SPKI_PREFIX + base64.b64encode(digest).decode("ascii")
    return ":".join(f"{byte:02X}" for byte in digest)
