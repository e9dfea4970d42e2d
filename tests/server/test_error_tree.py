"""Every domain error answers by its cause: the caller's input 400, a model that cannot
serve 503, an engine failure 500; and every error the daemon raises is in one tree."""

from __future__ import annotations

import pytest

from daemon import errors
from daemon.sandbox.process import WorkerCrashedError
from daemon.server.errors import from_domain_error


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.InvalidAudioError("empty"), 400, "invalid_audio"),
        (errors.SpeechRequestError("bad language"), 400, None),
        (errors.LLMRequestError("bad template"), 400, None),
        (errors.ContextOverflowError("too long"), 400, "context_length_exceeded"),
        (errors.UnknownPresetError("unknown preset"), 400, "unknown_preset"),
        (errors.ModelNotFoundError("nope"), 404, "model_not_found"),
        (errors.ModelLoadError("corrupt"), 503, "model_unavailable"),
        (errors.ModelRegistryError("broken"), 503, "model_unavailable"),
        (WorkerCrashedError("crashed"), 503, "model_unavailable"),
        (errors.SpeechEngineError("failed"), 500, "speech_engine_error"),
        (errors.LLMEngineError("failed"), 500, "llm_error"),
        (errors.BusyError("full"), 429, "busy"),
        (errors.HistoryError("closed"), 503, "history_unavailable"),
    ],
)
def test_an_error_answers_by_its_cause(
    error: errors.SottovoceError, status: int, code: str | None
) -> None:
    mapped = from_domain_error(error)
    assert (mapped.status, mapped.code) == (status, code)
    assert mapped.message == str(error)


def test_request_errors_share_a_cause_across_areas() -> None:
    for cls in (errors.InvalidAudioError, errors.LLMRequestError, errors.UnknownPresetError):
        assert issubclass(cls, errors.InvalidRequestError)
    for cls in (errors.SpeechEngineError, errors.LLMEngineError):
        assert issubclass(cls, errors.EngineError)
    assert issubclass(errors.UnknownPresetError, errors.RewriteError)
    assert not issubclass(errors.UnknownPresetError, ValueError)
