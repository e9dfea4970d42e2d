"""OpenAI-shaped JSON errors: {"error": {"message", "type", "param", "code"}}."""

from __future__ import annotations

from aiohttp import web

from daemon.errors import (
    BusyError,
    ContextOverflowError,
    DictationError,
    EngineError,
    HistoryError,
    InvalidAudioError,
    InvalidRequestError,
    LLMError,
    LLMRequestError,
    ModelError,
    ModelNotFoundError,
    SottovoceError,
    SpeechError,
    UnknownPresetError,
)

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    408: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_error",
}


class ApiError(Exception):
    """An error a handler answers with; the message must be safe to show."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.headers = headers or {}


def error_body(status: int, message: str, param: str | None, code: str | None) -> dict[str, object]:
    """The JSON body of an error in OpenAI's shape."""
    return {
        "error": {
            "message": message,
            "type": _TYPES.get(status, "server_error"),
            "param": param,
            "code": code,
        }
    }


def error_response(error: ApiError) -> web.Response:
    """Render an ApiError."""
    return web.json_response(
        error_body(error.status, error.message, error.param, error.code),
        status=error.status,
        headers=error.headers,
    )


def from_domain_error(error: SottovoceError) -> ApiError:
    """Map a domain error to its HTTP status, by its cause first and its area second."""
    message = str(error)
    if isinstance(error, BusyError):
        return ApiError(429, message, code="busy", headers={"Retry-After": str(error.retry_after)})
    if isinstance(error, ModelNotFoundError):
        return ApiError(404, message, param=error.param, code="model_not_found")
    if isinstance(error, ModelError):
        return ApiError(503, message, param="model", code="model_unavailable")
    if isinstance(error, HistoryError):
        return ApiError(503, message, code="history_unavailable")
    if isinstance(error, InvalidAudioError):
        return ApiError(400, message, param="file", code="invalid_audio")
    if isinstance(error, DictationError):
        return ApiError(400, message, code="invalid_audio")
    if isinstance(error, UnknownPresetError):
        return ApiError(400, message, param="preset", code="unknown_preset")
    if isinstance(error, LLMRequestError):
        code = "context_length_exceeded" if isinstance(error, ContextOverflowError) else None
        return ApiError(400, message, param="messages", code=code)
    if isinstance(error, InvalidRequestError):
        return ApiError(400, message)
    if isinstance(error, SpeechError):
        return ApiError(500, message, code="speech_engine_error")
    if isinstance(error, LLMError):
        return ApiError(500, message, code="llm_error")
    if isinstance(error, EngineError):
        return ApiError(500, message, code="engine_error")
    return ApiError(500, message)
