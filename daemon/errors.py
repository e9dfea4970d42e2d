"""Error bases: one per area, each message safe to show a user."""


class SottovoceError(Exception):
    """Base of every error the daemon raises on purpose."""


class ConfigError(SottovoceError):
    """The configuration file or a flag is invalid."""


class ModelError(SottovoceError):
    """A model is unknown, missing on disk or incomplete."""


class ModelNotFoundError(ModelError):
    """No installed model has the requested name."""


class ModelLoadError(ModelError):
    """An installed model failed to load (a corrupt or unsupported file, too little memory)."""


class SpeechError(SottovoceError):
    """Speech recognition failed (bad audio, engine failure)."""


class LLMError(SottovoceError):
    """Language-model inference failed."""


class LLMRequestError(LLMError):
    """The request cannot be served as given (the caller's fault: 400)."""


class ContextOverflowError(LLMRequestError):
    """The prompt does not fit the model's context window."""


class BusyError(SottovoceError):
    """A bounded queue is full; the caller should retry later."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class HistoryError(SottovoceError):
    """The encrypted history cannot be opened, read or written."""


class DictationError(SottovoceError):
    """A dictation stream was misused or failed."""
