"""How the daemon loads a model, and decodes uploads for the practice's server: in a
confined worker process where the platform has them (Linux, macOS), in the daemon's
own process elsewhere (Windows, for now)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import psutil

from daemon.config import Settings
from daemon.llm.engine import LLMEngine
from daemon.models.registry import ModelInfo
from daemon.speech.audio import Decoder
from daemon.speech.engine import SpeechEngine

# Workers need fork/exec with an inherited socket; Windows would need a job object
# and an AppContainer, which are not built yet.
WORKERS_SUPPORTED = sys.platform != "win32"


def memory_limit_mb(setting: int) -> int:
    """A worker's memory limit in MiB for the setting (0: half the machine; -1: none -> 0)."""
    if setting == 0:
        return int(psutil.virtual_memory().total >> 20) // 2
    return max(setting, 0)


def speech_loader(settings: Settings) -> Callable[[ModelInfo], SpeechEngine]:
    """Loads a speech model for the speech pool."""
    device = settings.speech.device
    if not WORKERS_SUPPORTED:
        return lambda info: _whisper_in_process(info, device)
    from daemon.sandbox.engines import SandboxedSpeechEngine

    limit = memory_limit_mb(settings.sandbox.memory_limit_mb)
    return lambda info: SandboxedSpeechEngine(info, device, limit)


def llm_loader(settings: Settings) -> Callable[[ModelInfo], LLMEngine]:
    """Loads a GGUF model for the LLM pool."""
    device, context_size = settings.llm.device, settings.llm.context_size
    if not WORKERS_SUPPORTED:
        return lambda info: _llama_in_process(info, device, context_size)
    from daemon.sandbox.engines import SandboxedLLMEngine

    limit = memory_limit_mb(settings.sandbox.memory_limit_mb)
    return lambda info: SandboxedLLMEngine(info, device, context_size, limit)


def decoder_loader(settings: Settings) -> Callable[[], Decoder]:
    """Makes the decoder of uploads that the speech upstream sends on (no model: a
    confined media worker, started on its first upload)."""
    if not WORKERS_SUPPORTED:
        from daemon.sandbox.media import InProcessDecoder

        return InProcessDecoder
    from daemon.sandbox.media import SandboxedDecoder

    max_seconds = settings.speech.max_audio_seconds
    limit = memory_limit_mb(settings.sandbox.memory_limit_mb)
    return lambda: SandboxedDecoder(max_seconds, limit)


def _whisper_in_process(info: ModelInfo, device: str) -> SpeechEngine:
    from daemon.device import resolve_speech_device
    from daemon.speech.engine import WhisperEngine

    return WhisperEngine(info, *resolve_speech_device(device))


def _llama_in_process(info: ModelInfo, device: str, context_size: int) -> LLMEngine:
    from daemon.device import resolve_llm_device
    from daemon.llm.engine import LlamaEngine

    return LlamaEngine(info, resolve_llm_device(device), context_size)
