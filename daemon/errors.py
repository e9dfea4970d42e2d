"""Error bases: one per area, each message safe to show a user.

An area's base (SpeechError, LLMError, ...) says where an error arose; its cause
is a second base: InvalidRequestError (the caller's input, 400), EngineError (an
engine failed on valid input, 500), or a ModelError (the model cannot serve, 503).
"""

from __future__ import annotations


class SottovoceError(Exception):
    """Base of every error the daemon raises on purpose."""


class InvalidRequestError(SottovoceError):
    """Cause: the request cannot be served as given (the caller's fault)."""


class EngineError(SottovoceError):
    """Cause: an engine failed on a valid request."""


class ConfigError(SottovoceError):
    """The configuration file or a flag is invalid."""


class ModelError(SottovoceError):
    """A model is unknown, missing on disk, incomplete, or cannot run."""


class ModelNotFoundError(ModelError):
    """No installed model has the requested name."""

    def __init__(self, message: str, param: str = "model") -> None:
        super().__init__(message)
        self.param = param  # the request field that named it

    @classmethod
    def named(
        cls, kind_name: str, name: str, installed: list[str], param: str = "model"
    ) -> ModelNotFoundError:
        """The one wording of "not installed", with what is installed and the fix."""
        return cls(
            f"{kind_name} model {name!r} is not installed "
            f"(installed: {', '.join(installed) or 'none'}); "
            "add one with `sottovoce models add PATH`",
            param,
        )


class ModelLoadError(ModelError):
    """An installed model failed to load (a corrupt or unsupported file, too little memory)."""


class ModelRegistryError(ModelError):
    """The user's model registry (models.toml) is unreadable or invalid."""


class SpeechError(SottovoceError):
    """Area: speech recognition."""


class SpeechRequestError(SpeechError, InvalidRequestError):
    """The transcription cannot be served as given (its options or its audio)."""


class InvalidAudioError(SpeechRequestError):
    """The audio cannot be transcribed: empty, corrupt, unsupported or too long."""


class SpeechEngineError(SpeechError, EngineError):
    """The speech engine failed on valid audio."""


class LLMError(SottovoceError):
    """Area: language-model inference."""


class LLMRequestError(LLMError, InvalidRequestError):
    """The request cannot be served as given (the caller's fault: 400)."""


class ContextOverflowError(LLMRequestError):
    """The prompt does not fit the model's context window."""


class LLMEngineError(LLMError, EngineError):
    """The language model failed on a valid request."""


class RewriteError(SottovoceError):
    """Area: rewriting text with presets."""


class UnknownPresetError(RewriteError, InvalidRequestError):
    """The requested preset does not exist."""


class BusyError(SottovoceError):
    """A bounded queue is full; the caller should retry later."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HistoryError(SottovoceError):
    """The encrypted history cannot be opened, read or written."""


class DictationError(SottovoceError):
    """A dictation stream was misused or failed."""
