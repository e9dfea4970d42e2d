"""The [upstream.llm] section and pins: off by default, https unless loopback, a pin that
must be one of the two SHA-256 forms and must match the server's certificate."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config import Settings, load_settings
from daemon.errors import ConfigError
from daemon.paths import Paths
from daemon.upstream.pin import parse_pin
from daemon.upstream.selfsigned import make_certificate

PIN = "sha256//" + "A" * 43 + "="


def _load(home: Path, section: str) -> Settings:
    path = home / "config.toml"
    home.mkdir(parents=True, exist_ok=True)
    path.write_text("[upstream.llm]\n" + section, encoding="utf-8")
    return load_settings(Paths.from_env({"SOTTOVOCE_HOME": str(home)}), path)


def test_clinic_mode_is_off_by_default() -> None:
    assert Settings().upstream.llm is None


def test_a_pinned_https_server(tmp_path: Path) -> None:
    settings = _load(
        tmp_path, f'url = "https://gpu.practice.lan:8443/v1/"\npin = "{PIN}"\nmodel = "m"\n'
    )
    llm = settings.upstream.llm
    assert llm is not None
    assert (llm.host, llm.port, llm.base_path, llm.fallback) == (
        "gpu.practice.lan",
        8443,
        "/v1",
        "error",
    )


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('url = "http://10.0.0.5:8000/v1"\nmodel = "m"\n', "unencrypted; use https"),
        ('url = "https://10.0.0.5/v1"\nmodel = "m"\n', "pin is required for https"),
        ('url = "https://10.0.0.5/v1"\npin = "abc"\nmodel = "m"\n', "not a SHA-256 pin"),
        ('url = "ftp://10.0.0.5/v1"\nmodel = "m"\n', "must be an https:// URL"),
        ('url = "https://u:p@10.0.0.5/v1"\nmodel = "m"\n', "no user, password"),
        (
            f'url = "https://10.0.0.5/v1"\npin = "{PIN}"\nmodel = "m"\n'
            'api_key_file = "/k"\napi_key_keyring = "s"\n',
            "not both",
        ),
        (
            f'url = "https://10.0.0.5/v1"\npin = "{PIN}"\nmodel = "m"\nfallback = "cloud"\n',
            "fallback",
        ),
    ],
)
def test_unsafe_or_broken_settings_are_refused(tmp_path: Path, section: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, section)


def test_plain_http_is_allowed_on_loopback_only(tmp_path: Path) -> None:
    llm = _load(tmp_path, 'url = "http://127.0.0.1:8000/v1"\nmodel = "m"\n').upstream.llm
    assert llm is not None and not llm.https


def test_both_pin_forms_match_the_certificate_they_were_made_from(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    made = make_certificate(tmp_path, "server", ["192.0.2.10"])
    other = make_certificate(tmp_path, "other", ["192.0.2.10"])
    pem = made.cert_file.read_bytes()
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    for pin in (made.spki_pin, made.cert_pin, made.cert_pin.replace(":", "").lower()):
        assert parse_pin(pin).matches(der), pin
    for pin in (other.spki_pin, other.cert_pin):
        assert not parse_pin(pin).matches(der), pin
    assert str(parse_pin(made.spki_pin)) == made.spki_pin
