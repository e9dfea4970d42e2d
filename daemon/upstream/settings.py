"""The `[upstream.llm]` and `[upstream.speech]` config sections: where the practice's
server is and how to trust it."""

from __future__ import annotations

import os
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from daemon.loopback import is_loopback
from daemon.upstream.pin import parse_pin

Fallback = Literal["error", "local"]


class UpstreamEngineSettings(BaseModel):
    """One engine kind served by an OpenAI-compatible server (vLLM, llama.cpp's server)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The base URL of the OpenAI API, e.g. https://gpu.practice.lan:8443/v1
    url: str
    # SHA-256 of the server's public key ("sha256//BASE64", curl's --pinnedpubkey form) or
    # of its certificate ("AB:CD:...", openssl x509 -fingerprint -sha256). Required for https.
    pin: str = ""
    # The model name the server knows; clients may also name it in requests.
    model: Annotated[str, Field(min_length=1, max_length=256)]
    # The API key: from a file only the user reads, or the OS keyring (service, "upstream").
    api_key_file: str = ""
    api_key_keyring: str = ""
    # When the server cannot be reached: answer with an error, or with the local model
    # (the response then says which answered).
    fallback: Fallback = "error"
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 60.0
    # The longest an upstream answer may be (bytes), so a broken server cannot fill memory.
    max_response_bytes: Annotated[int, Field(ge=1024)] = 16 * 1024 * 1024

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"{value!r} must be an https:// URL with a host")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError(f"{value!r}: no user, password, query or fragment in the URL")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ValueError(
                f"{value!r}: text and audio would cross the network unencrypted; use https "
                "(plain http is allowed only for a loopback address)"
            )
        try:
            parts.port  # noqa: B018 (raises on a bad port)
        except ValueError:
            raise ValueError(f"{value!r} has an invalid port") from None
        return value.rstrip("/")

    @field_validator("pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        if value:
            parse_pin(value)  # raises ValueError with the accepted forms
        return value

    @field_validator("api_key_file")
    @classmethod
    def _key_file(cls, value: str) -> str:
        if value and not os.path.isabs(os.path.expanduser(value)):
            raise ValueError(f"{value!r} must be an absolute path (or start with ~)")
        return os.path.expanduser(value) if value else value

    @model_validator(mode="after")
    def _consistent(self) -> UpstreamEngineSettings:
        if self.https and not self.pin:
            raise ValueError(
                "pin is required for https: the SHA-256 of the server's public key or "
                "certificate (see the README, clinic mode)"
            )
        if self.api_key_file and self.api_key_keyring:
            raise ValueError("give the API key in api_key_file or api_key_keyring, not both")
        return self

    @property
    def https(self) -> bool:
        return urlsplit(self.url).scheme == "https"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or (443 if self.https else 80)

    @property
    def base_path(self) -> str:
        return urlsplit(self.url).path


class UpstreamSettings(BaseModel):
    """Off by default: every engine kind runs on this machine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    llm: UpstreamEngineSettings | None = None
    # POST /v1/audio/transcriptions and dictation (sent on release: see the README).
    speech: UpstreamEngineSettings | None = None
