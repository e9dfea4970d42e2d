"""What can go wrong with the practice's server, each message safe to show a user.

Messages name the server, never the text sent: an upstream's own error message may
quote the prompt, so it is not passed on.
"""

from __future__ import annotations

from daemon.errors import BusyError, LLMRequestError, ModelError


class UpstreamError(ModelError):
    """The upstream server cannot serve (503): unreachable, untrusted or broken."""


class UpstreamUnreachableError(UpstreamError):
    """No connection could be made, or the server failed before answering; the
    fallback policy may answer with the local model instead."""


class PinMismatchError(UpstreamError):
    """The server's certificate does not carry the configured pin: nothing was sent."""


class UpstreamLostError(UpstreamError):
    """The server stopped in the middle of an answer."""


class UpstreamRefusedError(UpstreamError):
    """The server refused the API key or answered something that is not OpenAI's API."""


class UpstreamRequestError(LLMRequestError):
    """The server found the request invalid (400), e.g. too long for its context."""


class UpstreamBusyError(BusyError):
    """The server said 429: too many requests; retry later."""
